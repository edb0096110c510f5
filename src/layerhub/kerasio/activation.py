"""The switch for code that never calls layerhub: ``layerhub.activate()``.

MLflow's Keras flavour, serving and conversion tools and notebooks load models with
``keras.saving.load_model``. While layerhub is active, that call (and
``keras.models.load_model``, ``model_from_json``, and every name a
``deserialize_keras_object``, ``from_config`` or ``clone_model`` looks up) finds plugin
objects, importing only the plugins a model needs; a ``.keras`` or ``.h5`` load gets the
same analysis as :func:`layerhub.load_model`, because it is that function.

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
from typing import Any

__all__ = ["activate", "deactivate"]

_lock = threading.Lock()


def activate() -> None:
    """Route Keras's public loaders through layerhub in this process, until
    :func:`deactivate`. Calling it again does nothing. Imports keras.

    Added in version 0.1.0.
    """
    from . import keras_own, loading

    keras_own.install(loading.load_model, loading.model_from_json, plugin_object)


def deactivate() -> None:
    """Give Keras back its own loaders and registry lookup.

    Added in version 0.1.0.
    """
    from . import keras_own

    keras_own.uninstall()


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
    if "keras" in sys.modules:
        activate()
    else:
        sys.meta_path.insert(0, _ActivateWhenKerasIsImported())


class _ActivateWhenKerasIsImported(importlib.abc.MetaPathFinder):
    """Finds ``keras`` with the other finders, and activates once it has executed."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "keras":
            return None
        with _lock:
            if self not in sys.meta_path:
                return None
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)  # the other finders, this one removed
        if spec is not None and spec.loader is not None:
            spec.loader = _ActivatingLoader(spec.loader)
        return spec


class _ActivatingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> Any:  # resource readers and the like
        return getattr(self._loader, name)

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        try:
            activate()
        except Exception as exc:  # never break `import keras` over the switch
            warnings.warn(f"layerhub: LAYERHUB_ACTIVATE failed: {exc}", RuntimeWarning, 2)
