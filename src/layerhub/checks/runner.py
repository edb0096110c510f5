"""Running cases in order with progress reports (what ``layerhub check`` does).

Cases that need the fresh process run last, so the one batched load comes after every
quick check and a progress display stays honest about what is slow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .cases import Case
from .results import Result

__all__ = ["Progress", "run_cases", "summary"]

Progress = Callable[[int, int, Case], None]


def run_cases(cases: Sequence[Case], progress: Progress | None = None) -> list[Result]:
    """Run every case; ``progress(done, total, case)`` is called before each one.

    Added in version 0.1.0.
    """
    ordered = sorted(cases, key=lambda c: c.check.fresh)
    results: dict[int, Result] = {}
    for done, case in enumerate(ordered):
        if progress is not None:
            progress(done, len(ordered), case)
        results[id(case)] = case.run()
    return [results[id(case)] for case in cases]


def summary(results: Sequence[Result]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts
