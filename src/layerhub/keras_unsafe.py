"""Recognising Keras's non-modeling APIs without importing keras.

Keras refuses to deserialize the functions in its ``NON_MODELING_APIS`` list (loading,
saving, downloading, ``enable_unsafe_deserialization``...) because a config that names
one, for instance as a Lambda's or an activation's target, turns Keras against the
user. The list comes from ``data/keras_unsafe.json``, generated from the installed Keras
by ``scripts/update_keras_unsafe.py`` (a test keeps it in step with Keras).
"""

from __future__ import annotations

import functools
import json

from . import package_data
from .keras_builtins import is_keras_module


@functools.cache
def non_modeling_apis() -> frozenset[str]:
    """Keras's own list: dotted public names such as ``keras.saving.load_model``."""
    data = json.loads(package_data.read("data/keras_unsafe.json"))
    return frozenset(data["non_modeling_apis"])


@functools.cache
def non_modeling_names() -> frozenset[str]:
    """The last component of each, to catch the same function under another Keras module
    (``keras.src.saving.saving_api`` exports ``load_model`` too)."""
    return frozenset(api.rpartition(".")[2] for api in non_modeling_apis())


def is_non_modeling(module: str | None, name: str) -> bool:
    """Whether ``module.name`` is a Keras non-modeling API, under any Keras module path."""
    if f"{module}.{name}" in non_modeling_apis():
        return True
    return (module is None or is_keras_module(module)) and name in non_modeling_names()
