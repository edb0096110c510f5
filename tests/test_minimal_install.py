"""``pip install 'layerhub[jax]'`` alone: no TensorFlow, and plugin models still load.

A fresh venv (no system site-packages) gets layerhub's own wheel with the ``jax`` extra
and the seed plugin's wheel, by a real pip install from the package registry (pip's
cache makes the second run quick). The model it loads was saved by the test suite's
own backend (TensorFlow in CI), so this is a cross-backend load too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, child_env, last_json

pytestmark = pytest.mark.slow

LOAD = """
import importlib.util, json, sys
import numpy as np
import layerhub

d = sys.argv[1]
result = {"tensorflow": importlib.util.find_spec("tensorflow") is not None}
result["seed_imported_first"] = any(m.startswith("layerhub_seed") for m in sys.modules)
model = layerhub.load_model(d + "/seed.keras")
np.testing.assert_allclose(model.predict(np.load(d + "/x.npy"), verbose=0),
                           np.load(d + "/expected.npy"), rtol=1e-5, atol=1e-6)
import keras
result.update(backend=keras.backend.backend(), optimizer=type(model.optimizer).__name__,
              layers=[type(layer).__name__ for layer in model.layers[1:]])
print(json.dumps(result))
"""

DEFAULT_BACKEND = """
import sys, layerhub
try:
    layerhub.load_model(sys.argv[1] + "/seed.keras")
except layerhub.LayerhubError as exc:
    print(type(exc).__name__ + ": " + str(exc))
"""


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def jax_venv(tmp_path_factory: pytest.TempPathFactory, wheels) -> Path:
    """A venv holding ``layerhub[jax]`` (built from this checkout) and the seed plugin."""
    out = tmp_path_factory.mktemp("minimal-install")
    source = out / "layerhub-source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "*.egg-info", "__pycache__", "tests", "site"
        ),
    )
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    built = run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(source)],
                child_env())  # fmt: skip
    assert built.returncode == 0, built.stderr
    layerhub_wheel = next(out.glob("layerhub-*.whl"))
    venv = out / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    installed = run(
        [str(venv / "bin" / "python"), *pip[1:], "install",
         f"{layerhub_wheel}[jax]", str(wheels("layerhub-seed"))],
        env=clean_env(),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    return venv


def clean_env(**extra: str) -> dict[str, str]:
    """The child environment without this checkout or any site directory on PYTHONPATH."""
    env = child_env(**extra)
    env.pop("PYTHONPATH", None)
    return env


def test_a_jax_only_install_loads_a_plugin_model_without_tensorflow(
    jax_venv, seed_models, tmp_path
):
    python = str(jax_venv / "bin" / "python")
    loaded = run([python, "-c", LOAD, str(seed_models)], clean_env(KERAS_BACKEND="jax"))
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert last_json(loaded.stdout) == {
        "tensorflow": False,
        "seed_imported_first": False,
        "backend": "jax",
        "optimizer": "ScaledSGD",
        "layers": [
            "CustomLayer",
            "MyDense",
            "CustomModel",
            "SublayerWrapper",
            "NestedDenseLayer",
            "Dense",
        ],
    }

    # Keras left on its default backend, which is not installed: one error naming the extra.
    default = clean_env(KERAS_HOME=str(tmp_path / "keras-home"))
    default.pop("KERAS_BACKEND", None)
    refused = run([python, "-c", DEFAULT_BACKEND, str(seed_models)], default)
    assert refused.stdout.strip() == (
        "MissingDependencyError: Keras's backend 'tensorflow' is not installed: "
        "pip install 'layerhub[tensorflow]', or pick an installed backend with "
        "KERAS_BACKEND=jax or torch"
    ), refused.stderr[-3000:]

    # What needs no backend works; export to a SavedModel says what to install.
    layerhub = str(jax_venv / "bin" / "layerhub")
    env = clean_env(KERAS_BACKEND="jax")
    scan = run([layerhub, "scan", "--json", str(seed_models / "seed.keras")], env)
    assert scan.returncode == 0, scan.stderr
    assert json.loads(scan.stdout)
    export = run([layerhub, "export", str(seed_models / "seed.keras"), str(tmp_path / "out")], env)
    assert export.returncode == 2 and "Traceback" not in export.stderr
    assert export.stderr.strip() == (
        "layerhub: error: export to a SavedModel needs TensorFlow, which is not installed: "
        "pip install 'layerhub[tensorflow]'"
    )
    assert not os.path.exists(tmp_path / "out")
