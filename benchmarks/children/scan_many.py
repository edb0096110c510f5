"""Per-file cost of scanning many files in ONE process, against zip + ``json.loads``.

    python benchmarks/children/scan_many.py DIR RUNS

Scans every ``*.keras`` in ``DIR`` as ``layerhub scan FILE...`` does (one policy, the
plugins discovered once, :func:`layerhub.safety.scan.scan_file` per file), and, as the
reference, opens each file with ``zipfile`` and parses its ``config.json``. As a lower
bound on any scan that reads the whole file, a bare visit: the reference, plus one pass
over every container of the config (``json_depth``, the cheapest walk there is) and
reading ``model.weights.h5`` (its CRC checked) without parsing it. One warm-up pass of
each (imports, discovery, page cache), then ``RUNS`` passes of the three in an order
that turns every pass. Prints the medians per file, in seconds, as JSON, with the
number of files and of findings (a scan that read nothing would be fast too).
"""

import json
import statistics
import sys
import time
import zipfile
from pathlib import Path

from layerhub.archive.jsondoc import json_depth
from layerhub.plugins.allowlist import AllowList
from layerhub.safety.scan import scan_file

paths = sorted(str(p) for p in Path(sys.argv[1]).glob("*.keras"))
runs = int(sys.argv[2])
policy = AllowList.load()
findings = []


def scan():
    findings[:] = [len(scan_file(p, policy=policy).findings) for p in paths]


def zip_json():
    for p in paths:
        with zipfile.ZipFile(p) as z:
            json.loads(z.read("config.json"))


def bare_visit():
    for p in paths:
        with zipfile.ZipFile(p) as z:
            json_depth(json.loads(z.read("config.json")), 1 << 30)
            z.read("model.weights.h5")


def clock(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) / len(paths)


order = [("scan", scan), ("zip_json", zip_json), ("bare_visit", bare_visit)]
for _, fn in order:
    fn()  # warm: imports, discovery, page cache
times = {name: [] for name, _ in order}
for i in range(runs):
    for name, fn in order[i % 3 :] + order[: i % 3]:
        times[name].append(clock(fn))
result = {k: statistics.median(v) for k, v in times.items()}
print(json.dumps({**result, "files": len(paths), "findings": sum(findings)}))
