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
import os
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import CorruptArchiveError, TooManyLinks, UnsafeArchiveError, UnsupportedHDF5
from ..findings import Finding, Severity
from .hdf5_layout import Link, walk_file
from .layout import StoredWeights
from .limits import Limits

if TYPE_CHECKING:
    import h5py

__all__ = ["H5_ERRORS", "inspect_file", "inspect_h5", "inspect_layout", "location"]

#: Whatever h5py may raise on a damaged file; each becomes a CorruptArchiveError.
H5_ERRORS = (OSError, KeyError, ValueError, RuntimeError, TypeError, IndexError, OverflowError)


def inspect_h5(
    fileobj: Any,
    where: str,
    size: int,
    limits: Limits,
    member: str,
    stored: StoredWeights | None = None,
) -> list[Finding]:
    """Hazards of an HDF5 weights file held in a zip member or a directory.

    The pure reader answers for the files Keras and h5py write by default, without
    importing h5py or numpy; anything it does not fully understand goes to h5py.
    """
    try:
        return inspect_layout(fileobj, where, size, limits, member, stored)
    except UnsupportedHDF5:
        fileobj.seek(0)
        if stored is not None:
            stored.elements = 0
    import h5py

    try:
        with h5py.File(fileobj, "r") as f:
            return inspect_file(f, where, size, limits, member, stored)
    except UnsafeArchiveError:
        raise
    except H5_ERRORS as exc:
        raise CorruptArchiveError(
            f"{where}: not a readable HDF5 file ({type(exc).__name__}: {exc})"
        ) from None


def inspect_layout(
    fileobj: BinaryIO,
    where: str,
    stored_bytes: int,
    limits: Limits,
    member: str = "",
    stored: StoredWeights | None = None,
) -> list[Finding]:
    """What :func:`inspect_file` reports, read without h5py (:mod:`layerhub.archive.hdf5_layout`).

    Raises :class:`~layerhub.errors.UnsupportedHDF5` for any file the pure reader does
    not fully understand; the caller then asks h5py through :func:`inspect_file`.
    """
    size = fileobj.seek(0, os.SEEK_END)
    links: list[Finding] = []
    datasets: list[Finding] = []
    budget = size_budget(stored_bytes, limits)
    try:
        for record in walk_file(fileobj, size, limits.max_members):
            if isinstance(record, Link):  # an external one: the walk counts the others
                filename, target = os.fsdecode(record.filename), _d(record.target)
                where_ = location(record.path, member)
                links.append(external_link_finding(where_, filename, target))
            else:
                elements = math.prod(record.shape)
                if stored is not None:
                    stored.elements += elements
                if record.external_files or record.virtual or elements * record.itemsize > budget:
                    datasets += dataset_findings(
                        location(record.path, member),
                        record.shape,
                        record.itemsize,
                        [os.fsdecode(name) for name in record.external_files],
                        [],
                        virtual=record.virtual,
                        budget=budget,
                    )
    except TooManyLinks:
        raise too_many_objects(where, limits) from None
    return links + datasets


def inspect_file(
    f: h5py.File,
    where: str,
    stored_bytes: int,
    limits: Limits,
    member: str = "",
    stored: StoredWeights | None = None,
) -> list[Finding]:
    """Every external link, external storage, virtual dataset and absurd shape in ``f``.

    Locations read ``h5:/group/dataset``, or ``member:model.weights.h5:/group/dataset``
    for an HDF5 file inside a ``.keras`` archive (``member``).

    ``stored``, when given, tallies the elements of every dataset.
    ``stored_bytes`` is the size of the file on disk: a dataset may declare at most
    ``limits.max_ratio`` times that (above ``limits.ratio_floor_bytes``), and never more
    than ``limits.max_member_bytes``.
    """
    import h5py

    findings: list[Finding] = []
    budget = size_budget(stored_bytes, limits)
    count = 0

    def visit(name: str, link: Any) -> bool | None:
        nonlocal count
        count += 1
        if count > limits.max_members:
            return True  # stops the walk; an exception raised here surfaces as SystemError
        if isinstance(link, h5py.ExternalLink):
            findings.append(external_link_finding(location(name, member), link.filename, link.path))

    def visit_object(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Dataset):
            if stored is not None:
                stored.elements += math.prod(obj.shape or ())
            findings.extend(
                dataset_findings(
                    location(name, member),
                    obj.shape or (),
                    obj.dtype.itemsize,
                    [str(entry[0]) for entry in obj.external or ()],
                    [str(source.file_name) for source in obj.virtual_sources()]
                    if obj.is_virtual
                    else [],
                    virtual=obj.is_virtual,
                    budget=budget,
                )
            )

    # Two passes, each handed what it needs without a lookup from the root per object:
    # links (external ones are never followed), then the objects hard links reach.
    try:
        if f.visititems_links(visit):
            raise too_many_objects(where, limits)
        f.visititems(visit_object)
    except SystemError as exc:
        # h5py reports an exception raised in its visit callback (a name that is not
        # UTF-8, an object it cannot open) as SystemError, the real one as its cause.
        if isinstance(exc.__cause__, H5_ERRORS):
            raise exc.__cause__ from None
        raise
    return findings


def size_budget(stored_bytes: int, limits: Limits) -> int:
    """The most bytes one dataset may declare in a file of ``stored_bytes``."""
    budget = max(limits.ratio_floor_bytes, int(stored_bytes * limits.max_ratio))
    return min(budget, limits.max_member_bytes)


def too_many_objects(where: str, limits: Limits) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        f"{where}: more than {limits.max_members} HDF5 objects "
        "(raise LAYERHUB_MAX_MEMBERS if the file is trusted)",
        [Finding("too-many-members", Severity.CRITICAL, "too many HDF5 objects", where)],
    )


def location(name: Any, member: str) -> str:
    return f"member:{member}:/{_d(name)}" if member else f"h5:/{_d(name)}"


def _d(name: Any) -> Any:
    """A name as h5py hands it out: text when it is UTF-8, else the bytes themselves."""
    if isinstance(name, bytes):
        try:
            return name.decode("utf8")
        except UnicodeDecodeError:
            return name
    return name


def external_link_finding(location: str, filename: str, path: Any) -> Finding:
    return Finding(
        "h5-external-link",
        Severity.CRITICAL,
        f"external link to {filename!r}:{path!r} (reading it opens another file)",
        location,
    )


def dataset_findings(
    location: str,
    shape: tuple[int, ...],
    itemsize: int,
    external_files: list[str],
    virtual_sources: list[str],
    *,
    virtual: bool,
    budget: int,
) -> list[Finding]:
    """External storage, a virtual layout and a shape over ``budget``, for one dataset."""
    findings: list[Finding] = []
    if external_files:
        findings.append(
            Finding(
                "h5-external-storage",
                Severity.CRITICAL,
                f"dataset bytes stored in other files: {', '.join(sorted(set(external_files)))}",
                location,
            )
        )
    if virtual:
        sources = sorted(set(virtual_sources))
        findings.append(
            Finding(
                "h5-virtual-dataset",
                Severity.CRITICAL,
                f"virtual dataset mapped from {', '.join(sources) or 'other files'}",
                location,
            )
        )
    declared = math.prod(shape) * itemsize
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
