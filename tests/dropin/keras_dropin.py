"""A pytest plugin that runs Keras's own tests with ``load_model`` replaced by layerhub's.

Loaded with ``-p keras_dropin`` into a pytest run over test files shipped inside the
installed Keras. Every public binding of ``load_model`` (``keras.saving``,
``keras.models`` and ``keras.src.saving.saving_api``) *is* :func:`layerhub.load_model`,
assigned the way users do it, with nothing to stop layerhub from calling itself: it
must reach Keras's own implementation by itself. Keras's tests also call its internal
loaders (``saving_lib.load_model``, ``legacy_h5_format.load_model_from_hdf5``) with
file paths; those calls go to layerhub too (file objects and open HDF5 groups, which
``layerhub.load_model`` does not take, still go to Keras).

``KERAS_DROPIN_OFF=1`` runs the same selection on Keras alone.

Only the tests whose code calls one of those loaders are kept: the others exercise
Keras internals that layerhub does not replace, and would only spend CI time.
"""

from __future__ import annotations

import functools
import inspect
import os
import re

import keras
import pytest
from keras.src.legacy.saving import legacy_h5_format
from keras.src.saving import saving_api, saving_lib

import layerhub

calls = {"layerhub": 0}
CALL = re.compile(r"\b(saving_api|saving|models|saving_lib)\.load_model\(|load_model_from_hdf5\(")


def counted(filepath, *args, **kwargs):
    calls["layerhub"] += 1
    return layerhub.load_model(filepath, *args, **kwargs)


def paths_to_layerhub(keras_loader):
    @functools.wraps(keras_loader)
    def load(filepath, *args, **kwargs):
        if isinstance(filepath, (str, os.PathLike)):
            return counted(filepath, *args, **kwargs)
        return keras_loader(filepath, *args, **kwargs)

    return load


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("KERAS_DROPIN_OFF"):  # the same tests on Keras alone, to compare
        return
    for module in (keras.saving, keras.models, saving_api):
        module.load_model = counted
    saving_lib.load_model = paths_to_layerhub(saving_lib.load_model)
    legacy_h5_format.load_model_from_hdf5 = paths_to_layerhub(legacy_h5_format.load_model_from_hdf5)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        function = getattr(item, "function", None)
        source = inspect.getsource(function) if function is not None else ""
        (keep if CALL.search(source) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter) -> None:
    terminalreporter.write_line(f"layerhub.load_model calls: {calls['layerhub']}")
