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
3. **Patches for the length of a load** (the fast path's :mod:`.skipsets` and
   :mod:`.saved_optimizer`): :func:`patched_while_used` puts a replacement in place
   while at least one load is inside it, and Keras's own function back when the last
   one leaves; :func:`unpatched` is what the replacement calls to reach Keras's.

Importing this module does not import keras.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys
import threading
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any, NamedTuple

__all__ = [
    "install",
    "keras_load_model",
    "keras_model_from_json",
    "keras_own",
    "patched_while_used",
    "replace_bound",
    "translate_training_config",
    "uninstall",
    "unpatched",
]

_lock = threading.RLock()
_patched: dict[tuple[Any, str], Any] = {}
#: ``(owner, name)`` -> ``[users, Keras's own attribute, whether owner itself held it]``.
_in_use: dict[tuple[Any, str], list[Any]] = {}


@contextlib.contextmanager
def patched_while_used(owner: Any, name: str, replacement: Any) -> Iterator[None]:
    """Inside, ``owner.name`` is ``replacement``; loads on other threads may be inside
    too, and Keras's own attribute is back once the last of them leaves."""
    key = (owner, name)
    with _lock:
        entry = _in_use.get(key)
        if entry is None:
            entry = _in_use[key] = [0, getattr(owner, name), name in vars(owner)]
            setattr(owner, name, replacement)
        entry[0] += 1
    try:
        yield
    finally:
        with _lock:
            entry[0] -= 1
            if entry[0] == 0:
                del _in_use[key]
                if entry[2]:
                    setattr(owner, name, entry[1])
                else:
                    delattr(owner, name)


def unpatched(owner: Any, name: str) -> Any:
    """Keras's own ``owner.name``, while :func:`patched_while_used` has replaced it."""
    entry = _in_use.get((owner, name))
    return getattr(owner, name) if entry is None else entry[1]


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
            "(without functools.wraps) before layerhub first used Keras"
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
            return load_hdf5(path, custom_objects, compile, safe_mode)
    return own.load_model(filepath, **kwargs)


def load_hdf5(path: str, custom_objects: Any, compile: bool, safe_mode: bool) -> Any:
    """Keras's legacy ``.h5`` load, with the training configuration of older Keras
    translated so that Keras 3 can compile from it (:func:`translate_training_config`).

    Keras builds the model and sets its weights; the compile step is Keras's own too
    (``compile_args_from_training_config``, then the saved optimizer state), on the
    translated configuration. What Keras 3 still cannot restore leaves the model
    uncompiled, with one warning saying so.
    """
    own = keras_own()
    training_config = read_training_config(path) if compile else None
    if training_config is None:  # nothing to translate: Keras's load, unchanged
        return own.load_hdf5(
            path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
        )
    model = own.load_hdf5(path, custom_objects=custom_objects, compile=False, safe_mode=safe_mode)
    try:
        compile_from_training_config(
            model, translate_training_config(training_config), custom_objects
        )
    except Exception as exc:
        warnings.warn(
            f"layerhub: {path}: the model was loaded uncompiled: Keras 3 cannot restore its "
            f"training configuration ({type(exc).__name__}: {exc}); compile it yourself",
            UserWarning,
            stacklevel=4,
        )
        return model
    restore_optimizer_state(model, path)
    return model


def read_training_config(path: str) -> Any:
    from keras.src.legacy.saving import json_utils
    from keras.src.utils.module_utils import h5py

    with h5py.File(path, mode="r") as f:
        text = f.attrs.get("training_config")
    if text is None:
        return None
    return json_utils.decode(text.decode("utf-8") if hasattr(text, "decode") else text)


#: Keyword arguments of tf.keras 2.x optimizers that Keras 3 optimizers do not take.
DROPPED_OPTIMIZER_ARGUMENTS = ("decay", "jit_compile", "is_legacy_optimizer")
#: Metric names Keras 3's ``compile`` resolves by itself against the loss.
COMPILE_METRIC_NAMES = ("accuracy", "acc", "crossentropy", "ce")


