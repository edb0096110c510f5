"""Reading a ``.keras`` zip: member names, declared sizes, then the JSON members.

The reader trusts nothing the file declares. Before anything large is read it checks
the central directory: member count, sizes, compression ratios and overlapping members
(the trick of non-recursive zip bombs); then member names (traversal, absolute
paths, backslashes, duplicates, members outside the Keras layout) and entry types
(symbolic and hard links, devices); then the weights (HDF5 hazards, pickled ``.npz``).
Only the exceptions the zip library raises on a damaged file
(:data:`~layerhub.archive.members.ZIP_ERRORS`) become a
:class:`~layerhub.errors.CorruptArchiveError`; anything else is a bug and surfaces as one.
"""

from __future__ import annotations

import fnmatch
import io
import itertools
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any, TypeVar

from ..errors import CorruptArchiveError, UnsafeArchiveError
from ..findings import Finding, Severity
from .hdf5_hazards import inspect_h5
from .jsondoc import parse_config
from .layout import (
    ASSETS_DIR,
    CONFIG_MEMBER,
    KNOWN_MEMBERS,
    MANIFEST_MEMBER,
    METADATA_MEMBER,
    MISSING_WEIGHTS,
    NPZ_WEIGHTS_MEMBER,
    WEIGHTS_MEMBER,
    ModelArchive,
    StoredWeights,
)
from .limits import Limits, limit_error
from .members import ZIP_ERRORS, MemberReader, damaged_as_corrupt, refuse_encrypted, stored_member
from .npz import inspect_npz

__all__ = ["T", "inspect_zipped_h5", "member_name_findings", "read_zip", "zip_io"]

#: Fixed part of a zip local file header, before the name and the extra field.
LOCAL_HEADER_BYTES = 30

T = TypeVar("T")


def member_name_findings(names: list[str], limits: Limits) -> list[Finding]:
    """Hazards in zip member names: traversal, absolute paths, backslashes, duplicates,
    control characters, and members outside the Keras layout (unless allowed)."""
    findings: list[Finding] = []
    seen: set[str] = set()
    for name in names:
        location = f"member:{name}"
        parts = PurePosixPath(name).parts
        if name in seen:
            findings.append(
                Finding(
                    "duplicate-member",
                    Severity.CRITICAL,
                    "the name appears more than once; readers disagree on which one counts",
                    location,
                )
            )
            continue
        seen.add(name)
        if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
            findings.append(
                Finding("absolute-member", Severity.CRITICAL, "absolute member path", location)
            )
        elif ".." in parts:
            findings.append(
                Finding(
                    "path-traversal",
                    Severity.CRITICAL,
                    "'..' in a member path points outside the archive",
                    location,
                )
            )
        elif "\\" in name:
            findings.append(
                Finding(
                    "backslash-member",
                    Severity.CRITICAL,
                    "backslash in a member path (a directory separator on Windows)",
                    location,
                )
            )
        elif any(ord(c) < 32 for c in name):
            findings.append(
                Finding(
                    "control-character-member",
                    Severity.HIGH,
                    "control character in a member path",
                    location,
                )
            )
        elif not known_member(name, limits):
            findings.append(
                Finding(
                    "unknown-member",
                    Severity.HIGH,
                    "member outside the Keras archive layout (allow it with "
                    "LAYERHUB_ALLOWED_MEMBERS if expected)",
                    location,
                )
            )
    return findings


def known_member(name: str, limits: Limits) -> bool:
    if name in KNOWN_MEMBERS or name.startswith(ASSETS_DIR):
        return True
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in limits.allowed_members)


