"""Fixtures of the schema tests: real archives saved by Keras by plain ``model.save``."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from support import run_python

SAVE_MODELS = """
import sys, numpy as np
from pathlib import Path
import schema_bad.objects, schema_nested.objects
from layerhub_seed import examples
out = Path(sys.argv[1])
x = np.random.default_rng(0).random((8, 4), dtype=np.float32)
nested = schema_nested.objects.build_model()
nested.save(out / "nested.keras")
np.save(out / "nested_x.npy", x)
np.save(out / "nested_expected.npy", nested.predict(x, verbose=0))
examples.build_subclassed().save(out / "sub.keras")
schema_bad.objects.build_model().save(out / "bad.keras")

import keras
from acme_blocks import layers as acme  # a third-party plugin written by someone else
inputs = keras.Input(shape=(8,))
inner = keras.layers.Dense(8, activation=acme.sq_relu)
x = acme.GatedResidual(8, inner=inner, name="gated")(inputs)
keras.Model(inputs, x).save(out / "acme.keras")
"""


@pytest.fixture(scope="session")
def nested_site(plugin_site: Callable[..., Path]) -> Path:
    return plugin_site("layerhub-seed", "schema-nested")


@pytest.fixture(scope="session")
def bad_site(plugin_site: Callable[..., Path]) -> Path:
    return plugin_site("schema-bad")


@pytest.fixture(scope="session")
def acme_site(plugin_site: Callable[..., Path]) -> Path:
    return plugin_site("acme-blocks")


@pytest.fixture(scope="session")
def schema_models(
    tmp_path_factory: pytest.TempPathFactory, nested_site: Path, bad_site: Path, acme_site: Path
) -> Path:
    """nested.keras (schema-nested), sub.keras (a seed subclassed model at the root) and
    bad.keras (schema-bad), acme.keras (acme-blocks, the core tests' third-party plugin),
    saved by plain ``model.save`` in one child process."""
    out = tmp_path_factory.mktemp("schema-models")
    run_python(
        SAVE_MODELS,
        str(out),
        env={"PYTHONPATH": os.pathsep.join(map(str, [nested_site, bad_site, acme_site]))},
    )
    return out