def translate_training_config(config: dict[str, Any]) -> dict[str, Any]:
    """The training configuration of a Keras 2 / tf.keras 2.x (or Keras 3 legacy) ``.h5``
    file, as Keras 3 can compile from it.

    - Losses and metrics saved as names (``"mse"``, ``"accuracy"``) stay names, for
      ``compile`` to resolve: Keras 3 fails to deserialize them ("not a
      KerasSaveable subclass"). A tf.keras ``MeanMetricWrapper`` around a named
      function becomes that name.
    - Optimizers: ``Custom>Adam`` is ``Adam``, ``lr`` is ``learning_rate``, and the
      arguments Keras 3 dropped (:data:`DROPPED_OPTIMIZER_ARGUMENTS`) are dropped.
    """
    translated = dict(config)
    for key in ("loss", "metrics", "weighted_metrics"):
        if translated.get(key) is not None:
            translated[key] = named_metrics(translated[key])
    optimizer = translated.get("optimizer_config")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("config"), dict):
        arguments = {
            ("learning_rate" if k == "lr" else k): v
            for k, v in optimizer["config"].items()
            if k not in DROPPED_OPTIMIZER_ARGUMENTS
        }
        class_name = optimizer.get("class_name")
        if isinstance(class_name, str) and class_name.startswith("Custom>"):
            class_name = class_name.removeprefix("Custom>")
        translated["optimizer_config"] = {
            **optimizer,
            "class_name": class_name,
            "config": arguments,
        }
    return translated


def named_metrics(value: Any) -> Any:
    """Names stay names; a tf.keras ``MeanMetricWrapper`` of a named function is that name."""
    if isinstance(value, list):
        return [named_metrics(v) for v in value]
    if isinstance(value, dict) and value.get("class_name") == "MeanMetricWrapper":
        inner = value.get("config") or {}
        name, fn = inner.get("name"), inner.get("fn")
        if name in COMPILE_METRIC_NAMES:
            return name
        return fn if isinstance(fn, str) else value
    if isinstance(value, dict) and "class_name" not in value:  # one entry per output
        return {k: named_metrics(v) for k, v in value.items()}
    return value


def only_names(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(only_names(v) for v in value)
    if isinstance(value, dict) and "class_name" not in value:
        return all(only_names(v) for v in value.values())
    return False


def compile_from_training_config(model: Any, config: dict[str, Any], custom_objects: Any) -> None:
    """``model.compile`` as Keras's legacy loader does it; names are handed to
    ``compile`` as names instead of being deserialized."""
    from keras.src.backend.common import global_state
    from keras.src.legacy.saving import saving_utils
    from keras.src.saving import object_registration

    objects = {
        **(custom_objects or {}),
        **object_registration.GLOBAL_CUSTOM_OBJECTS,
        **global_state.get_global_attribute("custom_objects_scope_dict", {}),
    }
    names = {
        k: config[k] for k in ("loss", "metrics", "weighted_metrics") if only_names(config.get(k))
    }
    arguments = saving_utils.compile_args_from_training_config(
        {**config, **dict.fromkeys(names)}, objects
    )
    arguments.update(names)
    metrics = arguments.get("metrics")
    single_output = len(model.outputs or ()) == 1
    one_list = isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list)
    if single_output and one_list:  # tf.keras: one list of metrics per output
        arguments["metrics"] = metrics[0]
    model.compile(**arguments)
    saving_utils.try_build_compiled_arguments(model)


