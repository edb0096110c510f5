"""Recognising Keras built-ins without importing keras.

The names come from ``data/keras_builtins.json``, generated from the installed Keras
by ``scripts/update_keras_builtins.py`` (a test keeps it in step with Keras).
"""

from __future__ import annotations

import functools
import json

from . import package_data


@functools.cache
def builtin_names() -> frozenset[str]:
    """Every public class and function name Keras can deserialize by itself."""
    return frozenset(json.loads(package_data.read("data/keras_builtins.json"))["names"])


def is_keras_module(module: object) -> bool:
    """Whether a serialized ``module`` field points inside Keras itself."""
    return isinstance(module, str) and (module == "keras" or module.startswith("keras."))


def shadows_builtin(name: str) -> bool:
    """Whether a plugin-registered ``name`` would take over a Keras built-in.

    Keras registers nothing of its own under ``"keras>..."`` for plugins to take, and a
    bare name (no ``>``) that Keras exports would change what every model using that
    built-in means.
    """
    package, sep, _ = name.partition(">")
    if sep:
        return package == "keras" or package.startswith("keras.")
    return name in builtin_names()
