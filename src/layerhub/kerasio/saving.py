"""``save_model``: ``model.save`` that never leaves a damaged or missing previous file,
and records in a ``.keras`` archive which distribution provided each custom object
(:mod:`layerhub.kerasio.provenance`).

Keras writes the archive to a temporary file beside the target, which then replaces
the target in one atomic rename (:mod:`layerhub.atomic`). A failure at any point (an
exception, a full disk, a killed process) leaves the previous file as it was.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

from .. import atomic
from ..plugins.discovery import get_registry
from ..plugins.registry import Registry
from ..references.walk import custom_references
from ..schemas.plugin import raise_for_violations
from .provenance import add_manifest


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
    with atomic.replacing(target) as temporary:
        model.save(temporary, **kwargs)
        if zipfile.is_zipfile(temporary):
            add_manifest(temporary)


def validate_model(model: Any, registry: Registry, *, source: str = "") -> None:
    """Raise :class:`~layerhub.SchemaViolationError` if any plugin object's ``get_config()``
    in ``model`` breaks its schema: checks what ``model.save`` would write as config.json."""
    if not any(entry.schema is not None for entry in registry):
        return
    import keras  # the caller holds a Keras model, so keras is imported already

    # The JSON round trip is Keras's own (saving_lib dumps the serialized dict as is):
    # tuples become arrays, exactly as a later load will see them.
    config = json.loads(json.dumps(keras.saving.serialize_keras_object(model)))
    raise_for_violations(custom_references(config), registry, source=source)
