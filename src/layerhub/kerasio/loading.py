"""``load_model``, ``model_from_json`` and ``scope``: Keras deserialization with every
plugin object in reach.

The load path: read the archive once (no keras) -> walk its config to every custom
reference -> refuse what the policy refuses -> import only the plugin targets those
names need, reporting everything missing at once -> validate their configs -> hand the
objects to Keras in a thread-local custom-object scope, the user's objects first
(:mod:`layerhub.kerasio.precedence`).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..archive.jsondoc import parse_config
from ..archive.reader import read_archive
from ..archive.sources import Source, classify_source
from ..errors import (
    LayerhubError,
    MissingObject,
    MissingObjectsError,
    ModelLoadError,
    PluginWarning,
    UnsafeArchiveError,
)
from ..index.document import EMPTY
from ..index.manifest import check_manifest
from ..index.requirements import requirements_for
from ..plugins.discovery import get_registry
from ..references.walk import Reference, custom_references, walk
from ..safety.policy import check_archive
from ..schemas.plugin import raise_for_violations
from . import fastload
from .backend import import_keras
from .precedence import Precedence


def load_model(
    filepath: str | os.PathLike[str],
    custom_objects: Mapping[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
    *,
    validate: bool = True,
    fast: bool = True,
) -> Any:
    """Load a model saved by Keras, importing exactly the plugin objects it needs.

    A drop-in for :func:`keras.saving.load_model`: takes what it takes (``str`` or
    ``pathlib.Path``; ``.keras`` zips, unzipped ``.keras`` directories, ``.h5``) and
    returns what it returns. Before Keras runs, a local file gets the same analysis as
    ``layerhub scan``: under ``safe_mode=True`` anything unsafe raises
    :class:`~layerhub.UnsafeArchiveError` (for legacy ``.h5`` too, where Keras ignores
    ``safe_mode``); ``safe_mode=False`` is the opt-out for trusted files. Raises
    :class:`~layerhub.MissingObjectsError` naming every unresolvable object at once,
    :class:`~layerhub.SchemaViolationError` naming every plugin object config that breaks
    its plugin's schema (before Keras builds anything; ``validate=False`` skips it), and
    :class:`~layerhub.ModelLoadError` when Keras itself fails on the file (and
    :class:`~layerhub.errors.MissingDependencyError` when Keras's backend is not installed).
    Sources only Keras can open (remote URLs, ``hf://``, Orbax checkpoints) are loaded with every
    plugin object in :func:`scope`, and only with ``safe_mode=False``: layerhub cannot
    analyse them first. ``fast`` skips initializing weights the archive overwrites
    (:mod:`layerhub.kerasio.fastload`); ``fast=False`` is Keras's own load, unchanged.
    """
    if classify_source(filepath) is Source.KERAS_ONLY:
        if safe_mode:
            raise UnsafeArchiveError(
                f"{os.fspath(filepath)}: layerhub cannot inspect a remote, hf:// or Orbax "
                "source before Keras runs it; download it and load the local file, or pass "
                "safe_mode=False if you trust it"
            )
        import keras

        with scope(custom_objects):
            return keras.saving.load_model(
                filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
            )
    archive = read_archive(filepath)
    check_manifest(archive.manifest, archive.path)
    every = list(walk(archive.config))
    references = [r for r in every if r.custom]
    precedence = Precedence(custom_objects, scoped_names=(r.name for r in references))
    check_archive(archive, safe_mode=safe_mode, provided=precedence.provided, references=every)
    objects = resolve_references(references, precedence, archive.path, archive.manifest)
    if validate:
        raise_for_violations(references, get_registry(), skip=precedence.user, source=archive.path)

    keras = import_keras()
    load = fastload.fast_load_model if fast else keras.saving.load_model
    user = precedence.user or None
    try:
        with precedence.applied(objects):
            return load(filepath, custom_objects=user, compile=compile, safe_mode=safe_mode)
    except LayerhubError:
        raise
    except Exception as exc:
        message = " ".join(str(exc).split())[:500]
        raise ModelLoadError(
            f"{archive.path}: Keras could not load the model: {type(exc).__name__}: {message}"
        ) from exc


def model_from_json(json_string: str, custom_objects: Mapping[str, Any] | None = None) -> Any:
    """Build an (uncompiled, freshly initialised) model from ``model.to_json()`` output.

    A drop-in for :func:`keras.models.model_from_json`, and the JSON-string twin of
    :func:`load_model`: it imports only the plugin objects the JSON references and
    reports everything missing at once. User ``custom_objects`` (and an enclosing
    ``custom_object_scope``) win over plugins. Malformed JSON raises
    :class:`~layerhub.CorruptArchiveError`, a ``ValueError`` like Keras's.
    """
    text = json_string.encode() if isinstance(json_string, str) else json_string
    config = parse_config(text, "model JSON")
    references = custom_references(config)
    precedence = Precedence(custom_objects, scoped_names=(r.name for r in references))
    objects = resolve_references(references, precedence, "model JSON")

    keras = import_keras()
    with precedence.applied(objects):
        return keras.models.model_from_json(json_string, custom_objects=precedence.user or None)


@contextlib.contextmanager
def scope(custom_objects: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Make every registered plugin object available to Keras deserialization inside.

    ``model_from_json``, ``clone_model``, ``deserialize_keras_object`` and
    ``from_config`` all see the plugin objects. Imports every plugin target; one that
    fails to import is skipped with a :class:`~layerhub.PluginWarning`. Objects the
    user registered with Keras and ``custom_objects`` win over plugins. Thread-local,
    like Keras's own scopes.
    """
    import keras  # noqa: F401 -- what the user registered is known once keras is imported

    precedence = Precedence(custom_objects)
    registry = get_registry()
    objects, failures = precedence.resolve(registry, registry.names())
    for reason in failures.values():
        warnings.warn(f"layerhub: {reason}", PluginWarning, stacklevel=3)
    with precedence.applied(objects) as visible:
        yield visible


def resolve_references(
    references: Sequence[Reference],
    precedence: Precedence,
    source: str = "",
    manifest: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """name -> plugin object for every reference the user does not provide.

    Raises :class:`~layerhub.MissingObjectsError` listing every name nothing provides,
    each with what to install (:func:`layerhub.index.requirements.requirements_for`: the
    archive's ``manifest``, the curated index, ``LAYERHUB_INDEX``).
    """
    wanted = [r for r in references if r.name not in precedence.provided]
    objects, failures = precedence.resolve(get_registry(), (r.name for r in wanted))
    missing = [
        MissingObject(r.name, r.pointer, failures.get(r.name, ""))
        for r in wanted
        if r.name not in objects
    ]
    if missing:
        if failures:  # a plugin that failed to import may only lack Keras's backend
            import_keras()
        requirements = suggest_requirements([m.name for m in missing], manifest)
        missing = [m._replace(requirement=requirements.get(m.name)) for m in missing]
        raise MissingObjectsError(dedupe(missing), source)
    return objects


def suggest_requirements(names: Sequence[str], manifest: Mapping[str, Any] | None) -> dict:
    """What to install for ``names``; an unreachable ``LAYERHUB_INDEX`` only warns, so the
    error about the missing objects is never replaced by one about the index."""
    try:
        return requirements_for(names, manifest)
    except LayerhubError as exc:
        warnings.warn(f"layerhub: {exc}", PluginWarning, stacklevel=4)
        return requirements_for(names, manifest, index=EMPTY)


def dedupe(missing: Sequence[MissingObject]) -> list[MissingObject]:
    """One line per missing name: its first location, and how many more there are."""
    first: dict[str, MissingObject] = {}
    counts: dict[str, int] = {}
    for item in missing:
        first.setdefault(item.name, item)
        counts[item.name] = counts.get(item.name, 0) + 1
    result = []
    for name, item in first.items():
        extra = counts[name] - 1
        pointer = f"{item.pointer} (+{extra} more)" if extra else item.pointer
        result.append(MissingObject(name, pointer, item.reason, item.requirement))
    return result
