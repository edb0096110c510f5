"""Hazards inside HDF5 files (legacy ``.h5`` models and ``model.weights.h5``), statically.

HDF5 can make a reader open other files (external links), read raw bytes from other
files (external storage), stitch datasets out of other files (virtual datasets), or
declare a dataset far larger than the file so that reading it exhausts memory. Keras
follows all of these when it loads weights. This module walks the links of a file
without following any of them and reports each hazard as a finding; it never reads
dataset contents.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import h5py

from .errors import UnsafeArchiveError
from .findings import Finding, Severity

if TYPE_CHECKING:
    from .archive import Limits

#: Whatever h5py may raise on a damaged file; each becomes a CorruptArchiveError.
H5_ERRORS = (OSError, KeyError, ValueError, RuntimeError, TypeError, IndexError, OverflowError)


def inspect_file(
    f: h5py.File, where: str, stored_bytes: int, limits: Limits, member: str = ""
) -> list[Finding]:
    """Every external link, external storage, virtual dataset and absurd shape in ``f``.

    Locations read ``h5:/group/dataset``, or ``member:model.weights.h5:/group/dataset``
    for an HDF5 file inside a ``.keras`` archive (``member``).

    ``stored_bytes`` is the size of the file on disk: a dataset may declare at most
    ``limits.max_ratio`` times that (above ``limits.ratio_floor_bytes``), and never more
    than ``limits.max_member_bytes``.
    """
    findings: list[Finding] = []
    budget = max(limits.ratio_floor_bytes, int(stored_bytes * limits.max_ratio))
    budget = min(budget, limits.max_member_bytes)
    count = 0

    def visit(name: str, link: Any) -> None:
        nonlocal count
        count += 1
        if count > limits.max_members:
            raise UnsafeArchiveError(
                f"{where}: more than {limits.max_members} HDF5 objects "
                "(raise LAYERHUB_MAX_MEMBERS if the file is trusted)",
                [Finding("too-many-members", Severity.CRITICAL, "too many HDF5 objects", where)],
            )
        if isinstance(link, h5py.ExternalLink):
            location = f"member:{member}:/{name}" if member else f"h5:/{name}"
            findings.append(
                Finding(
                    "h5-external-link",
                    Severity.CRITICAL,
                    f"external link to {link.filename!r}:{link.path!r} (reading it opens "
                    "another file)",
                    location,
                )
            )

    def visit_object(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Dataset):
            location = f"member:{member}:/{name}" if member else f"h5:/{name}"
            findings.extend(dataset_findings(obj, location, budget))

    # Two passes, each handed what it needs without a lookup from the root per object:
    # links (external ones are never followed), then the objects hard links reach.
    f.visititems_links(visit)
    f.visititems(visit_object)
    return findings


def dataset_findings(dataset: h5py.Dataset, location: str, budget: int) -> list[Finding]:
    findings: list[Finding] = []
    if dataset.external:
        files = sorted({str(entry[0]) for entry in dataset.external})
        findings.append(
            Finding(
                "h5-external-storage",
                Severity.CRITICAL,
                f"dataset bytes stored in other files: {', '.join(files)}",
                location,
            )
        )
    if dataset.is_virtual:
        sources = sorted({str(source.file_name) for source in dataset.virtual_sources()})
        findings.append(
            Finding(
                "h5-virtual-dataset",
                Severity.CRITICAL,
                f"virtual dataset mapped from {', '.join(sources) or 'other files'}",
                location,
            )
        )
    shape = dataset.shape or ()
    declared = math.prod(shape) * dataset.dtype.itemsize
    if declared > budget:
        findings.append(
            Finding(
                "h5-shape-bomb",
                Severity.CRITICAL,
                f"declares shape {tuple(shape)} ({declared} bytes), over the {budget} bytes "
                "this file can hold",
                location,
            )
        )
    return findings
