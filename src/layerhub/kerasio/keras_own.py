"""Keras's own loaders, captured, and the one place layerhub patches Keras.

Every Keras internal the drop-in needs lives here (as :mod:`.fastload` keeps its own):

1. **Keras's own implementation, whatever was patched.** Users route Keras through
   layerhub with ``keras.saving.load_model = layerhub.load_model``; layerhub must then
   never call the public name, or it calls itself. :func:`keras_load_model` and
   :func:`keras_model_from_json` reach the functions Keras defined: the public loader
   from Keras's export registry (which a patch of the module attribute does not
   touch), and ``saving_lib.load_model`` / ``legacy_h5_format.load_model_from_hdf5``
   captured once, unwrapped and checked to be Keras's own code.
2. **The patch** behind :mod:`.activation`: :func:`install` puts layerhub's loaders
   where Keras's public API has its own (``keras.saving``, ``keras.models``, every
   imported public namespace, never ``keras.src``) and hooks the one registry lookup
   every deserialization goes through (``object_registration.get_registered_object``:
   ``deserialize_keras_object``, ``from_config``, ``clone_model``, the legacy ``.h5``
   path), asking layerhub only about names Keras itself does not find, so what the
   user registered or passed as ``custom_objects`` still wins.

Importing this module does not import keras.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import threading
import zipfile
from typing import Any, NamedTuple

_lock = threading.RLock()
_patched: dict[tuple[Any, str], Any] = {}


class KerasOwn(NamedTuple):
    """The functions Keras defined, as they were before anyone replaced them."""

    load_model: Any  #: ``saving_api.load_model``: Keras's dispatch (remote, Orbax, errors)
    load_archive: Any  #: ``saving_lib.load_model``: ``.keras`` zips and directories
    load_hdf5: Any  #: ``legacy_h5_format.load_model_from_hdf5``
    model_from_json: Any  #: ``keras.models.model_from_json``
    get_registered_object: Any  #: ``object_registration.get_registered_object``


@functools.lru_cache(maxsize=1)
def keras_own() -> KerasOwn:
    """Keras's own functions, captured on first use (imports keras)."""
    from keras.src import api_export
    from keras.src.legacy.saving import legacy_h5_format
    from keras.src.models import model
    from keras.src.saving import object_registration, saving_api, saving_lib

    def own(module: Any, name: str, exported: str = "") -> Any:
        candidates = [api_export.get_symbol_from_name(exported)] if exported else []
        candidates.append(getattr(module, name))
        for candidate in candidates:
            function = inspect.unwrap(candidate) if callable(candidate) else None
            if getattr(function, "__globals__", None) is vars(module):
                return function
        raise RuntimeError(
            f"layerhub cannot reach Keras's own {module.__name__}.{name}: it was replaced "
            "before layerhub was imported"
        )

    return KerasOwn(
        own(saving_api, "load_model", "keras.saving.load_model"),
        own(saving_lib, "load_model"),
        own(legacy_h5_format, "load_model_from_hdf5"),
        own(model, "model_from_json", "keras.models.model_from_json"),
        own(object_registration, "get_registered_object", "keras.saving.get_registered_object"),
    )


def keras_load_model(
    filepath: Any, custom_objects: Any = None, compile: bool = True, safe_mode: bool = True
) -> Any:
    """Keras's ``load_model``, dispatching as Keras does, on Keras's own functions only."""
    own = keras_own()
    kwargs = {"custom_objects": custom_objects, "compile": compile, "safe_mode": safe_mode}
    if isinstance(filepath, (str, os.PathLike)):
        path = os.fspath(filepath)
        if path.endswith(".keras") and zipfile.is_zipfile(path):
            return own.load_archive(path, **kwargs)
        if os.path.isdir(path) and os.path.exists(os.path.join(path, "config.json")):
            return own.load_archive(path, **kwargs)
        if path.endswith((".h5", ".hdf5")) and os.path.exists(path):
            return own.load_hdf5(path, **kwargs)
    return own.load_model(filepath, **kwargs)


def keras_model_from_json(json_string: str, custom_objects: Any = None) -> Any:
    """Keras's ``model_from_json``, whatever ``keras.models.model_from_json`` is now."""
    return keras_own().model_from_json(json_string, custom_objects=custom_objects)


def install(load_model: Any, model_from_json: Any, lookup_fallback: Any) -> None:
    """Put ``load_model`` and ``model_from_json`` where Keras's public API has its own, and
    ask ``lookup_fallback(name)`` for every name Keras's registry lookup does not find.

    Replaces only what is still Keras's own, so calling it twice changes nothing.
    """
    import keras
    from keras.src.saving import object_registration

    own = keras_own()
    replacements = {own.load_model: load_model, own.model_from_json: model_from_json}

    def get_registered_object(name: Any, custom_objects: Any = None, module_objects: Any = None):
        found = own.get_registered_object(name, custom_objects, module_objects)
        if found is not None or not isinstance(name, str):
            return found
        return lookup_fallback(name)

    with _lock:
        for module in public_keras_modules(keras):
            for name in ("load_model", "model_from_json"):
                current = vars(module).get(name)
                if current in replacements and (module, name) not in _patched:
                    _patched[module, name] = current
                    setattr(module, name, replacements[current])
        if (object_registration, "get_registered_object") not in _patched:
            _patched[object_registration, "get_registered_object"] = own.get_registered_object
            object_registration.get_registered_object = get_registered_object


def uninstall() -> None:
    """Undo :func:`install`: Keras's own functions are back where they were."""
    with _lock:
        for (module, name), original in _patched.items():
            setattr(module, name, original)
        _patched.clear()


def public_keras_modules(keras: Any) -> list[Any]:
    """Keras's public API namespaces that are imported (``keras.saving``, ``keras.models``,
    ``keras.api.*``, ``keras._tf_keras.*``), never its implementation (``keras.src``)."""
    return [
        module
        for name, module in list(sys.modules.items())
        if module is not None
        and (name == "keras" or name.startswith("keras."))
        and not name.startswith("keras.src")
    ]
