"""``layerhub.model_from_json(..., safe_mode=True)``: a model JSON gets the analysis
``load_model`` gives a file's config, and is refused before Keras or any plugin is
imported; ``safe_mode=False`` builds what Keras builds, in a safe-mode scope of the call's
own. The refusals run in a fresh process that must never import keras (the fast tier
blocks it there); the builds are slow tests."""

from __future__ import annotations

import copy
import json
import zipfile

import pytest
from support import ROOT, last_json, run_python

FIXTURES = ROOT / "tests" / "fixtures" / "keras"


def config_of(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("config.json"))


def with_dense(edit) -> str:
    """The committed ``dense.keras`` model's config as JSON, its first Dense edited."""
    config = copy.deepcopy(config_of(FIXTURES / "benign" / "dense.keras"))
    edit(config["config"]["layers"][1]["config"])
    return json.dumps(config)


SETTER = {
    "module": "keras.config",
    "class_name": "function",
    "config": "set_max_epochs",
    "registered_name": "set_max_epochs",
}

REFUSE = """
import json, sys
import layerhub

def refusal(text, **kwargs):
    try:
        layerhub.model_from_json(text, **kwargs)
    except layerhub.UnsafeArchiveError as exc:
        return {"message": str(exc), "findings": [[f.code, f.location] for f in exc.findings]}
    return None

cases = json.loads(sys.stdin.read())
result = {name: refusal(text, **kwargs) for name, (text, kwargs) in cases.items()}
print(json.dumps({"result": result, "keras": "keras" in sys.modules}))
"""


def refusals(cases: dict) -> dict:
    code = REFUSE.replace("sys.stdin.read()", repr(json.dumps(cases)))
    return last_json(run_python(code).stdout)


def test_a_refused_json_is_refused_before_keras_is_imported():
    lambda_json = json.dumps(config_of(FIXTURES / "corpus" / "lambda_layer.keras"))
    setter = with_dense(lambda c: c.update(activation=SETTER))
    bomb = with_dense(lambda c: c.update(units=10**12))
    reply = refusals(
        {
            "lambda": [lambda_json, {}],
            "setter": [setter, {}],
            "bomb_trusted": [bomb, {"safe_mode": False}],
        }
    )
    result = reply["result"]
    assert result["lambda"]["findings"] == [["lambda", "/config/layers/1/config/function"]]
    assert result["lambda"]["message"].startswith("model JSON: refused 1 finding(s)")
    assert "pass safe_mode=False" in result["lambda"]["message"]
    assert result["setter"]["findings"] == [
        ["non-modeling-api", "/config/layers/1/config/activation"]
    ]
    # What load_model refuses whatever safe_mode says, model_from_json refuses too.
    bomb_findings = result["bomb_trusted"]["findings"]
    assert {code for code, _ in bomb_findings} == {"absurd-shape", "weights-over-cap"}
    assert all(where.startswith("/config/layers/1") for _, where in bomb_findings)
    assert "safe_mode=False" not in result["bomb_trusted"]["message"]
    assert reply["keras"] is False


def test_the_refused_findings_are_those_load_model_refuses():
    """One policy: the JSON's refusal names exactly the findings ``check_archive`` refuses
    in the same config read from its file, the way ``load_model`` reads it."""
    code = f"""
import json, layerhub
from layerhub.archive.reader import read_archive
from layerhub.safety.policy import check_archive
path = {str(FIXTURES / "corpus" / "lambda_activation.keras")!r}
archive = read_archive(path)
findings = {{}}
try:
    check_archive(archive)
except layerhub.UnsafeArchiveError as exc:
    findings["file"] = [[f.code, f.location] for f in exc.findings]
try:
    layerhub.model_from_json(json.dumps(archive.config))
except layerhub.UnsafeArchiveError as exc:
    findings["json"] = [[f.code, f.location] for f in exc.findings]
print(json.dumps(findings))
"""
    findings = last_json(run_python(code).stdout)
    assert findings["file"] and findings["json"] == findings["file"]


LAMBDA = """
import json
import numpy as np
import keras
from keras.src.saving import serialization_lib
import layerhub
from layerhub.kerasio.activation import deactivate

x = np.random.default_rng(0).random((4, 3), dtype="float32")
inputs = keras.Input((3,))
text = keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2 + 1)(inputs)).to_json()
result = {}
try:
    layerhub.model_from_json(text)
except layerhub.UnsafeArchiveError as exc:
    result["safe"] = [[f.code, f.location] for f in exc.findings]
built = layerhub.model_from_json(text, safe_mode=False)
result["built"] = bool(np.allclose(built.predict(x, verbose=0), x * 2 + 1))
result["flag_after"] = serialization_lib.in_safe_mode()  # nothing process-wide was set
try:
    keras.models.model_from_json(text)
    result["keras_after"] = "built"
except ValueError as exc:
    result["keras_after"] = "refused" if "safe_mode" in str(exc) else str(exc)
layerhub.activate()  # Keras's own callers pass custom_objects only: the safe default
try:
    keras.models.model_from_json(text)
    result["activated"] = "built"
except layerhub.UnsafeArchiveError:
    result["activated"] = "refused"
deactivate()
print(json.dumps(result))
"""


@pytest.mark.slow
def test_safe_mode_false_builds_a_lambda_model_in_a_scope_of_its_own():
    assert last_json(run_python(LAMBDA).stdout) == {
        "safe": [["lambda", "/config/layers/1/config/function"]],
        "built": True,
        "flag_after": None,
        "keras_after": "refused",
        "activated": "refused",
    }


SAVE_PLUGIN_JSON = """
import sys
import numpy as np
from layerhub_seed import examples
model = examples.build_model()
x, _ = examples.data()
out = sys.argv[1]
open(out + "/model.json", "w").write(model.to_json())
model.save_weights(out + "/model.weights.h5")
np.save(out + "/x.npy", x)
np.save(out + "/expected.npy", model.predict(x, verbose=0))
"""

LOAD_PLUGIN_JSON = """
import json, sys
import numpy as np
import layerhub
d = sys.argv[1]
model = layerhub.model_from_json(open(d + "/model.json").read())  # safe_mode=True
model.load_weights(d + "/model.weights.h5")
same = np.allclose(model.predict(np.load(d + "/x.npy"), verbose=0), np.load(d + "/expected.npy"))
plugin = sorted({type(l).__module__ for l in model.layers if "seed" in type(l).__module__})
print(json.dumps({"same": bool(same), "plugin": plugin}))
"""


@pytest.mark.slow
def test_a_plugin_model_round_trips_through_json_in_safe_mode(seed_site, tmp_path):
    run_python(SAVE_PLUGIN_JSON, str(tmp_path), site=seed_site)
    reply = last_json(run_python(LOAD_PLUGIN_JSON, str(tmp_path), site=seed_site).stdout)
    assert reply == {"same": True, "plugin": ["layerhub_seed.objects"]}
