"""Reading a legacy Keras 2 ``.h5`` model: the config lives in the ``model_config`` attribute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import CorruptArchiveError
from .hdf5_hazards import inspect_file, reading_h5
from .jsondoc import parse_config
from .layout import ModelArchive, StoredWeights
from .limits import Limits, limit_error

__all__ = ["read_h5"]


def read_h5(p: Path, limits: Limits) -> ModelArchive:
    """The config of the legacy model ``p``, and the hazards of its HDF5 structure.

    Only the calls into h5py are read as a damaged file (:func:`reading_h5`): anything
    else raised here is a bug in layerhub and reported as one.
    """
    import h5py

    where = str(p)
    with reading_h5(where):
        f = h5py.File(p, "r")
    with f:
        stored = StoredWeights(size=p.stat().st_size)
        findings = inspect_file(f, where, stored.bytes, limits, stored=stored)
        with reading_h5(where):
            attrs = f.attrs
            has_config = "model_config" in attrs
            size = attrs.get_id("model_config").get_storage_size() if has_config else 0
        if size > limits.max_config_bytes:
            raise limit_error(
                f"{where}:model_config: {size} bytes, over the limit of {limits.max_config_bytes}",
                "config-too-large",
                "h5:/@model_config",
                "MAX_CONFIG_BYTES",
            )
        with reading_h5(where):
            raw = attrs["model_config"] if has_config else None
            labels = {k: attrs[k] for k in ("keras_version", "backend") if k in attrs}
    extra = {k: _label(v) for k, v in labels.items()}
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
