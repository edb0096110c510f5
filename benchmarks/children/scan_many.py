"""Per-file cost of scanning many files in ONE process, against zip + ``json.loads``.

    python benchmarks/children/scan_many.py DIR RUNS

Scans every ``*.keras`` in ``DIR`` as ``layerhub scan FILE...`` does (one policy, the
plugins discovered once, :func:`layerhub.safety.scan.scan_file` per file), and, as the
reference, opens each file with ``zipfile`` and parses its ``config.json``. One warm-up
pass of each (imports, discovery, page cache), then ``RUNS`` passes of the two in an
order that flips every pass. Prints the medians per file, in seconds, as JSON, with the
number of files and of findings (a scan that read nothing would be fast too).
"""

import json
import statistics
import sys
import time
import zipfile
from pathlib import Path

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


def clock(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) / len(paths)


for fn in (scan, zip_json):
    fn()  # warm: imports, discovery, page cache
times = {"scan": [], "zip_json": []}
for i in range(runs):
    order = [("scan", scan), ("zip_json", zip_json)]
    for name, fn in order if i % 2 == 0 else order[::-1]:
        times[name].append(clock(fn))
result = {k: statistics.median(v) for k, v in times.items()}
print(json.dumps({**result, "files": len(paths), "findings": sum(findings)}))
