"""Reading a legacy Keras 2 ``.h5`` model: the config lives in the ``model_config`` attribute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import CorruptArchiveError, UnsafeArchiveError
from .hdf5_hazards import H5_ERRORS, inspect_file
from .jsondoc import parse_config
from .layout import ModelArchive, StoredWeights
from .limits import Limits, limit_error

__all__ = ["read_h5"]


def read_h5(p: Path, limits: Limits) -> ModelArchive:
    """The config of the legacy model ``p``, and the hazards of its HDF5 structure."""
    import h5py

    where = str(p)
    try:
        with h5py.File(p, "r") as f:
            stored = StoredWeights(size=p.stat().st_size)
            findings = inspect_file(f, where, stored.bytes, limits, stored=stored)
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
    return ModelArchive(where, "h5", config, extra or None, None, tuple(findings), stored)


def _label(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    raise CorruptArchiveError(f"model_config is a {type(value).__name__}, not text")
