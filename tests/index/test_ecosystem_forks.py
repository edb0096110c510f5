"""A package and its fork that ship one import package, installed for real from PyPI.

``tfkan`` 0.1.1 pins Keras 2 in its metadata (``keras<=2.15.1``) yet works under Keras 3
installed without dependencies, as its users install it; ``tf-kan-latest`` 1.1.0 is a
newer fork that ships the same ``tfkan`` package with renamed registered names
(``tfkan>DenseKAN`` for ``DenseKAN``). Both are in the curated index: each model
resolves to the distribution that saved it, and with neither installed each error
names its own.

The fork's layers do not survive a save and load under Keras 3 at all, layerhub or not
(``DenseKAN`` writes its basis activation as a name its constructor cannot read back;
the convolutions pass ``rank`` twice): its model is resolved to the fork and handed to
Keras, which fails exactly as it does after a plain ``import tfkan``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import last_json, run_layerhub, run_python, shared_build
from test_ecosystem import HERE, pip_target, pythonpath

pytestmark = pytest.mark.slow

FORKS = {"tfkan": "tfkan==0.1.1", "tf-kan-latest": "tf-kan-latest==1.1.0"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    def build(directory: Path) -> dict[str, str]:
        sites = {n: str(pip_target([r], directory / n)) for n, r in FORKS.items()}
        code = (HERE / "build_kan.py").read_text()
        for name, site in sites.items():
            run_python(code, str(directory), name, env=pythonpath(Path(site)))
        return {**sites, "models": str(directory)}

    return {k: Path(v) for k, v in shared_build(tmp_path_factory, "forks", build).items()}


def env(home: Path, *sites: Path) -> dict[str, str]:
    return {**pythonpath(*sites), "LAYERHUB_HOME": str(home)}


def test_the_original_pinning_keras_2_loads_out_of_the_box(built, tmp_path):
    code = (HERE / "load.py").read_text()
    child = run_python(code, str(built["models"]), "tfkan", env=env(tmp_path, built["tfkan"]))
    report = last_json(child.stdout)
    assert report["tfkan"].get("identical") is True, report["tfkan"]
    resolve = run_layerhub(
        "resolve", str(built["models"] / "tfkan.keras"), env=env(tmp_path, built["tfkan"])
    )
    assert resolve.stdout.splitlines()[0] == "tfkan==0.1.1", resolve.stdout + resolve.stderr


def test_the_forks_model_resolves_to_the_fork_and_reaches_keras(built, tmp_path):
    fork = built["tf-kan-latest"]
    model = str(built["models"] / "tf-kan-latest.keras")
    resolve = run_layerhub("resolve", model, env=env(tmp_path, fork))
    assert resolve.stdout.splitlines()[0] == "tf-kan-latest==1.1.0", resolve.stdout
    code = """
    import sys, keras, layerhub
    try:
        layerhub.load_model(sys.argv[1])
    except layerhub.ModelLoadError as exc:  # Keras's own failure, past layerhub's checks
        ours = str(exc)
    import tfkan.layers
    try:
        keras.saving.load_model(sys.argv[1])
    except TypeError as exc:
        plain = str(exc)
    print("config=silu" in ours and "config=silu" in plain)
    """
    assert run_python(code, model, env=env(tmp_path, fork)).stdout.split()[-1] == "True"


def test_with_neither_installed_each_model_names_its_own(built, tmp_path):
    code = (HERE / "load.py").read_text()
    report = last_json(run_python(code, str(built["models"]), *FORKS, env=env(tmp_path)).stdout)
    assert report["tfkan"]["requirements"] == ["tfkan"], report["tfkan"]
    assert report["tf-kan-latest"]["requirements"] == ["tf-kan-latest"], report
    assert "pip install 'tfkan'" in report["tfkan"]["error"]
    assert "pip install 'tf-kan-latest'" in report["tf-kan-latest"]["error"]
