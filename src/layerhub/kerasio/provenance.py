"""Provenance: the ``layerhub.json`` manifest ``save_model`` adds to a ``.keras`` archive
(and ``save_to_preset`` to a KerasHub preset while layerhub is active: :mod:`.presets`).

For each custom object the model references it records the registered name, the
distribution and version that provided it, and the sha256 of its config schema; plus
the layerhub, keras and backend versions; and, for a model ``load_model`` fetched from
the Hugging Face Hub, the repository and commit it came from (``source``). Keras ignores
members it does not know, so plain ``keras.saving.load_model`` still loads the file.
Reading it back, which needs no keras, is :mod:`layerhub.index.manifest`.
"""

from __future__ import annotations

import json
import weakref
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..archive.layout import MANIFEST_MEMBER
from ..archive.reader import read_archive
from ..index.manifest import FORMAT
from ..plugins.describe import entry_record
from ..plugins.discovery import get_registry
from ..plugins.registry import Entry
from ..references.walk import custom_references
from ..version import __version__

__all__ = ["add_manifest", "manifest_for", "record", "remember_source", "source_of"]

#: model -> where ``load_model`` got it (the manifest's ``source``), for as long as it lives.
SOURCES: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def remember_source(model: Any, source: dict[str, Any]) -> None:
    """Record where ``model`` was loaded from: ``source_of`` and a later save report it."""
    SOURCES[model] = source


def source_of(model: Any) -> dict[str, Any] | None:
    """The repository, revision and commit ``model`` was loaded from, if from the Hub."""
    try:
        return SOURCES.get(model)
    except TypeError:  # not weak-referenceable: never recorded
        return None


def record(name: str, entry: Entry | None) -> dict[str, Any]:
    """The manifest line for one registered name."""
    if entry is not None and entry.provider.version:
        return entry_record(name, entry)
    # Not from layerhub: registered with Keras by code the user imported. Its module
    # still tells which installed distribution (if any) it came from.
    import importlib_metadata
    import keras

    obj = keras.saving.get_registered_object(name)
    module = getattr(obj, "__module__", None) or ""
    dists = importlib_metadata.packages_distributions().get(module.partition(".")[0], [])
    if obj is None or not dists:
        return {"name": name, "distribution": None, "version": None, "source": None}
    dist = importlib_metadata.distribution(dists[0])
    return {
        "name": name,
        "distribution": dist.name,
        "version": dist.version,
        "source": "keras-registry",
        "target": f"{module}:{getattr(obj, '__qualname__', '')}",
        "schema_sha256": None,
    }


def manifest_for(config: Any, source: Mapping[str, Any] | None = None) -> dict:
    """The manifest of a model whose saved config is ``config`` (or a list of configs: a
    KerasHub preset's), loaded from ``source``."""
    import keras

    registry = get_registry()
    names = dict.fromkeys(r.name for r in custom_references(config))
    manifest = {
        "format": FORMAT,
        "layerhub_version": __version__,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "objects": [record(name, registry.get(name)) for name in names],
    }
    if source:
        manifest["source"] = dict(source)
    return manifest


def add_manifest(path: Path, source: Mapping[str, Any] | None = None) -> None:
    """Append the manifest to the ``.keras`` zip Keras just wrote at ``path``."""
    manifest = manifest_for(read_archive(path).config, source)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST_MEMBER, json.dumps(manifest, indent=1) + "\n")
