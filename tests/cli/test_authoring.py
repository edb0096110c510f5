"""``layerhub adopt`` over a real PyPI layer package, and ``layerhub new``, for real: the
declaration adopt writes is built into a wheel with the package's own modules, installed,
and that package's model loads with no ``trust`` and no curated index; the scaffold
passes ``layerhub check`` and ``pip wheel`` as generated."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import child_env, install, last_json, pip, run_layerhub, run_python, shared_build

pytestmark = pytest.mark.slow

#: keras-tcn from PyPI (as tests/index/test_ecosystem.py installs it), and tomlkit for
#: ``adopt --write`` (the ``author`` extra).
ADOPTED = ["keras-tcn==3.5.7", "tomlkit>=0.12"]
#: What the package's maintainers already have; adopt must keep the comment and layout.
PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "keras-tcn"  # the PyPI name
version = "3.5.7"
dependencies = ["keras>=3"]

[tool.setuptools]
packages = ["tcn"]
"""
#: No trust, no curated index: only the declaration can make the name known.
ALONE = {"LAYERHUB_DISABLE_CURATED": "1"}


@pytest.fixture(scope="module")
def tcn_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def build(directory: Path) -> str:
        pip("install", "--no-deps", "--only-binary", ":all:", "--target", str(directory), *ADOPTED)
        return str(directory)

    return Path(shared_build(tmp_path_factory, "adopt-tcn", build))


def test_adopt_writes_a_declaration_that_makes_a_real_package_load_without_trust(
    tcn_site: Path, tmp_path: Path
):
    home = {"LAYERHUB_HOME": str(tmp_path / "home"), **ALONE}
    project = tmp_path / "keras-tcn"
    shutil.copytree(tcn_site / "tcn", project / "tcn", ignore=shutil.ignore_patterns("__pycache__"))
    (project / "pyproject.toml").write_text(PYPROJECT)

    pyproject = project / "pyproject.toml"
    adopted = run_layerhub(
        "adopt", "keras-tcn", "--write", str(pyproject), "--json", site=tcn_site, env=home
    )
    assert adopted.returncode == 0, adopted.stderr
    declared = json.loads(adopted.stdout)
    assert declared["entry_points"] == {
        "layerhub.objects": {"Custom>TCN": "tcn.tcn:TCN"},
        "layerhub.schemas": {"Custom>TCN": "tcn:custom_tcn.schema.json"},
    }
    text = (project / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT.split("[tool.setuptools]")[0])  # kept as it was
    assert '"Custom>TCN" = "tcn.tcn:TCN"' in text and "*.schema.json" in text
    schema = json.loads((project / "tcn" / "custom_tcn.schema.json").read_text())
    assert schema["title"] == "Custom>TCN" and "nb_filters" in schema["properties"]

    wheels = tmp_path / "wheels"
    pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(project))
    site = install(list(wheels.glob("keras_tcn-*.whl")), tmp_path / "site")
    listed = run_layerhub("list", "--json", site=site, env=home)
    [plugin] = json.loads(listed.stdout)["plugins"]
    assert (plugin["distribution"], plugin["names"]) == ("keras-tcn", ["Custom>TCN"])

    code = """
    import sys, json, numpy as np, keras
    from tcn import TCN
    x = np.random.default_rng(0).normal(size=(2, 8, 3)).astype("float32")
    inputs = keras.Input((8, 3))
    model = keras.Model(inputs, TCN(nb_filters=4, dilations=[1, 2])(inputs))
    model.save(sys.argv[1])
    np.save(sys.argv[1] + ".x.npy", x)
    np.save(sys.argv[1] + ".y.npy", model.predict(x, verbose=0))
    """
    model = tmp_path / "tcn.keras"
    run_python(code, str(model), site=site, env=home)
    load = """
    import sys, json, numpy as np, layerhub
    model = layerhub.load_model(sys.argv[1])
    y = model.predict(np.load(sys.argv[1] + ".x.npy"), verbose=0)
    print(json.dumps({"equal": bool(np.array_equal(y, np.load(sys.argv[1] + ".y.npy")))}))
    """
    assert last_json(run_python(load, str(model), site=site, env=home).stdout)["equal"]
    assert not (tmp_path / "home" / "trusted.json").exists()

    # Without the declaration (the PyPI wheel as it is), the same load names what is missing.
    failed = run_python(load, str(model), site=tcn_site, env=home, check=False)
    assert failed.returncode != 0 and "Custom>TCN" in failed.stderr


def test_adopt_without_registrations_or_installation_is_a_one_line_error(tcn_site: Path):
    absent = run_layerhub("adopt", "no-such-distribution", site=tcn_site)
    assert absent.returncode == 2 and "not installed" in absent.stderr
    assert "Traceback" not in absent.stderr
    nothing = run_layerhub("adopt", "tomlkit", site=tcn_site)
    assert nothing.returncode == 2 and "registers no Keras object" in nothing.stderr


def test_a_new_project_passes_check_pytest_and_pip_wheel_as_generated(tmp_path: Path):
    made = run_layerhub("new", "acme-layers", "--directory", str(tmp_path))
    assert made.returncode == 0, made.stderr
    project = tmp_path / "acme-layers"
    assert {p.name for p in project.iterdir()} >= {
        "pyproject.toml",
        "README.md",
        ".pre-commit-config.yaml",
        "src",
        "tests",
    }
    wheels = tmp_path / "wheels"
    pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(project))
    site = install(list(wheels.glob("acme_layers-*.whl")), tmp_path / "site")
    checked = run_layerhub("check", "--plugin", "acme-layers", "--json", site=site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] and report["summary"] == {"passed": 9}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "schema"],
        cwd=project,
        env=child_env(site),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert tests.returncode == 0 and " passed" in tests.stdout, tests.stdout + tests.stderr
    again = run_layerhub("new", "acme-layers", "--directory", str(tmp_path))
    assert again.returncode == 2 and "already exists" in again.stderr
