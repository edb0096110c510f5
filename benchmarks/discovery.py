"""How long discovery takes, and how much of it the trusted/curated index adds.

Decides whether discovery results are worth caching on disk (issue 5 asks for a cache
only if a benchmark shows it pays). Run in the environment to measure, with the plugins
to measure on ``PYTHONPATH`` or installed::

    .venv/bin/python benchmarks/discovery.py [REPEATS]

Each repeat is a fresh interpreter (discovery runs once per process), timing
``import layerhub``, a full ``discover()`` and the index part alone.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

PROBE = """
import json, time
t0 = time.perf_counter()
import layerhub.plugins as plugins
t1 = time.perf_counter()
discovery = plugins.discover()
t2 = time.perf_counter()
from layerhub.index import installed_entries
installed_entries(set(), set())
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "discover": t2 - t1, "index": t3 - t2,
                  "names": len(discovery.registry), "plugins": len(discovery.plugins),
                  "indexed": len(discovery.indexed)}))
"""


def main(repeats: int) -> None:
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
            ).stdout.splitlines()[-1]
        )
        for _ in range(repeats)
    ]
    last = runs[-1]
    print(
        f"{last['plugins']} plugin(s), {last['indexed']} indexed distribution(s), "
        f"{last['names']} name(s); median of {repeats} fresh processes:"
    )
    for key in ("import", "discover", "index"):
        print(f"  {key:9} {1000 * statistics.median(r[key] for r in runs):7.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
