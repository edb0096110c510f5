"""``load_model`` and ``scope``: Keras deserialization with every plugin object in reach.

The load path: read the archive once (no keras) -> walk its config to every custom
reference -> import only the plugin targets those names need -> report everything
missing at once -> hand the objects to Keras in a thread-local custom-object scope.

Keras looks a registered name up in the thread-local custom-object scope first, then
in the global registry, then in ``custom_objects``; and while it deserializes nested
objects the global registry wins over both. Plugin modules register their classes
globally when imported, so to let the user win, ``precedence`` (1) never imports a
plugin target for a name the user supplies or registered, (2) puts user objects in the
scope with the plugin objects, and (3) hides a global registration the user's
``custom_objects`` overrides for the duration of the load.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from . import fastload, provenance
from .archive import read_archive
from .errors import (
    LayerhubError,
    MissingObject,
    MissingObjectsError,
    ModelLoadError,
    PluginWarning,
    UnsafeArchiveError,
)
from .index import EMPTY, requirements_for
from .plugins import get_registry
from .policy import check_archive
from .references import Reference, walk
from .schemas import raise_for_violations
from .sources import Source, classify


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
    :class:`~layerhub.ModelLoadError` when Keras itself fails on the file. Sources only
    Keras can open (remote URLs, ``hf://``, Orbax checkpoints) are loaded with every
    plugin object in :func:`scope`, and only with ``safe_mode=False``: layerhub cannot
    analyse them first. ``fast`` skips initializing weights the archive overwrites
    (:mod:`layerhub.fastload`); ``fast=False`` is Keras's own load, unchanged.
    """
    if classify(filepath) is Source.KERAS_ONLY:
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
    provenance.check(archive.manifest, archive.path)
    every = list(walk(archive.config))
    references = [r for r in every if r.custom]
    user = {**scoped_objects(r.name for r in references), **(custom_objects or {})}
    provided = {*user, *keras_registered_objects()}
    check_archive(archive, safe_mode=safe_mode, provided=provided, references=every)
    objects = resolve_references(references, user, source=archive.path, manifest=archive.manifest)
    if validate:
        raise_for_violations(references, get_registry(), skip=user, source=archive.path)

    import keras

    load = fastload.load_model if fast else keras.saving.load_model
    try:
        with user_objects_first(user), keras.saving.custom_object_scope({**objects, **user}):
            return load(filepath, custom_objects=user or None, compile=compile, safe_mode=safe_mode)
    except LayerhubError:
        raise
    except Exception as exc:
        message = " ".join(str(exc).split())[:500]
        raise ModelLoadError(
            f"{archive.path}: Keras could not load the model: {type(exc).__name__}: {message}"
        ) from exc


def resolve_references(
    references: Sequence[Reference],
    user: Mapping[str, Any],
    source: str = "",
    manifest: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """name -> plugin object for every reference the user does not supply.

    Raises :class:`MissingObjectsError` listing every name nothing provides, each with
    what to install (:func:`layerhub.index.requirements_for`: the archive's ``manifest``,
    the curated index, ``LAYERHUB_INDEX``).
    """
    registered_by_user = dict(keras_registered_objects())
    wanted = [r for r in references if r.name not in user and r.name not in registered_by_user]
    objects, failures = get_registry().resolve(dict.fromkeys(r.name for r in wanted))
    restore_registrations(registered_by_user)
    missing = [
        MissingObject(r.name, r.pointer, failures.get(r.name, ""))
        for r in wanted
        if r.name not in objects
    ]
    if missing:
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


def keras_registered_objects() -> Mapping[str, Any]:
    """What is registered with Keras globally (nothing can be before keras is imported)."""
    keras = imported_keras()
    return keras.saving.get_custom_objects() if keras is not None else {}


def imported_keras() -> Any:
    """keras if some thread imported it, else None; never a half-initialised module.

    While another thread runs ``import keras``, ``sys.modules`` already holds the
    partial module; importing it again waits on the import lock until it is complete.
    """
    if "keras" not in sys.modules:
        return None
    import keras

    return keras


def scoped_objects(names: Iterable[str]) -> dict[str, Any]:
    """Objects the caller put in a ``keras.saving.custom_object_scope`` around the load.

    Keras answers a name from the active scope before its global registry, so an answer
    that is not the global registration came from the user's scope.
    """
    keras = imported_keras()
    if keras is None:
        return {}
    registered = keras.saving.get_custom_objects()
    found = {}
    for name in names:
        obj = keras.saving.get_registered_object(name)
        if obj is not None and obj is not registered.get(name):
            found[name] = obj
    return found


def restore_registrations(before: Mapping[str, Any]) -> None:
    """Undo a plugin import that re-registered a name the user had registered themselves."""
    current = keras_registered_objects()
    for name, obj in before.items():
        if current.get(name) is not obj:
            current[name] = obj  # type: ignore[index]


_override_lock = threading.RLock()


@contextlib.contextmanager
def user_objects_first(user: Mapping[str, Any]) -> Iterator[None]:
    """Hide global registrations that the user's ``custom_objects`` override.

    Keras lets the global registry beat ``custom_objects`` for nested objects; while
    the user's objects are in use their global namesakes step aside (serialized
    between threads by a lock, and restored however the block ends).
    """
    registered = keras_registered_objects()
    hidden = {n: registered[n] for n in user if n in registered and registered[n] is not user[n]}
    if not hidden:
        yield
        return
    with _override_lock:
        for name in hidden:
            del registered[name]  # type: ignore[attr-defined]
        try:
            yield
        finally:
            registered.update(hidden)  # type: ignore[attr-defined]


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


@contextlib.contextmanager
def scope(custom_objects: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Make every registered plugin object available to Keras deserialization inside.

    ``model_from_json``, ``clone_model``, ``deserialize_keras_object`` and
    ``from_config`` all see the plugin objects. Imports every plugin target; one that
    fails to import is skipped with a :class:`~layerhub.PluginWarning`. Objects the
    user registered with Keras and ``custom_objects`` win over plugins. Thread-local,
    like Keras's own scopes.
    """
    import keras

    user = dict(custom_objects or {})
    registered_by_user = dict(keras_registered_objects())
    registry = get_registry()
    names = [n for n in registry.names() if n not in user and n not in registered_by_user]
    objects, failures = registry.resolve(names)
    restore_registrations(registered_by_user)
    for reason in failures.values():
        warnings.warn(f"layerhub: {reason}", PluginWarning, stacklevel=3)
    visible = {**objects, **user}
    with user_objects_first(user), keras.saving.custom_object_scope(visible):
        yield visible
