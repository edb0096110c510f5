"""Reading ``.keras`` archives (zip or unzipped directory) and legacy ``.h5`` files safely.

Nothing here imports keras: ``scan``, ``validate`` and the first stage of
``load_model`` read a model's config without building it. Every failure is a
:class:`~layerhub.errors.CorruptArchiveError` with a one-line message.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CorruptArchiveError

CONFIG_MEMBER = "config.json"
METADATA_MEMBER = "metadata.json"
WEIGHTS_MEMBER = "model.weights.h5"
MANIFEST_MEMBER = "layerhub.json"
H5_SUFFIXES = (".h5", ".hdf5")


@dataclass(frozen=True)
class Limits:
    """Bounds on what an archive may ask of the reader. ``LAYERHUB_MAX_*`` variables override."""

    max_config_bytes: int = 64 * 1024 * 1024

    @classmethod
    def from_env(cls) -> Limits:
        value = os.environ.get("LAYERHUB_MAX_CONFIG_BYTES")
        return cls(max_config_bytes=int(value)) if value else cls()


@dataclass(frozen=True)
class ModelArchive:
    """What layerhub needs from a saved model, read once: its config and metadata."""

    path: str
    format: str  # "keras" (zip), "keras-dir" or "h5"
    config: dict[str, Any]
    metadata: dict[str, Any] | None = None
    manifest: dict[str, Any] | None = None


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


def parse_json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise CorruptArchiveError(f"{where}: JSON nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptArchiveError(f"{where}: not valid JSON ({exc})") from None


def parse_config(data: bytes, where: str) -> dict[str, Any]:
    config = parse_json(data, where)
    if not isinstance(config, dict):
        raise CorruptArchiveError(f"{where}: expected a JSON object, got {type(config).__name__}")
    return config


def read_zip(p: Path, limits: Limits) -> ModelArchive:
    where = str(p)
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
            if CONFIG_MEMBER not in names:
                raise CorruptArchiveError(f"{where}: not a Keras archive (no {CONFIG_MEMBER})")

            def member(name: str) -> bytes:
                info = zf.getinfo(name)
                if info.file_size > limits.max_config_bytes:
                    raise CorruptArchiveError(
                        f"{where}!{name}: {info.file_size} bytes uncompressed, over the "
                        f"limit of {limits.max_config_bytes}"
                    )
                return zf.read(name)

            config = parse_config(member(CONFIG_MEMBER), f"{where}!{CONFIG_MEMBER}")
            metadata = (
                parse_config(member(METADATA_MEMBER), f"{where}!{METADATA_MEMBER}")
                if METADATA_MEMBER in names
                else None
            )
            manifest = (
                parse_config(member(MANIFEST_MEMBER), f"{where}!{MANIFEST_MEMBER}")
                if MANIFEST_MEMBER in names
                else None
            )
    except CorruptArchiveError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise CorruptArchiveError(f"{where}: not a readable zip archive ({exc})") from None
    return ModelArchive(str(p), "keras", config, metadata, manifest)


def read_directory(p: Path, limits: Limits) -> ModelArchive:
    def member(name: str) -> dict[str, Any] | None:
        file = p / name
        if not file.is_file():
            return None
        if file.stat().st_size > limits.max_config_bytes:
            raise CorruptArchiveError(f"{file}: over the limit of {limits.max_config_bytes} bytes")
        return parse_config(file.read_bytes(), str(file))

    config = member(CONFIG_MEMBER)
    if config is None:
        raise CorruptArchiveError(f"{p}: not a Keras archive directory (no {CONFIG_MEMBER})")
    return ModelArchive(
        str(p), "keras-dir", config, member(METADATA_MEMBER), member(MANIFEST_MEMBER)
    )


def read_h5(p: Path, limits: Limits) -> ModelArchive:
    import h5py

    where = str(p)
    try:
        with h5py.File(p, "r") as f:
            raw = f.attrs.get("model_config")
            extra = {k: _text(f.attrs[k]) for k in ("keras_version", "backend") if k in f.attrs}
    except OSError as exc:
        raise CorruptArchiveError(f"{where}: not a readable HDF5 file ({exc})") from None
    if raw is None:
        raise CorruptArchiveError(
            f"{where}: an HDF5 file without a model config (a weights-only file?)"
        )
    text = _text(raw)
    if len(text) > limits.max_config_bytes:
        raise CorruptArchiveError(f"{where}: model_config over {limits.max_config_bytes} bytes")
    config = parse_config(text.encode(), f"{where}:model_config")
    return ModelArchive(where, "h5", config, extra or None)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
