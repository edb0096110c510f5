"""``layerhub trust``: packages that register Keras objects but declare no entry point.

One test uses tests/distributions/thirdparty-kit (a namespace package, a module nothing
imports, ``get_custom_objects().update``), the others tests/distributions/keras-tcn, a
stand-in for keras-tcn from PyPI under its name, version and import name, which the
curated index knows. Each is built into a wheel and pip-installed for real into a
throw-away site, with no network. Loads run in fresh processes that never import the
package.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from support import ROOT, last_json, run_layerhub, run_python

from layerhub.plugins.resolution import LOADER

pytestmark = pytest.mark.slow

INDEX_SCHEMA = json.loads((ROOT / "schemas" / "index.schema.json").read_text())
#: What ``resolve`` prints for the kit's model: its distribution, then layerhub, which
#: finds the trusted names (``layerhub.requirements`` gives the same lines).
RESOLVED = f"thirdparty-kit==2.1.0\n{LOADER}\n"

SAVE_KIT = """
import sys, numpy as np, keras
import tpk_core, tpk_core.extras
from tpk_ns.extra.blocks import KitGate
out = sys.argv[1]
keras.utils.set_random_seed(0)
inputs = keras.Input((4,))
x = KitGate()(tpk_core.Scale(3.0)(inputs))
model = keras.Model(inputs, keras.layers.Dense(2, activation=tpk_core.extras.shifted_relu)(x))
x = np.random.default_rng(0).random((5, 4), dtype="float32")
model.save(out + "/model.keras")
np.save(out + "/x.npy", x)
np.save(out + "/expected.npy", model.predict(x, verbose=0))
"""

SAVE_TCN = """
import sys, numpy as np, keras
from tcn import TCN
out = sys.argv[1]
keras.utils.set_random_seed(0)
inputs = keras.Input((8, 3))
x = TCN(nb_filters=4, kernel_size=2, dilations=(1, 2), return_sequences=False)(inputs)
model = keras.Model(inputs, keras.layers.Dense(1)(x))
x = np.random.default_rng(0).random((5, 8, 3), dtype="float32")
model.save(out + "/model.keras")
np.save(out + "/x.npy", x)
np.save(out + "/expected.npy", model.predict(x, verbose=0))
"""

# A fresh process: discovery must map the names without importing the package; the load
# imports exactly what the model needs and reproduces the saved predictions.
LOAD = """
import json, sys, numpy as np, layerhub
d, prefixes = sys.argv[1], tuple(sys.argv[2].split(","))
registry = layerhub.get_registry()
imported_by_discovery = sorted(m for m in sys.modules if m.startswith(prefixes))
keras_by_discovery = "keras" in sys.modules
model = layerhub.load_model(d + "/model.keras")
np.testing.assert_allclose(
    model.predict(np.load(d + "/x.npy"), verbose=0), np.load(d + "/expected.npy"), rtol=1e-5
)
print(json.dumps({
    "imported_by_discovery": imported_by_discovery,
    "keras_by_discovery": keras_by_discovery,
    "imported_by_load": sorted({m.split(".")[0] for m in sys.modules if m.startswith(prefixes)}),
    "layers": [type(layer).__name__ for layer in model.layers],
}))
"""

# Fails before keras is imported, so it costs no TensorFlow start-up.
MISSING = """
import json, sys, layerhub
try:
    layerhub.load_model(sys.argv[1] + "/model.keras")
except layerhub.MissingObjectsError as exc:
    # An archive naming a module never makes layerhub import it.
    assert not [m for m in sys.modules if m.startswith(("tpk_", "tcn", "keras"))], sys.modules
    print(json.dumps({m.name: m.requirement for m in exc.missing}))
else:
    raise SystemExit("loaded although nothing provides the names")
"""


STALE = """
import json, sys, layerhub
try:
    layerhub.load_model(sys.argv[1] + "/model.keras")
except layerhub.MissingObjectsError as exc:
    print(exc)
    print(json.dumps({m.name: m.requirement for m in exc.missing}))
