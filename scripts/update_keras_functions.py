"""Regenerate ``src/layerhub/data/keras_functions.json`` from the installed Keras.

Keras resolves any exported Keras object where a config asks for a ``function``
(``{"class_name": "function", "module": "keras.layers", "config": "TFSMLayer"}``),
classes included, and its ``NON_MODELING_APIS`` deny-list misses many of them
(``keras.config.set_floatx``, ``keras.datasets.mnist.load_data``...). So layerhub
allows a Keras function only from an allow-list of pure functions, shipped as data
because ``scan`` never imports keras:

- ``pure_functions``: the functions of ``keras.activations``, ``losses``, ``metrics``,
  ``initializers``, ``regularizers``, ``constraints``, ``keras.ops`` and
  ``keras.ops.image``: math with no I/O and no global state, less the ones that take a
  callable (``cond``, ``scan``...) and the ``get``/``serialize``/``deserialize`` helpers;
- ``hazards``: exported names that reach I/O, the network, process-wide settings,
  SavedModel loading or unpickling, each with why (:data:`HAZARDS` below);
- ``classes``: every exported class, so that a class where a function is expected is
  reported as such; ``other_functions``: every other exported name (not allowed either);
- ``builtin_modules``: where Keras looks up a function saved with ``module: builtins``.

A test checks that the file matches the installed Keras; run this script after
upgrading Keras.

    python scripts/update_keras_functions.py
"""

from __future__ import annotations

import inspect
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parents[1] / "src/layerhub/data/keras_functions.json"

#: Namespaces whose functions are pure math (no I/O, no global state).
PURE_NAMESPACES = (
    "keras.activations",
    "keras.losses",
    "keras.metrics",
    "keras.initializers",
    "keras.regularizers",
    "keras.constraints",
    "keras.ops",
    "keras.ops.image",
)
#: Helpers of those namespaces that deserialize or look up further objects.
NOT_PURE = frozenset({"get", "serialize", "deserialize"})
#: Parameter names of the ops that call a function they are given (cond, scan, map...).
CALLABLE_PARAMETERS = frozenset(
    {"f", "fn", "body", "body_fun", "cond", "true_fn", "false_fn", "branches", "function"}
)
#: Exported name prefixes (or whole names) that reach outside the model, and why.
HAZARDS = (
    ("keras.config.set_", "changes process-wide Keras settings"),
    ("keras.config.enable_", "changes process-wide Keras settings"),
    ("keras.config.disable_", "changes process-wide Keras settings"),
    ("keras.datasets.", "downloads a dataset with keras.utils.get_file"),
    ("keras.applications.", "builds a pretrained application, which downloads weights"),
    ("keras.saving.", "loads, saves or deserializes objects and files"),
    ("keras.legacy.saving.", "deserializes objects outside the model's own config"),
    ("keras.models.", "builds or loads whole models from outside the config"),
    ("keras.export.", "writes a SavedModel to disk"),
    ("keras.callbacks.", "writes files or talks to the network during training"),
    ("keras._legacy.preprocessing.", "reads or writes image and text files"),
    ("keras.preprocessing.image_dataset", "reads files from a directory"),
    ("keras.preprocessing.text_dataset", "reads files from a directory"),
    ("keras.utils.get_file", "downloads a file to a path it chooses"),
    ("keras.utils.audio_dataset_from_directory", "reads files from a directory"),
    ("keras.utils.image_dataset_from_directory", "reads files from a directory"),
    ("keras.utils.text_dataset_from_directory", "reads files from a directory"),
    ("keras.utils.load_img", "reads a file"),
    ("keras.utils.save_img", "writes a file"),
    ("keras.utils.plot_model", "writes a file and runs graphviz"),
    ("keras.utils.model_to_dot", "runs graphviz"),
    ("keras.utils.clear_session", "resets process-wide Keras state"),
    ("keras.utils.set_random_seed", "changes the process-wide random seeds"),
    ("keras.backend.clear_session", "resets process-wide Keras state"),
    ("keras.distribution.set_distribution", "changes the process-wide distribution"),
    ("keras.distribution.initialize", "initializes the multi-host runtime"),
    ("keras.layers.TFSMLayer", "loads a TensorFlow SavedModel, whose ops can run anything"),
    ("keras.layers.TorchModuleWrapper", "unpickles a torch module (arbitrary code)"),
)


def hazard(name: str) -> str | None:
    return next((why for prefix, why in HAZARDS if name.startswith(prefix)), None)


def is_pure(name: str, obj: object) -> bool:
    namespace, _, short = name.rpartition(".")
    if namespace not in PURE_NAMESPACES or short in NOT_PURE or not inspect.isfunction(obj):
        return False
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return False
    return not CALLABLE_PARAMETERS & set(parameters)


def collect() -> dict:
    import keras
    from keras.src import api_export
    from keras.src.saving import serialization_lib

    exported = api_export.REGISTERED_NAMES_TO_OBJS
    hazards = {name: why for name in exported if (why := hazard(name))}
    result = {
        "keras_version": keras.__version__,
        "builtin_modules": sorted(serialization_lib.BUILTIN_MODULES),
        "pure_functions": sorted(
            n for n, obj in exported.items() if n not in hazards and is_pure(n, obj)
        ),
        "hazards": dict(sorted(hazards.items())),
        "classes": sorted(n for n, obj in exported.items() if inspect.isclass(obj)),
    }
    known = {*result["pure_functions"], *result["hazards"], *result["classes"]}
    result["other_functions"] = sorted(set(exported) - known)
    return result


if __name__ == "__main__":
    OUT.write_text(json.dumps(collect(), indent=0) + "\n")
    print(f"wrote {OUT}")
