"""A pytest plugin that runs Keras's own tests with ``load_model`` replaced by layerhub's.

Loaded with ``-p keras_dropin`` into a pytest run over test files shipped inside the
installed Keras. Every public binding of ``load_model`` (``keras.saving``,
``keras.models`` and ``keras.src.saving.saving_api``, which Keras's tests call) is
swapped for :func:`layerhub.load_model`. layerhub itself ends in Keras's loader, so the
real function stays reachable from inside layerhub's call (tracked per thread).

Only the tests whose code calls a public ``load_model`` are kept: the others exercise
Keras internals (``saving_lib.load_model``) that layerhub does not replace, and would
only spend CI time.
"""

from __future__ import annotations

import functools
import inspect
import re
import threading

import keras
import pytest
from keras.src.saving import saving_api

import layerhub

ORIGINAL = saving_api.load_model
BINDINGS = (keras.saving, keras.models, saving_api)
_inside = threading.local()
calls = {"layerhub": 0}
PUBLIC_CALL = re.compile(r"\b(saving_api|saving|models)\.load_model\(")


@functools.wraps(ORIGINAL)
def load_model(filepath, *args, **kwargs):
    if getattr(_inside, "active", False):  # layerhub handing over to Keras
        return ORIGINAL(filepath, *args, **kwargs)
    _inside.active = True
    try:
        calls["layerhub"] += 1
        return layerhub.load_model(filepath, *args, **kwargs)
    finally:
        _inside.active = False


def pytest_configure(config: pytest.Config) -> None:
    for module in BINDINGS:
        module.load_model = load_model


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        function = getattr(item, "function", None)
        source = inspect.getsource(function) if function is not None else ""
        (keep if PUBLIC_CALL.search(source) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter) -> None:
    terminalreporter.write_line(f"layerhub.load_model calls: {calls['layerhub']}")
