"""Time the bare stdlib scan ``importlib.metadata.entry_points(group="layerhub")`` (or of
the group given as the first argument, e.g. ``layerhub.objects``).

The reference for discovery with many plugins: ``importlib.metadata`` is imported before
the clock starts. Prints ``{"s": seconds, "keras": imported}``.

    python benchmarks/children/entry_points.py [GROUP]
"""

import importlib.metadata
import json
import sys
import time


def main() -> dict:
    start = time.perf_counter()
    list(importlib.metadata.entry_points(group=(sys.argv[1:] or ["layerhub"])[0]))
    return {"s": time.perf_counter() - start, "keras": "keras" in sys.modules}


if __name__ == "__main__":
    print(json.dumps(main()))
