"""The switch for code that never calls layerhub: ``layerhub.activate()``.

MLflow's Keras flavour, serving and conversion tools and notebooks load models with
``keras.saving.load_model``. While layerhub is active, that call (and
``keras.models.load_model``, ``model_from_json``, and every name a
``deserialize_keras_object``, ``from_config``, ``clone_model`` or
``keras.saving.get_registered_object`` looks up) finds plugin objects, importing only
the plugins a model needs; a ``.keras`` or ``.h5`` load gets the same analysis as
:func:`layerhub.load_model`, because it is that function. KerasHub's ``from_preset``
gets that analysis too, and ``save_to_preset`` the provenance manifest (:mod:`.presets`,
installed the moment KerasHub's ``preset_utils`` is imported: :func:`after_import`).

``LAYERHUB_ACTIVATE=1`` turns it on at interpreter start: the wheel installs
``layerhub-activate.pth``, which checks the variable and, only when it is set, imports
this module. Keras is not imported then: activation runs the moment the program imports
keras (:func:`activate_from_environment`), so interpreter start stays cheap. The Keras
patching itself lives in :mod:`.keras_own`.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["activate", "after_import", "deactivate"]

_lock = threading.Lock()
#: KerasHub's module whose ``get_preset_loader`` / ``get_preset_saver`` activation replaces.
PRESET_UTILS = "keras_hub.src.utils.preset_utils"


def activate() -> None:
    """Route Keras's public loaders through layerhub in this process, until
    :func:`deactivate`. Calling it again does nothing. Imports keras.

    KerasHub's ``from_preset`` and ``save_to_preset`` are routed too
    (:mod:`.presets`), now if keras_hub is imported, else the moment it is.

    Added in version 0.1.0.
    """
    from . import keras_own, loading

    keras_own.install(loading.load_model, loading.model_from_json, plugin_object)
    after_import(PRESET_UTILS, install_presets)


def deactivate() -> None:
    """Give Keras back its own loaders and registry lookup.

    Added in version 0.1.0.
    """
    from . import keras_own

    _finder.forget(PRESET_UTILS)
    keras_own.uninstall()


def install_presets(preset_utils: Any) -> None:
    from . import presets

    presets.install(preset_utils)


def plugin_object(name: str) -> Any:
    """The plugin object registered as ``name``, imported now; ``None`` if none is.

    Asked only about names Keras does not know itself; a plugin that fails to import
    warns, and Keras then reports the name as unknown in its own words.
    """
    from ..errors import PluginWarning
    from ..plugins.discovery import get_registry

    registry = get_registry()
    if name not in registry:
        return None
    objects, failures = registry.resolve([name])
    if name in failures:
        warnings.warn(f"layerhub: {failures[name]}", PluginWarning, stacklevel=3)
    return objects.get(name)


def activate_from_environment() -> None:
    """What ``layerhub-activate.pth`` runs when ``LAYERHUB_ACTIVATE`` is set: activate now
    if keras is imported, else the moment it is."""
    after_import("keras", lambda keras: activate())


def after_import(name: str, hook: Callable[[ModuleType], None]) -> None:
    """``hook(module)`` once the module ``name`` has executed: now if it is imported, else
    the moment its import finishes (once). A failing hook warns: it never breaks the
    program's import."""
    module = sys.modules.get(name)
    if module is None:
        _finder.expect(name, hook)
    else:
        _run(hook, module)


def _run(hook: Callable[[ModuleType], None], module: ModuleType) -> None:
    try:
        hook(module)
    except Exception as exc:
        warnings.warn(f"layerhub: activation failed: {exc}", RuntimeWarning, 2)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds the modules it expects with the other finders, and runs each one's hook once
    it has executed; on ``sys.meta_path`` only while it expects one."""

    def __init__(self) -> None:
        self._hooks: dict[str, Callable[[ModuleType], None]] = {}

    def expect(self, name: str, hook: Callable[[ModuleType], None]) -> None:
        with _lock:
            self._hooks[name] = hook
            if self not in sys.meta_path:
                sys.meta_path.insert(0, self)

    def forget(self, name: str) -> Callable[[ModuleType], None] | None:
        with _lock:
            hook = self._hooks.pop(name, None)
            if not self._hooks and self in sys.meta_path:
                sys.meta_path.remove(self)
            return hook

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in self._hooks:
            return None
        hook = self.forget(fullname)
        if hook is None:  # another thread took it
            return None
        spec = importlib.util.find_spec(fullname)  # the other finders: this name is forgotten
        if spec is not None and spec.loader is not None:
            spec.loader = _HookedLoader(spec.loader, hook)
        return spec


class _HookedLoader(importlib.abc.Loader):
    def __init__(self, loader: Any, hook: Callable[[ModuleType], None]) -> None:
        self._loader = loader
        self._hook = hook

    def __getattr__(self, name: str) -> Any:  # resource readers and the like
        return getattr(self._loader, name)

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        _run(self._hook, module)


_finder = _AfterImport()
