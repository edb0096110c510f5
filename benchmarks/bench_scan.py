"""How long the safe reader and the analysis take: ``layerhub scan`` and the check that
``load_model`` runs before Keras.

    python benchmarks/bench_scan.py MODEL.keras [MODEL.h5 ...]

Prints, per file, the best of 20 runs of ``read_archive`` and of ``read_archive`` plus
``analyze`` (the load-time check), with an empty registry so plugin discovery is not
measured. Goal: the check costs well under 5% of a Keras load (seconds).
"""

from __future__ import annotations

import sys
import time

from layerhub.allowlist import AllowList
from layerhub.archive import read_archive
from layerhub.registry import Registry
from layerhub.scan import analyze


def best(fn, repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(paths: list[str]) -> None:
    registry, policy = Registry(), AllowList()
    for path in paths:
        read = best(lambda p=path: read_archive(p))
        check = best(lambda p=path: analyze(read_archive(p), registry, policy))
        print(f"{path}: read {read * 1000:.2f} ms, read+analyze {check * 1000:.2f} ms")
    assert "keras" not in sys.modules


if __name__ == "__main__":
    main(sys.argv[1:])
