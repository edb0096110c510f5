"""Reading a weights-only file found on its own: ``.weights.h5``, a sharded
``.weights.json`` index, an ``.npz``.

A model zoo holds these beside its models (``save_weights`` writes them, and
``load_weights`` reads them into a model built from code), so ``layerhub scan`` of a
tree inspects them too: they carry no config, only the weights' own hazards (HDF5
external links and storage, virtual datasets, shape bombs; pickled ``.npz`` arrays;
shards named outside the index's directory), which the readers of a whole model
already report for the same bytes inside an archive.
"""

from __future__ import annotations

from pathlib import Path

from ..findings import Finding
from .directory import inspect_weights
from .layout import StoredWeights
from .limits import Limits
from .npz import inspect_npz
from .weights import shards_of

__all__ = ["WEIGHTS_SUFFIXES", "inspect_weights_file", "weights_format"]

#: The suffixes of the weights-only files Keras writes, and the format each reads as.
WEIGHTS_SUFFIXES = {".weights.h5": "weights-h5", ".weights.json": "weights-json", ".npz": "npz"}


def weights_format(path: str) -> str | None:
    """The weights-only format ``path`` names by its suffix, or None for a model."""
    lower = path.lower()
    return next((fmt for suffix, fmt in WEIGHTS_SUFFIXES.items() if lower.endswith(suffix)), None)


def inspect_weights_file(path: Path, limits: Limits) -> list[Finding]:
    """The hazards of the weights-only file ``path`` (see :func:`weights_format`).

    Raises :class:`~layerhub.errors.CorruptArchiveError` for a file that is not what
    its suffix says, :class:`~layerhub.errors.UnsafeArchiveError` for one whose reading
    must stop (a shard named outside the index's directory, a limit exceeded).
    """
    fmt = weights_format(str(path))
    stored = StoredWeights()
    if fmt == "npz":
        with open(path, "rb") as fh:
            return inspect_npz(fh, str(path), path.name, stored)
    files = shards_of(path, limits) if fmt == "weights-json" else [path]
    findings: list[Finding] = []
    for file in files:
        findings += inspect_weights(file, file.name, limits, stored)
    return findings
