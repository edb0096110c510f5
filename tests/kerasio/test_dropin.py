"""layerhub in Keras's place: patched Keras never loops back, and the activation switch.

Every test runs in a fresh process with a timeout, so a regression to layerhub calling
itself fails instead of hanging the suite.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from support import ROOT, install, last_json, pip, run_python

from layerhub import settings

pytestmark = pytest.mark.slow

#: The child of a patched-Keras test: a recursion would hit this, not hang.
TIMEOUT = 300
PTH = "layerhub-activate.pth"

PATCHED = """
import json, sys, shutil, zipfile
from pathlib import Path
import numpy as np
import keras, layerhub
from layerhub.kerasio import fastload

keras.saving.load_model = layerhub.load_model
keras.models.load_model = layerhub.load_model
sys.setrecursionlimit(200)  # a loop back into layerhub fails fast instead of slowly
d, out = Path(sys.argv[1]), Path(sys.argv[2])
x, expected = np.load(d / "x.npy"), np.load(d / "expected.npy")
shutil.copy(d / "seed.keras", out / "seed.keras")
shutil.copy(d / "seed.h5", out / "seed.h5")
with zipfile.ZipFile(out / "seed.keras") as zf:
    zf.extractall(out / "unzipped")
results = {}

def check(name, load):
    model = load()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-6)
    results[name] = type(model).__name__

check("keras fast", lambda: keras.saving.load_model(out / "seed.keras"))
check("keras plain", lambda: layerhub.load_model(out / "seed.keras", fast=False))
check("h5", lambda: keras.models.load_model(out / "seed.h5"))
check("unzipped directory", lambda: keras.saving.load_model(out / "unzipped"))
fastload.TESTED_KERAS = ((0, 0), (0, 1))  # this Keras is "untested": the fallback runs
check("fast path fallback", lambda: keras.saving.load_model(out / "seed.keras"))

(out / "model.pkl").write_bytes(b"x")
broken = out / "broken.keras"  # passes layerhub's checks, fails inside Keras
with zipfile.ZipFile(out / "seed.keras") as src, zipfile.ZipFile(broken, "w") as dst:
    for item in src.infolist():
        data = src.read(item)
        if item.filename == "config.json":
            config = json.loads(data)
            for layer in config["config"]["layers"]:
                if layer["class_name"] == "Dense":
                    layer["config"]["units"] = "many"
                    break
            data = json.dumps(config)
        dst.writestr(item, data)
errors = {}
for bad in (out / "missing.keras", out / "model.pkl", broken):
    try:
        keras.saving.load_model(bad)
    except RecursionError:
        raise
    except Exception as exc:
        errors[bad.name] = [type(exc).__name__, isinstance(exc, ValueError)]
print(json.dumps({"loaded": results, "errors": errors}))
"""


def test_patched_keras_load_model_reaches_keras_own(seed_models, seed_site, tmp_path):
    """``keras.saving.load_model = layerhub.load_model``: every path finishes."""
    proc = run_python(PATCHED, str(seed_models), str(tmp_path), site=seed_site, timeout=TIMEOUT)
    result = last_json(proc.stdout)
    assert set(result["loaded"]) == {
        "keras fast",
        "keras plain",
        "h5",
        "unzipped directory",
        "fast path fallback",
    }
    assert result["errors"] == {
        "missing.keras": ["CorruptArchiveError", True],
        "model.pkl": ["CorruptArchiveError", True],
        "broken.keras": ["ModelLoadError", True],
    }


# -- the activation switch ----------------------------------------------------------------


@pytest.fixture(scope="module")
def layerhub_site(tmp_path_factory, seed_site) -> Path:
    """The layerhub wheel (with its ``layerhub-activate.pth``) pip-installed for real."""
    out = tmp_path_factory.mktemp("layerhub-wheel")
    pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT))
    wheel = next(out.glob("layerhub-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        assert PTH in zf.namelist()
    return install([wheel], out / "site")


#: Interpreter start, as Python runs it for site-packages: ``site.addsitedir`` executes
#: the directory's ``.pth`` files exactly as at start-up (a ``--target`` directory on
#: PYTHONPATH is not a site directory, so its ``.pth`` files would not run).
START = "import site, sys; site.addsitedir(sys.argv.pop(1))\n"

#: MLflow's Keras flavour, in essence: only Keras's own API, no layerhub import.
MLFLOW_STYLE = (
    START
    + """
