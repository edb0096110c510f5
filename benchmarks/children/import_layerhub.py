"""Time ``import layerhub`` + plugin discovery (``get_registry()``) in a fresh process.

Interpreter start-up is excluded. Prints ``{"s": seconds, "keras": imported}``, where
``keras`` says whether keras was imported (discovery must not import it).

    python benchmarks/children/import_layerhub.py
"""

import json
import sys
import time


def main() -> dict:
    start = time.perf_counter()
    import layerhub

    assert len(layerhub.get_registry()) > 0
    return {"s": time.perf_counter() - start, "keras": "keras" in sys.modules}


if __name__ == "__main__":
    print(json.dumps(main()))
