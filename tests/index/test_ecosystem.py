"""The models people have: KerasHub and the indexed layer packages, installed for real.

Each package is pip-installed (``--no-deps``, plus what its import really needs that the
venv lacks) into its own throw-away site. A child per package family builds tiny models
(random weights, nothing downloaded) and saves them with plain ``model.save``; a fresh
child that imports nothing but layerhub loads them with no ``layerhub trust`` and no
import, and its predictions must be identical. Without the package on the child's path,
the error must name the ``pip install`` line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support import KERAS_HUB, last_json, pip, run_layerhub, run_python, shared_build

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent / "ecosystem"
#: Each family's site: the distributions (at the versions the curated index checked) and
#: the requirements ``import`` needs that the venv lacks (keras-hub: see its METADATA).
SITES = {
    "keras-hub": KERAS_HUB,
    "keras-rs": ["keras-rs==0.4.0"],
    "keras-tcn": ["keras-tcn==3.5.7"],
    "keras-efficient-kan": ["keras-efficient-kan==0.1.10"],
    "kimm": ["kimm==0.2.5"],
}
HUB_MODELS = ["bert", "gpt2", "vit", "gemma", "llama", "bert_classifier"]
LAYER_MODELS = ["keras-rs", "keras-tcn", "keras-efficient-kan", "kimm"]
#: What the error must say to install when the package is absent.
REQUIREMENTS = {
    **{model: "keras-hub" for model in HUB_MODELS},
    "keras-rs": "keras-rs",
    "keras-tcn": "keras-tcn",
    "keras-efficient-kan": "keras_efficient_kan",
    "kimm": "kimm",
}


def pip_target(requirements: list[str], target: Path) -> Path:
    """A real pip install of ``requirements`` (no dependencies) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    pip("install", "--no-deps", "--only-binary", ":all:", "--target", str(target), *requirements)
    return target


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    def build(directory: Path) -> dict[str, str]:
        return {
            name: str(pip_target(requirements, directory / name))
            for name, requirements in SITES.items()
        }

    return {k: Path(v) for k, v in shared_build(tmp_path_factory, "ecosystem", build).items()}


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory, sites: dict[str, Path]) -> Path:
    def build(directory: Path) -> dict[str, str]:
        hub = run_python(
            (HERE / "build_hub.py").read_text(), str(directory), site=sites["keras-hub"]
        )
        layers = [sites[name] for name in LAYER_MODELS]
        built = run_python(
            (HERE / "build_layers.py").read_text(), str(directory), env=pythonpath(*layers)
        )
        return {**last_json(hub.stdout), **last_json(built.stdout)}

    saved = shared_build(tmp_path_factory, "ecosystem-models", build)
    return Path(next(iter(saved.values()))).parent


def pythonpath(*sites: Path) -> dict[str, str]:
    """A child's PYTHONPATH: ``sites``, then this process's (where layerhub is)."""
    return {"PYTHONPATH": os.pathsep.join([*map(str, sites), os.environ.get("PYTHONPATH", "")])}


def load(models: Path, names: list[str], home: Path, *sites: Path) -> dict:
    """Load ``names`` in a fresh process that has only ``sites`` and nothing trusted."""
    env = {**pythonpath(*sites), "LAYERHUB_HOME": str(home)}
    code = (HERE / "load.py").read_text()
    return last_json(run_python(code, str(models), *names, env=env).stdout)


def test_keras_hub_models_load_with_no_trust_and_no_import(models, sites, tmp_path):
    report = load(models, HUB_MODELS, tmp_path, sites["keras-hub"])
    assert report.pop("preimported") == []
    for name in HUB_MODELS:
        assert report[name].get("identical") is True, (name, report[name])
        assert report[name]["class"].startswith("keras_hub."), report[name]


def test_indexed_layer_packages_load_out_of_the_box(models, sites, tmp_path):
    report = load(models, LAYER_MODELS, tmp_path, *(sites[n] for n in LAYER_MODELS))
    assert report.pop("preimported") == []
    for name in LAYER_MODELS:
        assert report[name].get("identical") is True, (name, report[name])


def test_an_absent_package_names_its_pip_install_line(models, tmp_path):
    report = load(models, HUB_MODELS + LAYER_MODELS, tmp_path)
    for name in HUB_MODELS + LAYER_MODELS:
        assert report[name]["requirements"] == [REQUIREMENTS[name]], (name, report[name])
        assert f"pip install '{REQUIREMENTS[name]}'" in report[name]["error"]
    resolve = run_layerhub(
        "resolve", str(models / "bert.keras"), env={"LAYERHUB_HOME": str(tmp_path)}
    )
    assert (resolve.returncode, resolve.stdout) == (0, "keras-hub\n"), resolve.stderr


def test_scan_rates_the_keras_hub_and_kimm_files_clean(models, sites, tmp_path):
    files = [str(models / f"{name}.keras") for name in [*HUB_MODELS, "kimm"]]
    env = {**pythonpath(sites["keras-hub"], sites["kimm"]), "LAYERHUB_HOME": str(tmp_path)}
    result = run_layerhub("scan", "--json", *files, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert [f["findings"] for f in report["files"]] == [[]] * len(files)


def test_resolve_prints_the_installed_versions_as_requirement_lines(models, sites, tmp_path):
    env = {**pythonpath(sites["keras-hub"], sites["kimm"]), "LAYERHUB_HOME": str(tmp_path)}
    hub = run_layerhub("resolve", str(models / "bert_classifier.keras"), env=env)
    assert (hub.returncode, hub.stdout) == (0, "keras-hub==0.32.0\n"), hub.stderr
    kimm = run_layerhub("resolve", str(models / "kimm.keras"), env=env)
    assert (kimm.returncode, kimm.stdout) == (0, "kimm==0.2.5\n"), kimm.stderr