def check_zip_sizes(infos: list[zipfile.ZipInfo], where: str, limits: Limits) -> None:
    """Refuse, before reading anything, an archive whose declared sizes are out of bounds."""
    if len(infos) > limits.max_members:
        raise limit_error(
            f"{where}: {len(infos)} members, over the limit of {limits.max_members}",
            "too-many-members",
            "member:",
            "MAX_MEMBERS",
        )
    check_overlaps(infos, where)
    total = 0
    for info in infos:
        location = f"{where}!{info.filename}"
        if info.file_size > limits.max_member_bytes:
            raise limit_error(
                f"{location}: {info.file_size} bytes uncompressed, over the limit of "
                f"{limits.max_member_bytes}",
                "member-too-large",
                f"member:{info.filename}",
                "MAX_MEMBER_BYTES",
            )
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise limit_error(
                f"{location}: inflates {info.compress_size} bytes to {info.file_size} "
                f"(ratio over {limits.max_ratio:g}; a zip bomb?)",
                "zip-bomb",
                f"member:{info.filename}",
                "MAX_RATIO",
            )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise limit_error(
            f"{where}: {total} bytes uncompressed in all, over the limit of "
            f"{limits.max_total_bytes}",
            "archive-too-large",
            "member:",
            "MAX_TOTAL_BYTES",
        )


def check_overlaps(infos: list[zipfile.ZipInfo], where: str) -> None:
    """Refuse members whose data overlap: the trick of non-recursive zip bombs, where
    thousands of entries inflate the same compressed bytes."""
    ordered = sorted(infos, key=lambda info: info.header_offset)
    for info, following in itertools.pairwise(ordered):
        # len() of the decoded name never exceeds its encoded length: no false alarms.
        end = info.header_offset + LOCAL_HEADER_BYTES + len(info.filename) + info.compress_size
        if end > following.header_offset:
            message = (
                f"{where}!{info.filename}: its data overlaps member {following.filename!r} "
                "(a non-recursive zip bomb?)"
            )
            raise UnsafeArchiveError(
                message,
                [
                    Finding(
                        "overlapping-members", Severity.CRITICAL, message, f"member:{info.filename}"
                    )
                ],
            )


def zip_io(where: str, call: Callable[..., T], *args: Any) -> T:
    """``call(*args)`` on the zip library, with a damaged file reported as such."""
    with damaged_as_corrupt(where, "zip archive", ZIP_ERRORS):
        return call(*args)


def read_zip(p: Path, limits: Limits) -> ModelArchive:
    where = str(p)
    with zip_io(where, zipfile.ZipFile, p) as zf:
        infos = zf.infolist()
        check_zip_sizes(infos, where, limits)
        names = [info.filename for info in infos]
        findings = member_name_findings(names, limits) + entry_type_findings(infos)
        if CONFIG_MEMBER not in names:
            raise CorruptArchiveError(f"{where}: not a Keras archive (no {CONFIG_MEMBER})")
        if WEIGHTS_MEMBER not in names and NPZ_WEIGHTS_MEMBER not in names:
            findings.append(MISSING_WEIGHTS)
        by_name = {info.filename: info for info in infos}

        def member(name: str) -> dict[str, Any] | None:
            info = by_name.get(name)
            if info is None:
                return None
            if info.file_size > limits.max_config_bytes:
                raise limit_error(
                    f"{where}!{name}: {info.file_size} bytes uncompressed, over the "
                    f"limit of {limits.max_config_bytes}",
                    "config-too-large",
                    f"member:{name}",
                    "MAX_CONFIG_BYTES",
                )
            refuse_encrypted(info, where)
            return parse_config(zip_io(where, zf.read, info), f"{where}!{name}", limits)

        config = member(CONFIG_MEMBER)
        assert config is not None
        metadata = member(METADATA_MEMBER)
        manifest = member(MANIFEST_MEMBER)
        stored = None
        if WEIGHTS_MEMBER in by_name:
            info = by_name[WEIGHTS_MEMBER]
            stored = StoredWeights(size=info.file_size)
            findings += inspect_zipped_h5(zf, info, where, limits, stored)
        elif NPZ_WEIGHTS_MEMBER in by_name:
            info = by_name[NPZ_WEIGHTS_MEMBER]
            stored = StoredWeights(size=info.file_size)
            refuse_encrypted(info, where)
            with zip_io(where, zf.open, info) as stream:
                copy = zip_io(where, SeekableCopy, stream)
            findings += inspect_npz(copy, f"{where}!{info.filename}", info.filename, stored)
    return ModelArchive(str(p), "keras", config, metadata, manifest, tuple(findings), stored)


