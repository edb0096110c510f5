"""Time one ``layerhub.plugins.discovery.discover()``, its module imported before the clock.

Whether it replays a record or imports every plugin depends on ``LAYERHUB_CACHE_DIR``
(the caller's choice). Prints ``{"s": seconds, "keras": imported}``.

    python benchmarks/children/discover.py
"""

import json
import sys
import time

import layerhub.plugins.discovery as p


def main() -> dict:
    start = time.perf_counter()
    p.discover()
    return {"s": time.perf_counter() - start, "keras": "keras" in sys.modules}


if __name__ == "__main__":
    print(json.dumps(main()))