"""


def trusted_names(result: dict) -> dict[str, tuple[str, str]]:
    (record,) = result["distributions"]
    return {o["name"]: (o["target"], o["kind"]) for o in record["objects"]}


def test_trust_then_load_without_importing_then_untrust(plugin_site, tmp_path):
    site = plugin_site("thirdparty-kit")
    env = {"LAYERHUB_HOME": str(tmp_path / "home")}
    run_python(SAVE_KIT, str(tmp_path), site=site)
    missing = last_json(run_python(MISSING, str(tmp_path), site=site, env=env).stdout)
    assert set(missing) == {"Kit>Scale", "KitGate", "Kit>shifted_relu"}
    assert set(missing.values()) == {None}  # no index knows this package

    trust = run_layerhub("trust", "thirdparty-kit", "--json", site=site, env=env)
    assert trust.returncode == 0, trust.stderr
    result = json.loads(trust.stdout)
    assert trusted_names(result) == {
        "Kit>Scale": ("tpk_core.layers:Scale", "layer"),
        "Kit>shifted_relu": ("tpk_core.extras:shifted_relu", "function"),
        "KitGate": ("tpk_ns.extra.blocks:KitGate", "layer"),
    }
    store = json.loads(Path(result["index"]).read_text())
    jsonschema.validate(store, INDEX_SCHEMA)
    assert Path(result["index"]).parent == tmp_path / "home"

    listing = json.loads(run_layerhub("list", "--json", site=site, env=env).stdout)
    assert listing["plugins"] == []
    assert [(d["distribution"], d["source"]) for d in listing["indexed"]] == [
        ("thirdparty-kit", "trusted")
    ]
    # show answers from the trusted record: neither keras nor the package is imported.
    show = run_python(
        """
        import json, sys
        from layerhub.cli import main
        assert main(["show", "Kit>Scale", "--json"]) == 0
        print(json.dumps(sorted(m for m in ("keras", "tpk_core") if m in sys.modules)))
        """,
        site=site,
        env=env,
    )
    shown = json.loads(show.stdout[: show.stdout.rindex("}") + 1])
    assert shown["distribution"] == "thirdparty-kit" and shown["version"] == "2.1.0"
    assert shown["source"] == "trusted" and shown["kind"] == "layer"
    assert shown["summary"] == "Multiplies its input by a fixed factor."
    assert last_json(show.stdout) == []

    loaded = last_json(run_python(LOAD, str(tmp_path), "tpk_", site=site, env=env).stdout)
    assert loaded["imported_by_discovery"] == [] and not loaded["keras_by_discovery"]
    assert loaded["imported_by_load"] == ["tpk_core", "tpk_ns"]
    assert loaded["layers"] == ["InputLayer", "Scale", "KitGate", "Dense"]

    # Trusted names feed resolve: one requirement line, usable as a requirements file.
    resolve = run_layerhub("resolve", str(tmp_path / "model.keras"), site=site, env=env)
    assert (resolve.returncode, resolve.stdout) == (0, RESOLVED), resolve.stderr
    # Uninstalled (not on the path) but still trusted: the error says what to reinstall.
    stale = run_python(STALE, str(tmp_path), env=env).stdout
    assert "trusted, no longer installed" in stale and "'thirdparty-kit==2.1.0'" in stale
    assert last_json(stale) == {n: "thirdparty-kit==2.1.0" for n in missing}
    resolve = run_layerhub("resolve", str(tmp_path / "model.keras"), env=env)
    assert (resolve.returncode, resolve.stdout) == (0, RESOLVED), resolve.stderr

    untrust = run_layerhub("untrust", "thirdparty_kit", site=site, env=env)
    assert untrust.returncode == 0 and "untrusted thirdparty-kit" in untrust.stdout
    assert set(last_json(run_python(MISSING, str(tmp_path), site=site, env=env).stdout)) == set(
        missing
    )
    again = run_layerhub("untrust", "thirdparty-kit", site=site, env=env)
    assert again.returncode == 1 and "was not trusted" in again.stdout


def test_trust_errors_are_one_line(tmp_path):
    env = {"LAYERHUB_HOME": str(tmp_path)}
    proc = run_layerhub("trust", "no-such-distribution-xyz", env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "layerhub: error: not installed in this environment: no-such-distribution-xyz"
    ]
    (tmp_path / "trusted.json").write_text("{not json")
    with_damaged = run_layerhub("list", "--json", env=env)
    assert with_damaged.returncode == 0
    assert "ignoring the trusted index" in with_damaged.stderr


@pytest.fixture(scope="module")
def tcn_site(plugin_site: Callable[..., Path]) -> Path:
    """The keras-tcn stand-in, pip-installed from its wheel (keras itself from the venv)."""
    return plugin_site("keras-tcn")


@pytest.fixture(scope="module")
def tcn_model(tcn_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tcn-model")
    run_python(SAVE_TCN, str(out), site=tcn_site)
    return out


def test_trust_keras_tcn(tcn_site, tcn_model, tmp_path):
    # The curated index knows keras-tcn; turn it off to see what trust alone does.
    env = {"LAYERHUB_HOME": str(tmp_path), "LAYERHUB_DISABLE_CURATED": "1"}
    d = str(tcn_model)
    assert last_json(run_python(MISSING, d, site=tcn_site, env=env).stdout) == {
        "Custom>TCN": "keras-tcn"  # still named: the curated index is a suggestion source
    }
    trust = run_layerhub("trust", "keras-tcn", site=tcn_site, env=env)
    assert trust.returncode == 0, trust.stderr
    assert "Custom>TCN  ->  tcn.tcn:TCN  (layer)" in trust.stdout

    loaded = last_json(run_python(LOAD, d, "tcn", site=tcn_site, env=env).stdout)
    assert loaded["imported_by_discovery"] == [] and not loaded["keras_by_discovery"]
    assert loaded["imported_by_load"] == ["tcn"]
    assert loaded["layers"] == ["InputLayer", "TCN", "Dense"]

    assert run_layerhub("untrust", "keras-tcn", site=tcn_site, env=env).returncode == 0
    assert set(last_json(run_python(MISSING, d, site=tcn_site, env=env).stdout)) == {"Custom>TCN"}


def test_curated_packages_resolve_with_no_user_action(tcn_site, tcn_model, tmp_path):
    env = {"LAYERHUB_HOME": str(tmp_path)}
    d = str(tcn_model)
    loaded = last_json(run_python(LOAD, d, "tcn", site=tcn_site, env=env).stdout)
    assert loaded["imported_by_discovery"] == [] and loaded["layers"][1] == "TCN"
    listing = json.loads(run_layerhub("list", "--json", site=tcn_site, env=env).stdout)
    assert [(d["distribution"], d["source"]) for d in listing["indexed"]] == [
        ("keras-tcn", "curated")
    ]
    # Not installed: the error says what to install.
    assert last_json(run_python(MISSING, d, env=env).stdout) == {"Custom>TCN": "keras-tcn"}
