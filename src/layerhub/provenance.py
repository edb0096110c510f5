"""Provenance: the ``layerhub.json`` manifest ``save_model`` adds to a ``.keras`` archive.

For each custom object the model references it records the registered name, the
distribution and version that provided it, and the sha256 of its config schema; plus
the layerhub, keras and backend versions. Keras ignores members it does not know, so
plain ``keras.saving.load_model`` still loads the file. ``layerhub.load_model`` reads the
manifest back to warn about providers installed at another major version
(:func:`check`), and to name the exact ``dist==version`` to install when a provider is
missing (:func:`layerhub.index.requirements_for`).
"""

from __future__ import annotations

import hashlib
import json
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .archive import MANIFEST_MEMBER, read_archive
from .errors import CorruptArchiveError, ProvenanceWarning, SchemaError
from .index import CURATED, TRUSTED
from .index import check as check_schema
from .plugins import get_registry
from .references import custom_references
from .registry import Entry, SchemaRef
from .schemas import load_schema

FORMAT = 1


def schema_dict(schema: SchemaRef | None) -> Mapping[str, Any] | None:
    """The schema itself: a ``"package:path.json"`` reference is read from the package."""
    return None if schema is None else load_schema(schema)


def schema_sha256(schema: SchemaRef | None) -> str | None:
    """sha256 of the schema's canonical JSON (sorted keys, no spaces); ``None`` without a
    readable one (a broken schema file is its plugin's warning, never a failed save)."""
    try:
        schema = schema_dict(schema)
    except SchemaError:
        return None
    if schema is None:
        return None
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def source_of(entry: Entry) -> str:
    return {TRUSTED: "trusted", CURATED: "curated"}.get(entry.provider.plugin, "entry-point")


def entry_record(name: str, entry: Entry) -> dict[str, Any]:
    """Who provides ``name`` and with what: the manifest line, and the core of ``show``."""
    return {
        "name": name,
        "distribution": entry.provider.distribution,
        "version": entry.provider.version,
        "source": source_of(entry),
        "target": entry.target_path,
        "schema_sha256": schema_sha256(entry.schema),
    }


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


def manifest_for(config: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest of a model whose saved config is ``config``."""
    import keras

    from . import __version__

    registry = get_registry()
    names = dict.fromkeys(r.name for r in custom_references(config))
    return {
        "format": FORMAT,
        "layerhub_version": __version__,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "objects": [record(name, registry.get(name)) for name in names],
    }


def add_manifest(path: Path) -> None:
    """Append the manifest to the ``.keras`` zip Keras just wrote at ``path``."""
    manifest = manifest_for(read_archive(path).config)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST_MEMBER, json.dumps(manifest, indent=1) + "\n")


def check(manifest: Mapping[str, Any] | None, source: str = "") -> None:
    """Validate ``manifest`` and warn for each provider installed at another major version."""
    if manifest is None:
        return
    import importlib_metadata

    where = f"{source}!{MANIFEST_MEMBER}" if source else MANIFEST_MEMBER
    check_schema(manifest, "manifest.schema.json", where, CorruptArchiveError)
    providers: dict[tuple[str, str], list[str]] = {}
    for obj in manifest["objects"]:
        if obj.get("distribution") and obj.get("version"):
            providers.setdefault((obj["distribution"], obj["version"]), []).append(obj["name"])
    for (dist, recorded), names in providers.items():
        try:
            installed = importlib_metadata.version(dist)
        except importlib_metadata.PackageNotFoundError:
            continue  # missing providers surface as MissingObjectsError, with the requirement
        if major(installed) != major(recorded):
            shown = ", ".join(repr(n) for n in names[:3]) + (" ..." if len(names) > 3 else "")
            warnings.warn(
                f"layerhub: {source or 'the model'} was saved with {dist}=={recorded} "
                f"providing {len(names)} object(s) ({shown}), but {dist} {installed} is "
                f"installed (another major version); to load it as saved: "
                f"pip install '{dist}=={recorded}'",
                ProvenanceWarning,
                stacklevel=3,
            )


def major(version: str) -> int | str:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version).major
    except InvalidVersion:
        return version
