"""``load_model`` and ``scope``: Keras deserialization with every plugin object in reach.

The load path: read the archive once (no keras) -> walk its config to every custom
reference -> import only the plugin targets those names need -> report everything
missing at once -> hand the objects to Keras in a thread-local custom-object scope.

Keras's precedence is: thread-local custom-object scope, then the global registry,
then the ``custom_objects`` argument (for nested objects the global registry wins).
So user ``custom_objects`` go into the scope too, and plugin targets the user already
supplies are never imported: the user's objects win over plugins.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .archive import ModelArchive, read_archive
from .errors import MissingObject, MissingObjectsError, PluginWarning
from .plugins import get_registry
from .references import Reference, custom_references


def load_model(
    filepath: str | os.PathLike[str],
    custom_objects: Mapping[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
) -> Any:
    """Load a model saved by Keras, importing exactly the plugin objects it needs.

    A drop-in for :func:`keras.saving.load_model`. Raises
    :class:`~layerhub.MissingObjectsError` naming every unresolvable object at once.
    """
    user = dict(custom_objects or {})
    archive = read_archive(filepath)
    objects = resolve_archive(archive, user)

    import keras

    with keras.saving.custom_object_scope({**objects, **user}):
        return keras.saving.load_model(
            filepath, custom_objects=user or None, compile=compile, safe_mode=safe_mode
        )


def resolve_archive(archive: ModelArchive, user: Mapping[str, Any]) -> dict[str, Any]:
    """Import the plugin objects ``archive`` references; raise if any cannot be found."""
    references = custom_references(archive.config)
    return resolve_references(references, user, source=archive.path)


def resolve_references(
    references: Sequence[Reference], user: Mapping[str, Any], source: str = ""
) -> dict[str, Any]:
    """name -> object for every reference not supplied by ``user``; all failures at once."""
    wanted = [r for r in references if r.name not in user]
    objects, failures = get_registry().resolve(dict.fromkeys(r.name for r in wanted))
    already = keras_registered_names()
    missing = [
        MissingObject(r.name, r.pointer, failures.get(r.name, ""))
        for r in wanted
        if r.name not in objects and r.name not in already
    ]
    if missing:
        raise MissingObjectsError(dedupe(missing), source)
    return objects


def keras_registered_names() -> Mapping[str, Any]:
    """Names the user registered with Keras themselves (only possible once keras is imported)."""
    keras = sys.modules.get("keras")
    if keras is None:
        return {}
    return keras.saving.get_custom_objects()


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
    fails to import is skipped with a :class:`~layerhub.PluginWarning`. Objects
    already visible to Keras (the user's own scope or registrations) and
    ``custom_objects`` win over plugins. Thread-local, like Keras's own scopes.
    """
    import keras

    registry = get_registry()
    objects, failures = registry.resolve(registry.names())
    for reason in failures.values():
        warnings.warn(f"layerhub: {reason}", PluginWarning, stacklevel=3)
    visible = {
        name: obj
        for name, obj in objects.items()
        if keras.saving.get_registered_object(name) is None
    }
    visible.update(custom_objects or {})
    with keras.saving.custom_object_scope(visible):
        yield visible
