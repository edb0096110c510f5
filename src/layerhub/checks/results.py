"""What a check reports: its outcome for one object.

A check function returns normally when the object conforms, raises
:class:`~layerhub.errors.CheckFailure` with a message saying what is wrong and how to
fix it, or :class:`~layerhub.signals.CheckSkipped` when the check cannot apply (no schema
declared, no example given). Nothing here imports keras.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["FAILED", "PASSED", "SKIPPED", "XFAILED", "XPASSED", "Result"]

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"
XFAILED = "xfailed"
XPASSED = "xpassed"


@dataclass(frozen=True)
class Result:
    """One check's outcome for one registered object.

    Added in version 0.1.0.
    """

    object: str
    check: str
    status: str
    message: str = ""
    kind: str = ""
    distribution: str = ""
    seconds: float = 0.0  # wall time; the first fresh-process check carries the batch

    @property
    def ok(self) -> bool:
        """Whether this outcome lets a run pass (a strict-mode xpass does not)."""
        return self.status in (PASSED, SKIPPED, XFAILED)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