import json, sys
started = {"layerhub": "layerhub" in sys.modules, "keras": "keras" in sys.modules}
import numpy as np
import keras

d = sys.argv[1]
model = keras.saving.load_model(d + "/seed.keras")
same = bool(np.allclose(model.predict(np.load(d + "/x.npy"), verbose=0),
                        np.load(d + "/expected.npy"), rtol=1e-6, atol=1e-6))
h5 = keras.models.load_model(d + "/seed.h5")
clone = keras.models.clone_model(model)
rebuilt = keras.Model.from_config(model.get_config())
from_json = keras.models.model_from_json(model.to_json())
print(json.dumps({"started": started, "same": same, "h5": type(h5).__name__,
                  "clone": type(clone).__name__, "from_config": type(rebuilt).__name__,
                  "from_json": type(from_json).__name__,
                  "routed": keras.saving.load_model.__module__}))
"""
)


def test_environment_variable_routes_keras_only_code(layerhub_site, seed_models, seed_site):
    proc = run_python(
        MLFLOW_STYLE,
        str(layerhub_site),
        str(seed_models),
        site=seed_site,
        env={settings.ACTIVATE: "1"},
        timeout=TIMEOUT,
    )
    result = last_json(proc.stdout)
    assert result["started"] == {"layerhub": True, "keras": False}  # keras waits
    assert result["same"]
    assert result["routed"] == "layerhub.kerasio.loading"
    assert result["h5"] == result["clone"] == result["from_config"] == "Functional"
    assert result["from_json"] == "Functional"


def test_without_the_variable_the_pth_imports_nothing(layerhub_site):
    code = START + "import json, sys; print(json.dumps(sorted(m for m in sys.modules"
    code += " if m.split('.')[0] in ('layerhub', 'keras'))))"
    for value in ("", "0"):
        proc = run_python(code, str(layerhub_site), env={settings.ACTIVATE: value})
        assert last_json(proc.stdout) == []


def test_an_editable_install_has_the_switch_too(tmp_path):
    """``pip install -e`` (how the project is developed) installs the ``.pth`` as well.
    (``--target``: a ``--prefix`` install would uninstall the layerhub running this.)"""
    site = tmp_path / "site"
    pip("install", "--no-deps", "--no-build-isolation", "-e", str(ROOT), "--target", str(site))
    assert (site / PTH).read_text() == (ROOT / "src" / PTH).read_text()
    code = START + "import sys; print('layerhub.kerasio.activation' in sys.modules)"
    for value, imported in (("1", "True"), ("", "False")):
        proc = run_python(code, str(site), env={settings.ACTIVATE: value})
        assert proc.stdout.split()[-1] == imported


def test_pth_file_spells_the_setting():
    pth = (ROOT / "src" / PTH).read_text()
    assert pth.count("\n") == 1 and pth.startswith("import ")
    assert f'"{settings.ACTIVATE}"' in pth


MISSING_WITHOUT_SWITCH = """
import json, sys
import keras, layerhub
from layerhub.kerasio.activation import deactivate
d = sys.argv[1]
outcome = {}
for step in ("before", "active", "after"):
    if step == "active":
        layerhub.activate()
        layerhub.activate()  # twice changes nothing
    try:
        keras.saving.load_model(d + "/seed.keras")
        outcome[step] = "loaded"
    except Exception as exc:
        outcome[step] = type(exc).__name__
    if step == "active":
        deactivate()
outcome["restored"] = keras.saving.load_model.__module__
print(json.dumps(outcome))
"""


def test_activate_and_deactivate_in_process(seed_models, seed_site):
    proc = run_python(MISSING_WITHOUT_SWITCH, str(seed_models), site=seed_site, timeout=TIMEOUT)
    # Keras alone cannot find the plugin objects; activated, the plugin provides them.
    # (Once imported, the plugin module stays registered with Keras, as in any process.)
    assert last_json(proc.stdout)["before"] == "TypeError"
    assert last_json(proc.stdout)["active"] == "loaded"
    assert last_json(proc.stdout)["restored"] == "keras.src.saving.saving_api"