def restore_optimizer_state(model: Any, path: str) -> None:
    """The saved optimizer variables, as Keras's legacy loader restores them."""
    from keras.src import optimizers
    from keras.src.legacy.saving import legacy_h5_format
    from keras.src.utils.module_utils import h5py

    with h5py.File(path, mode="r") as f:  # the values are read while the file is open
        if "optimizer_weights" not in f:
            return
        values = legacy_h5_format.load_optimizer_weights_from_hdf5_group(f)
        try:
            if isinstance(model.optimizer, optimizers.Optimizer):
                # every trainable variable of the model; Keras's loader passes the model's
                # own (``_trainable_variables``), none for a Sequential or a Functional,
                # so its optimizer keeps only the first two saved values
                model.optimizer.build(model.trainable_variables)
            values = with_learning_rate(model.optimizer, values)
            if len(values) != len(model.optimizer.variables):
                raise ValueError(
                    f"{len(values)} saved values for {len(model.optimizer.variables)} variables"
                )
            model.optimizer.set_weights(values)
        except (ValueError, NotImplementedError, AttributeError) as exc:
            warnings.warn(
                f"layerhub: {path}: the saved optimizer state does not fit this optimizer "
                f"({exc}); training starts from a freshly initialized optimizer",
                UserWarning,
                stacklevel=5,
            )


def with_learning_rate(optimizer: Any, values: list[Any]) -> list[Any]:
    """tf.keras 2.x saved ``[iteration, slots...]``; a Keras 3 optimizer with a constant
    learning rate holds it as its second variable, which the file does not have (its
    value came from the optimizer config)."""
    variables = list(optimizer.variables)
    rate = getattr(optimizer, "_learning_rate", None)
    if len(variables) > 1 and len(values) == len(variables) - 1 and variables[1] is rate:
        return [values[0], variables[1].numpy(), *values[1:]]
    return values


def keras_model_from_json(
    json_string: str, custom_objects: Any = None, safe_mode: bool = True
) -> Any:
    """Keras's ``model_from_json``, whatever ``keras.models.model_from_json`` is now, in
    ``safe_mode`` or not: Keras's function takes no ``safe_mode``, and its deserialization
    reads the thread-local flag of ``SafeModeScope`` (set here for this call only, never
    with the process-wide ``keras.config.enable_unsafe_deserialization``)."""
    from keras.src.saving.serialization_lib import SafeModeScope

    with SafeModeScope(safe_mode):
        return keras_own().model_from_json(json_string, custom_objects=custom_objects)


def install(load_model: Any, model_from_json: Any, lookup_fallback: Any) -> None:
    """Put ``load_model`` and ``model_from_json`` where Keras's public API has its own, and
    ask ``lookup_fallback(name)`` for every name Keras's registry lookup does not find:
    in ``object_registration`` (every deserialization) and in the public
    ``keras.saving.get_registered_object`` (what KerasHub's ``from_preset`` asks).

    Replaces only what is still Keras's own, so calling it twice changes nothing.
    """
    import keras
    from keras.src.saving import object_registration

    own = keras_own()

    def get_registered_object(name: Any, custom_objects: Any = None, module_objects: Any = None):
        found = own.get_registered_object(name, custom_objects, module_objects)
        if found is not None or not isinstance(name, str):
            return found
        return lookup_fallback(name)

    replacements = {
        own.load_model: load_model,
        own.model_from_json: model_from_json,
        own.get_registered_object: get_registered_object,
    }
    with _lock:
        replace_bound([*public_keras_modules(keras), object_registration], replacements)


def replace_bound(modules: list[Any], replacements: dict[Any, Any]) -> None:
    """In each of ``modules``, every attribute bound to a key of ``replacements`` is that
    key's value, until :func:`uninstall`: for a function other modules imported by name."""
    # by identity: a module attribute's own ``__hash__`` (a tensor's raises) is never called
    by_id = {id(original): (original, new) for original, new in replacements.items()}
    with _lock:
        for module in modules:
            for name, current in list(vars(module).items()):
                original, replacement = by_id.get(id(current), (None, None))
                if original is current and (module, name) not in _patched:
                    _patched[module, name] = current
                    setattr(module, name, replacement)


def uninstall() -> None:
    """Undo :func:`install` and :func:`replace_bound`: the originals are back where they were."""
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