#: Unix file types a zip entry's external attributes may declare, other than regular
#: files and directories, and the finding each is.
LINK_TYPES = {
    stat.S_IFLNK: ("zip-symlink", "a symbolic link, which may point anywhere once unzipped"),
    stat.S_IFCHR: ("zip-device", "a character device entry"),
    stat.S_IFBLK: ("zip-device", "a block device entry"),
    stat.S_IFIFO: ("zip-device", "a named pipe entry"),
    stat.S_IFSOCK: ("zip-device", "a socket entry"),
}
#: The "ASi Unix" extra field (Info-ZIP), which names the target of a hard or soft link.
ASI_UNIX_EXTRA = 0x756E


def entry_type_findings(infos: list[zipfile.ZipInfo]) -> list[Finding]:
    """Entries that are not regular files or directories, by the Unix mode in their
    external attributes (and hard links, by the link target of an ASi extra field).

    Keras writes neither; pipelines that unzip an archive and load the directory follow
    links and open devices, so each is refused whatever reads the file next.
    """
    findings: list[Finding] = []
    for info in infos:
        location = f"member:{info.filename}"
        kind = LINK_TYPES.get(stat.S_IFMT(info.external_attr >> 16))
        if kind is not None:
            findings.append(Finding(kind[0], Severity.CRITICAL, kind[1], location))
        elif asi_link_target(info.extra):
            findings.append(
                Finding(
                    "zip-hardlink",
                    Severity.CRITICAL,
                    "a hard link to another file (ASi Unix extra field)",
                    location,
                )
            )
    return findings


def asi_link_target(extra: bytes) -> bytes:
    """The link target an ASi Unix extra field names (``b""`` when there is none)."""
    offset = 0
    while offset + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, offset)
        body = extra[offset + 4 : offset + 4 + size]
        if tag == ASI_UNIX_EXTRA and len(body) >= 14:
            return body[14:]  # after CRC, mode, size of the link, uid and gid
        offset += 4 + size
    return b""


class SeekableCopy(io.BytesIO):
    """A member's bytes in memory, for the nested zip reader (it seeks backwards);
    an ``.npz`` of weights is read whole by Keras anyway."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__(stream.read())


def inspect_zipped_h5(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    where: str,
    limits: Limits,
    stored: StoredWeights | None = None,
) -> list[Finding]:
    """Inspect an HDF5 member in place when stored (as Keras stores it), else from a
    temporary copy, since seeking back in a deflated stream re-inflates it (and a
    damaged member fails in the copy, where the zip library's errors are reported).

    A stored member is read straight from the file (:mod:`layerhub.archive.members`):
    ``zipfile``'s own stream re-reads a member from its start on every backward seek,
    which made scanning 1 GiB of weights take seconds (benchmarks/results.md).
    """
    location = f"{where}!{info.filename}"
    refuse_encrypted(info, where)
    member = stored_member(zf.filename, info) if zf.filename else None
    if member is not None:
        with MemberReader(member) as stream:
            return inspect_h5(stream, location, info.file_size, limits, info.filename, stored)
    # Compressed, or stored but not whole in the file (a damaged local header or a
    # member cut short): copied out through the zip library, which reports the damage.
    # Read in place, a cut-short member raised EOFError from inside the HDF5 walk.
    with zip_io(where, zf.open, info) as stream:
        import shutil
        import tempfile

        with tempfile.TemporaryFile() as copy:
            zip_io(where, shutil.copyfileobj, stream, copy)
            copy.seek(0)
            return inspect_h5(copy, location, info.compress_size, limits, info.filename, stored)
