"""``save_model``: ``model.save`` that never leaves a damaged or missing previous file,
and records in a ``.keras`` archive which distribution provided each custom object
(:mod:`layerhub.provenance`).

Keras writes the archive to a temporary file beside the target, which then replaces
the target in one atomic rename. A failure at any point (an exception, a full disk, a
killed process) leaves the previous file as it was.
"""

from __future__ import annotations

import contextlib
import os
import uuid
import zipfile
from pathlib import Path
from typing import Any

from .plugins import get_registry
from .provenance import add_manifest
from .schemas import validate_model


def save_model(
    model: Any,
    filepath: str | os.PathLike[str],
    overwrite: bool = True,
    *,
    validate: bool = True,
    **kwargs: Any,
) -> None:
    """Save ``model`` like :meth:`keras.Model.save`, atomically, with a provenance manifest.

    First, every plugin object's ``get_config()`` is validated against its plugin's
    schema: a :class:`~layerhub.SchemaViolationError` leaves any previous file untouched
    (``validate=False`` skips the check).
    """
    target = Path(filepath)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists and overwrite=False")
    if validate:
        validate_model(model, get_registry(), source=str(target))
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp{target.suffix}")
    try:
        model.save(temporary, **kwargs)
        if zipfile.is_zipfile(temporary):
            add_manifest(temporary)
        fsync(temporary)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def fsync(path: Path) -> None:
    """Flush the written bytes to disk before the rename makes them the file."""
    with open(path, "rb") as f:
        os.fsync(f.fileno())
