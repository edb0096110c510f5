"""Reading ``.keras`` archives (zip or unzipped directory) and legacy ``.h5`` files safely.

Nothing here imports keras: ``scan``, ``validate`` and the first stage of
``load_model`` read a model's config without building it. The reader trusts nothing
the file declares:

- a file that is not a readable archive (not a zip, truncated, encrypted, members
  missing or not JSON) raises :class:`~layerhub.CorruptArchiveError`;
- a file that asks for more than :class:`Limits` allow (too many members, members or
  a config too large, a suspicious compression ratio, JSON nested too deeply) raises
  :class:`~layerhub.UnsafeArchiveError` before anything large is read;
- hazards that do not stop the reading itself (member names with ``..``, absolute
  paths, backslashes, duplicates or outside the Keras layout; HDF5 external links,
  external storage, virtual datasets, absurd declared shapes) are returned as
  :attr:`ModelArchive.findings` for ``scan`` to report and the policy to refuse.

Every message is one line naming the file and the member.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import os
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from .errors import ConfigurationError, CorruptArchiveError, UnsafeArchiveError
from .findings import Finding, Severity
from .zipmember import MemberReader, stored_member

CONFIG_MEMBER = "config.json"
METADATA_MEMBER = "metadata.json"
WEIGHTS_MEMBER = "model.weights.h5"
NPZ_WEIGHTS_MEMBER = "model.weights.npz"
MANIFEST_MEMBER = "layerhub.json"
ASSETS_DIR = "assets/"
H5_SUFFIXES = (".h5", ".hdf5")
#: Members Keras 3 writes (``saving_lib``) plus layerhub's own manifest.
KNOWN_MEMBERS = frozenset(
    {CONFIG_MEMBER, METADATA_MEMBER, WEIGHTS_MEMBER, NPZ_WEIGHTS_MEMBER, MANIFEST_MEMBER}
)
#: Whatever a zip library may raise on a damaged file; each becomes a CorruptArchiveError.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    struct.error,
    OverflowError,
    KeyError,
    IndexError,
)

#: Fixed part of a zip local file header, before the name and the extra field.
LOCAL_HEADER_BYTES = 30
#: Keras cannot load an archive without weights; reading its config is still useful
#: (``resolve``, ``validate``), so this is a finding rather than an error.
MISSING_WEIGHTS = Finding(
    "missing-weights",
    Severity.HIGH,
    f"no {WEIGHTS_MEMBER} or {NPZ_WEIGHTS_MEMBER}: Keras cannot load this archive",
    f"member:{WEIGHTS_MEMBER}",
)
MiB = 1024 * 1024
GiB = 1024 * MiB


class Limits(NamedTuple):
    """Bounds on what a file may ask of the reader.

    Each field has an environment variable ``LAYERHUB_<FIELD>`` (upper case) that
    overrides its default, e.g. ``LAYERHUB_MAX_CONFIG_BYTES=100000000``;
    ``LAYERHUB_ALLOWED_MEMBERS`` is a comma-separated list of glob patterns.
    """

    #: zip members, or HDF5 objects walked.
    max_members: int = 10_000
    #: uncompressed size of one zip member, and declared size of one HDF5 dataset.
    max_member_bytes: int = 16 * GiB
    #: uncompressed size of all zip members together.
    max_total_bytes: int = 32 * GiB
    #: uncompressed / compressed size of a zip member (or declared / file size of an
    #: HDF5 dataset), checked only for members larger than ``ratio_floor_bytes``.
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 16 * MiB
    #: size of ``config.json`` (and ``metadata.json``, the manifest, an h5 model_config).
    max_config_bytes: int = 32 * MiB
    #: nesting of JSON arrays and objects in the config.
    max_json_depth: int = 100
    #: glob patterns of extra zip members to accept besides the Keras layout.
    allowed_members: tuple[str, ...] = ()

    @classmethod
    def from_env(cls) -> Limits:
        values: dict[str, Any] = {}
        for name in cls._fields:
            var = f"LAYERHUB_{name.upper()}"
            text = os.environ.get(var, "").strip()
            if not text:
                continue
            if name == "allowed_members":
                values[name] = tuple(p.strip() for p in text.split(",") if p.strip())
                continue
            try:
                values[name] = float(text) if name == "max_ratio" else int(text)
            except ValueError:
                raise ConfigurationError(f"{var}: expected a number, got {text!r}") from None
        return cls(**values)


class ModelArchive(NamedTuple):
    """What layerhub needs from a saved model, read once: its config and metadata."""

    path: str
    format: str  # "keras" (zip), "keras-dir" or "h5"
    config: dict[str, Any]
    metadata: dict[str, Any] | None = None
    manifest: dict[str, Any] | None = None
    #: hazards found while reading (member names, HDF5 links and shapes).
    findings: tuple[Finding, ...] = ()


def read_archive(path: str | os.PathLike[str], limits: Limits | None = None) -> ModelArchive:
    """Read the model config (and metadata, and layerhub's manifest) of a saved model."""
    limits = limits or Limits.from_env()
    location = os.fspath(path)
    p = Path(location)
    if not p.exists():
        raise CorruptArchiveError(f"{location}: no such file or directory")
    if p.is_dir():
        return read_directory(p, limits)
    if p.suffix.lower() in H5_SUFFIXES:
        return read_h5(p, limits)
    return read_zip(p, limits)


def parse_json(data: bytes, where: str, limits: Limits | None = None) -> Any:
    """``json.loads`` that fails with a one-line CorruptArchiveError, never RecursionError."""
    max_depth = (limits or Limits()).max_json_depth
    try:
        value = json.loads(data)
    except RecursionError:
        raise UnsafeArchiveError(
            f"{where}: JSON nested deeper than {max_depth} levels", [too_deep(where, max_depth)]
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptArchiveError(f"{where}: not valid JSON ({exc})") from None
    if json_depth(value, max_depth) > max_depth:
        raise UnsafeArchiveError(
            f"{where}: JSON nested deeper than {max_depth} levels "
            "(raise LAYERHUB_MAX_JSON_DEPTH if the file is trusted)",
            [too_deep(where, max_depth)],
        )
    return value


def too_deep(where: str, max_depth: int) -> Finding:
    return Finding("json-depth", Severity.HIGH, f"JSON nested deeper than {max_depth}", where)


def json_depth(value: Any, stop: int) -> int:
    """Nesting depth of a parsed JSON value, one level at a time (no recursion, and the
    per-node work stays in C: this runs on every config read); stops past ``stop``."""
    depth = 0
    level = [value]
    while True:
        containers = [node for node in level if isinstance(node, dict | list)]
        if not containers:
            return depth
        depth += 1
        if depth > stop:
            return depth
        level = []
        for node in containers:
            level.extend(node.values() if isinstance(node, dict) else node)


def parse_config(data: bytes, where: str, limits: Limits | None = None) -> dict[str, Any]:
    config = parse_json(data, where, limits)
    if not isinstance(config, dict):
        raise CorruptArchiveError(f"{where}: expected a JSON object, got {type(config).__name__}")
    return config


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


def limit_error(message: str, code: str, location: str, setting: str) -> UnsafeArchiveError:
    finding = Finding(code, Severity.CRITICAL, message, location)
    return UnsafeArchiveError(
        f"{message} (raise LAYERHUB_{setting} if the file is trusted)", [finding]
    )


def read_zip(p: Path, limits: Limits) -> ModelArchive:
    where = str(p)
    try:
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
            check_zip_sizes(infos, where, limits)
            names = [info.filename for info in infos]
            findings = member_name_findings(names, limits)
            if CONFIG_MEMBER not in names:
                raise CorruptArchiveError(f"{where}: not a Keras archive (no {CONFIG_MEMBER})")
            if WEIGHTS_MEMBER not in names and NPZ_WEIGHTS_MEMBER not in names:
                findings.append(MISSING_WEIGHTS)

            def member(name: str) -> dict[str, Any] | None:
                if name not in names:
                    return None
                info = zf.getinfo(name)
                if info.file_size > limits.max_config_bytes:
                    raise limit_error(
                        f"{where}!{name}: {info.file_size} bytes uncompressed, over the "
                        f"limit of {limits.max_config_bytes}",
                        "config-too-large",
                        f"member:{name}",
                        "MAX_CONFIG_BYTES",
                    )
                return parse_config(zf.read(info), f"{where}!{name}", limits)

            config = member(CONFIG_MEMBER)
            assert config is not None
            metadata = member(METADATA_MEMBER)
            manifest = member(MANIFEST_MEMBER)
            if WEIGHTS_MEMBER in names:
                findings += inspect_zipped_h5(zf, zf.getinfo(WEIGHTS_MEMBER), where, limits)
    except (CorruptArchiveError, UnsafeArchiveError):
        raise
    except ZIP_ERRORS as exc:
        raise CorruptArchiveError(
            f"{where}: not a readable zip archive ({type(exc).__name__}: {exc})"
        ) from None
    return ModelArchive(str(p), "keras", config, metadata, manifest, tuple(findings))


def inspect_zipped_h5(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, limits: Limits
) -> list[Finding]:
    """Inspect an HDF5 member in place when stored (as Keras stores it), else from a
    temporary copy, since seeking back in a deflated stream re-inflates it.

    A stored member is read straight from the file (:mod:`layerhub.zipmember`):
    ``zipfile``'s own stream re-reads a member from its start on every backward seek,
    which made scanning 1 GiB of weights take seconds (benchmarks/results.md).
    """
    location = f"{where}!{info.filename}"
    member = stored_member(zf.filename, info) if zf.filename else None
    if member is not None:
        with MemberReader(member) as stream:
            return inspect_h5(stream, location, info.file_size, limits, info.filename)
    with zf.open(info) as stream:
        if info.compress_type == zipfile.ZIP_STORED:
            return inspect_h5(stream, location, info.file_size, limits, info.filename)
        import shutil
        import tempfile

        with tempfile.TemporaryFile() as copy:
            shutil.copyfileobj(stream, copy)
            copy.seek(0)
            return inspect_h5(copy, location, info.compress_size, limits, info.filename)


def read_directory(p: Path, limits: Limits) -> ModelArchive:
    """An unzipped ``.keras`` directory (what ``saving_lib`` writes for a directory path)."""

    def member(name: str) -> dict[str, Any] | None:
        file = p / name
        if not file.is_file():
            return None
        if file.is_symlink():
            message = f"{file}: a symbolic link, which may point anywhere"
            raise UnsafeArchiveError(
                message, [Finding("symlink", Severity.CRITICAL, message, f"member:{name}")]
            )
        if file.stat().st_size > limits.max_config_bytes:
            raise limit_error(
                f"{file}: over the limit of {limits.max_config_bytes} bytes",
                "config-too-large",
                f"member:{name}",
                "MAX_CONFIG_BYTES",
            )
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CorruptArchiveError(f"{file}: unreadable ({exc})") from None
        return parse_config(data, str(file), limits)

    config = member(CONFIG_MEMBER)
    if config is None:
        raise CorruptArchiveError(f"{p}: not a Keras archive directory (no {CONFIG_MEMBER})")
    findings: list[Finding] = []
    weights = p / WEIGHTS_MEMBER
    if not weights.is_file() and not (p / NPZ_WEIGHTS_MEMBER).is_file():
        findings.append(MISSING_WEIGHTS)
    if weights.is_file():
        with open(weights, "rb") as fh:
            size = weights.stat().st_size
            findings += inspect_h5(fh, str(weights), size, limits, WEIGHTS_MEMBER)
    return ModelArchive(
        str(p),
        "keras-dir",
        config,
        member(METADATA_MEMBER),
        member(MANIFEST_MEMBER),
        tuple(findings),
    )


def read_h5(p: Path, limits: Limits) -> ModelArchive:
    """A legacy Keras 2 ``.h5`` model: the config lives in the ``model_config`` attribute."""
    import h5py

    from .hdf5 import H5_ERRORS, inspect_file

    where = str(p)
    try:
        with h5py.File(p, "r") as f:
            findings = inspect_file(f, where, p.stat().st_size, limits)
            raw = None
            if "model_config" in f.attrs:
                size = f.attrs.get_id("model_config").get_storage_size()
                if size > limits.max_config_bytes:
                    raise limit_error(
                        f"{where}:model_config: {size} bytes, over the limit of "
                        f"{limits.max_config_bytes}",
                        "config-too-large",
                        "h5:/@model_config",
                        "MAX_CONFIG_BYTES",
                    )
                raw = f.attrs["model_config"]
            extra = {k: _label(f.attrs[k]) for k in ("keras_version", "backend") if k in f.attrs}
    except (CorruptArchiveError, UnsafeArchiveError):
        raise
    except H5_ERRORS as exc:
        raise CorruptArchiveError(
            f"{where}: not a readable HDF5 file ({type(exc).__name__}: {exc})"
        ) from None
    if raw is None:
        raise CorruptArchiveError(
            f"{where}: an HDF5 file without a model config (a weights-only file?)"
        )
    text = _text(raw)
    config = parse_config(text.encode(), f"{where}:model_config", limits)
    return ModelArchive(where, "h5", config, extra or None, None, tuple(findings))


def inspect_h5(fileobj: Any, where: str, size: int, limits: Limits, member: str) -> list[Finding]:
    """Hazards of an HDF5 weights file held in a zip member or a directory.

    The pure reader answers for the files Keras and h5py write by default, without
    importing h5py or numpy; anything it does not fully understand goes to h5py.
    """
    from .hdf5 import H5_ERRORS, inspect_file, inspect_layout
    from .hdf5_layout import Unsupported

    try:
        return inspect_layout(fileobj, where, size, limits, member)
    except Unsupported:
        fileobj.seek(0)
    import h5py

    try:
        with h5py.File(fileobj, "r") as f:
            return inspect_file(f, where, size, limits, member)
    except UnsafeArchiveError:
        raise
    except H5_ERRORS as exc:
        raise CorruptArchiveError(
            f"{where}: not a readable HDF5 file ({type(exc).__name__}: {exc})"
        ) from None


def _label(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    raise CorruptArchiveError(f"model_config is a {type(value).__name__}, not text")
