"""Hazards inside HDF5 files (legacy ``.h5`` models and ``model.weights.h5``), statically.

HDF5 can make a reader open other files (external links), read raw bytes from other
files (external storage), stitch datasets out of other files (virtual datasets), or
declare a dataset far larger than the file so that reading it exhausts memory. Keras
follows all of these when it loads weights. This module walks the links of a file
without following any of them and reports each hazard as a finding; it never reads
dataset contents.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import UnsafeArchiveError
from ..findings import Finding, Severity
from ..signals import TooManyLinks, UnsupportedHDF5
from .hdf5_layout import Link, walk_file
from .layout import StoredWeights
from .limits import Limits
from .members import damaged_as_corrupt

if TYPE_CHECKING:
    import h5py

__all__ = [
    "dataset_findings",
    "inspect_file",
    "inspect_h5",
    "inspect_layout",
    "location",
    "reading_h5",
]

#: Whatever h5py may raise on a damaged file; each becomes a CorruptArchiveError, but
#: only around the calls into h5py (:func:`reading_h5`): the same exception from
#: layerhub's own code is a bug, and is reported as one.
H5_ERRORS = (OSError, KeyError, ValueError, RuntimeError, TypeError, IndexError, OverflowError)


@contextlib.contextmanager
def reading_h5(where: str) -> Iterator[None]:
    """Around calls into h5py only: what it raises on a damaged file becomes a
    :class:`~layerhub.errors.CorruptArchiveError` naming ``where``.

    h5py reports an exception raised while it visits links (a name that is not UTF-8,
    an object it cannot open) as ``SystemError``, the real one as its cause.
    """
    with damaged_as_corrupt(where, "HDF5 file", H5_ERRORS):
        try:
            yield
        except SystemError as exc:
            if isinstance(exc.__cause__, H5_ERRORS):
                raise exc.__cause__ from None
            raise


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

    with reading_h5(where):
        f = h5py.File(fileobj, "r")
    with f:
        return inspect_file(f, where, size, limits, member, stored)


def inspect_layout(
    fileobj: BinaryIO,
    where: str,
    stored_bytes: int,
    limits: Limits,
    member: str = "",
    stored: StoredWeights | None = None,
) -> list[Finding]:
    """What :func:`inspect_file` reports, read without h5py (:mod:`layerhub.archive.hdf5_layout`).

    Raises :class:`~layerhub.signals.UnsupportedHDF5` for any file the pure reader does
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

    What h5py raises on a damaged file is a :class:`~layerhub.errors.CorruptArchiveError`
    naming ``where``. The visits only collect what h5py hands out; the findings are
    made after them, so that a bug in layerhub's own code never reads as a damaged file.
    """
    import h5py

    budget = size_budget(stored_bytes, limits)
    external: list[tuple[str, h5py.ExternalLink]] = []
    datasets: list[tuple[str, h5py.Dataset]] = []
    count = 0

    def visit(name: str, link: Any) -> bool | None:
        nonlocal count
        count += 1
        if count > limits.max_members:
            return True  # stops the walk; an exception raised here surfaces as SystemError
        if isinstance(link, h5py.ExternalLink):
            external.append((name, link))
        return None

    def visit_object(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Dataset):
            datasets.append((name, obj))

    # Two passes, each handed what it needs without a lookup from the root per object:
    # links (external ones are never followed), then the objects hard links reach.
    with reading_h5(where):
        stopped = f.visititems_links(visit)
    if stopped:
        raise too_many_objects(where, limits)
    with reading_h5(where):
        f.visititems(visit_object)
    findings = [
        external_link_finding(location(name, member), link.filename, link.path)
        for name, link in external
    ]
    for name, obj in datasets:
        with reading_h5(where):
            shape = obj.shape or ()
            itemsize = obj.dtype.itemsize
            external_files = [str(entry[0]) for entry in obj.external or ()]
            virtual = obj.is_virtual
            sources = [str(source.file_name) for source in obj.virtual_sources()] if virtual else []
        if stored is not None:
            stored.elements += math.prod(shape)
        findings += dataset_findings(
            location(name, member),
            shape,
            itemsize,
            external_files,
            sources,
            virtual=virtual,
            budget=budget,
        )
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
