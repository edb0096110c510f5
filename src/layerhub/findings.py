"""Findings: what ``scan``, the archive reader and the load-time policy report.

One small vocabulary shared by every stage that inspects a file, so a finding reads
the same in ``layerhub scan``, in :class:`~layerhub.UnsafeArchiveError` and in JSON.
"""

from __future__ import annotations

import enum
from typing import Any, NamedTuple

__all__ = ["Finding", "Severity"]


class Severity(enum.IntEnum):
    """How bad a finding is; ``layerhub scan --fail-on`` and the policy compare these.

    Added in version 0.2.0.
    """

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None

    def __str__(self) -> str:
        return self.name.lower()


class Finding(NamedTuple):
    """One problem in one file.

    ``code`` is a stable machine name (``lambda``, ``external-module``...);
    ``location`` says where: a JSON pointer into the model config (``/config/layers/3``),
    an archive member (``member:assets/../x``) or an HDF5 object (``h5:/model_weights/x``).
    ``object`` says what the config holds there: the registered name of a plugin object
    (``Acme>GatedResidual``), the class name of a built-in (``Dense``), a function's name.
    A pointer alone sends the reader counting layers in a JSON file; the name says which
    object, and whose. Empty for findings about the file itself (members, HDF5 objects).

    Added in version 0.2.0.
    """

    code: str
    severity: Severity
    message: str
    location: str = ""
    object: str = ""

    def describe(self) -> str:
        where = f" at {self.location}" if self.location else ""
        if self.object:
            where += f" in {self.object!r}"
        return f"[{self.severity}] {self.code}{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "location": self.location,
            "object": self.object,
            "message": self.message,
        }
