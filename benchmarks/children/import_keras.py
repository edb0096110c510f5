"""Time ``import keras`` in a fresh process: the reference for layerhub's start-up.

Interpreter start-up is excluded. Prints ``{"s": seconds, "keras": true, "version": ...}``.

    python benchmarks/children/import_keras.py
"""

import json
import sys
import time


def main() -> dict:
    start = time.perf_counter()
    import keras

    seconds = time.perf_counter() - start
    return {"s": seconds, "keras": "keras" in sys.modules, "version": keras.version()}


if __name__ == "__main__":
    print(json.dumps(main()))
