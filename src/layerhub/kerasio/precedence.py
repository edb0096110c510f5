"""How the user's objects win over plugin objects, in every Keras deserialization layerhub runs.

Keras looks a registered name up in the thread-local custom-object scope first, then
in its global registry, then in ``custom_objects``; and while it deserializes nested
objects the global registry wins over both. Plugin modules register their classes
globally when imported. So, for ``load_model``, ``model_from_json`` and ``scope`` alike,
:class:`Precedence`:

1. never imports a plugin target for a name the user supplies (``custom_objects``, an
   enclosing ``custom_object_scope``) or registered with Keras themselves, and undoes a
   plugin import that re-registered such a name;
2. puts the user's objects in the custom-object scope beside the plugin objects;
3. hides a global registration that the user's ``custom_objects`` overrides for the
   duration of the block (under a lock; restored however the block ends).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..plugins.registry import Registry

__all__ = ["Precedence"]


class Precedence:
    """The user's objects for one deserialization, and how plugin objects join them.

    ``scoped_names`` are names to look up in a ``keras.saving.custom_object_scope`` the
    caller opened around the call (``scope()`` itself opens none of its own to look in).
    """

    def __init__(
        self, custom_objects: Mapping[str, Any] | None, scoped_names: Iterable[str] = ()
    ) -> None:
        self.user: dict[str, Any] = {**scoped_objects(scoped_names), **(custom_objects or {})}
        self.registered_by_user: dict[str, Any] = dict(keras_registered_objects())
        #: Every name the user provides one way or another: plugins must not answer them.
        self.provided: frozenset[str] = frozenset({*self.user, *self.registered_by_user})

    def resolve(self, registry: Registry, names: Iterable[str]) -> tuple[dict, dict]:
        """Import the plugin targets of ``names`` the user does not provide.

        Returns ``(objects, failures)`` as :meth:`Registry.resolve` does.
        """
        result = registry.resolve(dict.fromkeys(n for n in names if n not in self.provided))
        restore_registrations(self.registered_by_user)
        return result

    @contextlib.contextmanager
    def applied(self, plugin_objects: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Inside, Keras sees ``plugin_objects`` and the user's objects, the user's first."""
        import keras

        visible = {**plugin_objects, **self.user}
        with user_objects_first(self.user), keras.saving.custom_object_scope(visible):
            yield visible


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
    """Objects the caller put in a ``keras.saving.custom_object_scope`` around the call.

    Keras answers a name from the active scope before its global registry, so an answer
    that is not the global registration came from the user's scope.
    """
    keras = imported_keras()
    if keras is None:
        return {}
    from .keras_own import keras_own

    lookup = keras_own().get_registered_object  # not the public name: activate() extends it
    registered = keras.saving.get_custom_objects()
    found = {}
    for name in names:
        obj = lookup(name)
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
