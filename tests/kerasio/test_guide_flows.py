"""Every flow of the Keras saving guide, with objects that come from a plugin.

One child process saves everything the flows need with plain Keras (the "training
program", which imports the plugin like its author would); every test then checks a
flow in a fresh process that imports only layerhub, against values the saving process
recorded. Tests marked ``backends`` run on TensorFlow and again on JAX and PyTorch in CI
(``KERAS_BACKEND=jax``, ``=torch``); export needs TensorFlow.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from support import last_json, run_layerhub, run_python

pytestmark = pytest.mark.slow
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")

#: Behaviour of one object of each kind on fixed inputs: what a round trip must keep.
FINGERPRINT = """
import numpy as np
import keras

W = np.linspace(-1.0, 1.0, 6, dtype="float32").reshape(2, 3)
Y, P = W, W[::-1] * 0.5

def fingerprint(kind, obj):
    out = keras.ops.convert_to_numpy
    if kind in ("regularizer", "activation", "layer", "constraint"):
        value = obj(W * 3.0 if kind == "constraint" else W)
    elif kind == "initializer":
        value = obj((2, 3), dtype="float32")
    elif kind == "schedule":
        value = [obj(step) for step in (0, 3, 10)]
    elif kind in ("loss", "loss_function"):
        value = keras.ops.mean(obj(Y, P))
    elif kind == "metric":
        obj.update_state(Y, P)
        value = obj.result()
    elif kind == "optimizer":
        variable = keras.Variable(W)
        obj.apply_gradients([(keras.ops.ones_like(W), variable)])
        value = variable
    return np.ravel(np.asarray([out(v) for v in value] if isinstance(value, list) else out(value)))
"""

SAVE = (
    FINGERPRINT
    + """
import json, sys
from pathlib import Path
from layerhub_seed import examples, objects as o

out = Path(sys.argv[1])
x, y = examples.data()
model = examples.build_model()
model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
model.save(out / "seed.keras")
model.save(out / "seed_dir", zipped=False)
model.save(out / "seed.h5")
model.save_weights(out / "seed.weights.h5")
(out / "seed.json").write_text(model.to_json())
np.save(out / "x.npy", x)
np.save(out / "y.npy", y)
np.save(out / "expected.npy", model.predict(x, verbose=0))
meta = {
    "iterations": int(keras.ops.convert_to_numpy(model.optimizer.iterations)),
    "weights": [[list(v.shape), v.dtype] for v in model.weights],
    "optimizer": [[list(v.shape), v.dtype] for v in model.optimizer.variables],
}
# Training goes on in the saving program: a loaded model must land on the same values.
model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
np.save(out / "resumed.npy", model.predict(x, verbose=0))

# The guide's weight-transfer pair: a subclassed model and a functional one, both with
# plugin layers and compatible weights.
examples.build_subclassed().save(out / "subclassed.keras")
inputs = keras.Input((4,))
hidden = o.NestedDenseLayer(64, name="nested")(inputs)
outputs = keras.layers.Dense(3, name="predictions")(hidden)
keras.Model(inputs, outputs).save(out / "functional.keras")

kinds = {
    "regularizer": o.ScaledL2(0.003),
    "initializer": o.ConstantScale(0.2),
    "constraint": o.ClipValue(1.5),
    "schedule": o.WarmupSchedule(0.02, 7),
    "loss": o.ScaledMSE(3.0),
    "loss_function": o.scaled_mae,
    "metric": o.PeakError(),
    "optimizer": o.ScaledSGD(grad_scale=0.25, learning_rate=0.1, momentum=0.5),
    "activation": o.custom_fn,
    "layer": o.CustomLayer(0.5),
}
meta["kinds"] = {
    kind: {
        "config": keras.saving.serialize_keras_object(obj),
        "fingerprint": fingerprint(kind, obj).tolist(),
    }
    for kind, obj in kinds.items()
}
(out / "meta.json").write_text(json.dumps(meta))
"""
)


@pytest.fixture(scope="session")
def saved(tmp_path_factory: pytest.TempPathFactory, seed_site: Path) -> Path:
    """Everything the flows start from, saved by plain Keras with the plugin imported."""
    out = tmp_path_factory.mktemp("guide-flows")
    run_python(SAVE, str(out), site=seed_site)
    return out


def meta(saved: Path) -> dict:
    return json.loads((saved / "meta.json").read_text())


# -- 1. .keras save and load, with compile and optimizer state ------------------------------
RESUME = """
import json, sys
import numpy as np
import keras, layerhub

d = sys.argv[1]
assert not any(m.startswith("layerhub_seed") for m in sys.modules)
x, y = np.load(d + "/x.npy"), np.load(d + "/y.npy")
model = layerhub.load_model(d + "/seed.keras")
np.testing.assert_allclose(model.predict(x, verbose=0), np.load(d + "/expected.npy"), rtol=1e-6)
loaded = {
    "backend": keras.backend.backend(),
    "optimizer": type(model.optimizer).__name__,
    "schedule": type(model.optimizer._learning_rate).__name__,
    "loss": type(model.loss).__name__,
    "iterations": int(keras.ops.convert_to_numpy(model.optimizer.iterations)),
}
model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
np.testing.assert_allclose(
    model.predict(x, verbose=0), np.load(d + "/resumed.npy"), rtol=1e-5, atol=1e-6)

# The control: the same model with a fresh optimizer does not land there.
control = layerhub.load_model(d + "/seed.keras", compile=False)
control.compile(optimizer=type(model.optimizer)(**{
    **model.optimizer.get_config(), "learning_rate": 0.01}), loss=model.loss)
control.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
loaded["control_differs"] = not np.allclose(
    control.predict(x, verbose=0), np.load(d + "/resumed.npy"), rtol=1e-5, atol=1e-6)
print(json.dumps(loaded))
"""


@pytest.mark.backends
def test_keras_archive_keeps_compile_state_and_training_resumes(saved, seed_site):
    result = last_json(run_python(RESUME, str(saved), site=seed_site).stdout)
    assert result == {
        "backend": BACKEND,
        "optimizer": "ScaledSGD",
        "schedule": "WarmupSchedule",
        "loss": "ScaledMSE",
        "iterations": meta(saved)["iterations"],
        "control_differs": True,
    }


# -- 2 and 3. custom_objects / scopes, get_config, clone_model, to_json ----------------------
CONFIG_FLOWS = """
import json, sys
import numpy as np
import keras, layerhub

d = sys.argv[1]
with open(d + "/seed.json") as f:
    text = f.read()
result = {}
try:
    keras.models.model_from_json(text)  # plain Keras, plugin never imported
except (TypeError, ValueError) as exc:
    result["plain_keras"] = type(exc).__name__

rebuilt = layerhub.model_from_json(text)
result["imported_by_layerhub"] = sorted(m for m in sys.modules if m.startswith("layerhub_seed"))
result["same_json"] = json.loads(rebuilt.to_json())["config"] == json.loads(text)["config"]

x = np.load(d + "/x.npy")
rebuilt.load_weights(d + "/seed.weights.h5")
np.testing.assert_allclose(rebuilt.predict(x, verbose=0), np.load(d + "/expected.npy"), rtol=1e-6)

with layerhub.scope():
    from_config = keras.Model.from_config(rebuilt.get_config())
    from_json = keras.models.model_from_json(text)
clone = keras.models.clone_model(rebuilt)
assert from_config.get_config() == from_json.get_config() == rebuilt.get_config()
assert [type(l) for l in clone.layers] == [type(l) for l in rebuilt.layers]
for copy in (from_config, from_json, clone):
    copy.set_weights(rebuilt.get_weights())
    np.testing.assert_allclose(copy.predict(x, verbose=0), np.load(d + "/expected.npy"), rtol=1e-6)

class Doubling(keras.layers.Layer):  # the user's own CustomLayer beats the plugin's
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
    def call(self, x):
        return x * self.factor * 2
    def get_config(self):
        return {**super().get_config(), "factor": self.factor}

mine = {"MyLayers>CustomLayer": Doubling}
result["user_objects"] = [
    type(layerhub.model_from_json(text, custom_objects=mine).get_layer("scale")).__name__,
]
with keras.saving.custom_object_scope(mine):
    result["user_objects"].append(type(layerhub.model_from_json(text).get_layer("scale")).__name__)
with layerhub.scope(mine):
    result["user_objects"].append(
        type(keras.saving.load_model(d + "/seed.keras").get_layer("scale")).__name__)
    result["user_objects"].append(
        type(keras.models.model_from_json(text).get_layer("scale")).__name__)
result["plugin_again"] = type(layerhub.model_from_json(text).get_layer("scale")).__name__

try:
    layerhub.model_from_json("{not json")
except layerhub.LayerhubError as exc:
    result["bad_json"] = [isinstance(exc, ValueError), str(exc)]
print(json.dumps(result))
"""


@pytest.mark.backends
def test_config_json_clone_and_user_objects(saved, seed_site):
    result = last_json(run_python(CONFIG_FLOWS, str(saved), site=seed_site).stdout)
    assert result["plain_keras"] in ("TypeError", "ValueError")
    # What the model references, not layerhub_seed.examples (the seed declares its names
    # statically: discovery imports none of it); and the keras-free estimates module,
    # which the JSON's resource budget calls, as load_model's does.
    assert set(result["imported_by_layerhub"]) == {
        "layerhub_seed",
        "layerhub_seed.estimates",
        "layerhub_seed.objects",
    }
    assert result["same_json"] is True
    assert result["user_objects"] == ["Doubling"] * 4
    assert result["plugin_again"] == "CustomLayer"
    assert result["bad_json"][0] is True and "model JSON" in result["bad_json"][1]


# -- 4. serialize_keras_object / deserialize_keras_object for every kind ---------------------
KINDS = (
    FINGERPRINT
    + """
import json, sys
import layerhub

kinds = json.loads(open(sys.argv[1] + "/meta.json").read())["kinds"]
first = next(iter(kinds.values()))["config"]
try:
    keras.saving.deserialize_keras_object(first)
    plain = "loaded"
except (TypeError, ValueError):
    plain = "refused"
result = {"plain_keras": plain}
with layerhub.scope():
    for kind, saved in kinds.items():
        obj = keras.saving.deserialize_keras_object(saved["config"])
        again = keras.saving.serialize_keras_object(obj)
        np.testing.assert_allclose(fingerprint(kind, obj), saved["fingerprint"], rtol=1e-6)
        result[kind] = again == saved["config"]
print(json.dumps(result))
"""
)


@pytest.mark.backends
def test_every_kind_of_plugin_object_round_trips(saved, seed_site):
    result = last_json(run_python(KINDS, str(saved), site=seed_site).stdout)
    assert result.pop("plain_keras") == "refused"
    assert set(result) == set(meta(saved)["kinds"])
    assert all(result.values()), result


# -- 5. weights only ----------------------------------------------------------------------
WEIGHTS = """
import json, sys
import numpy as np
import keras, layerhub

d = sys.argv[1]
x, y = np.load(d + "/x.npy"), np.load(d + "/y.npy")
expected = np.load(d + "/expected.npy")
with open(d + "/seed.json") as f:
    text = f.read()
result = {}

# save_weights / load_weights with .weights.h5, into an architecture rebuilt from JSON.
model = layerhub.model_from_json(text)
result["fresh_differs"] = not np.allclose(model.predict(x, verbose=0), expected)
model.load_weights(d + "/seed.weights.h5")
np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
model.save_weights(d + "/again.weights.h5")
other = layerhub.model_from_json(text)
other.load_weights(d + "/again.weights.h5")
np.testing.assert_allclose(other.predict(x, verbose=0), expected, rtol=1e-6)

# In memory: get_weights / set_weights between a functional and a subclassed model.
functional = layerhub.load_model(d + "/functional.keras")
subclassed = layerhub.load_model(d + "/subclassed.keras")
result["pair"] = [type(functional.get_layer("nested")).__name__, type(subclassed).__name__]
subclassed.set_weights(functional.get_weights())
assert len(functional.weights) == len(subclassed.weights)
for a, b in zip(functional.weights, subclassed.weights):
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))

# The guide's transfer-learning example: load pretrained weights into the original
# architecture, then extract its (plugin) layers into a new model with a new head.
pretrained = layerhub.model_from_json(text)
pretrained.load_weights(d + "/seed.weights.h5")
extracted = pretrained.layers[:-1]
extracted.append(keras.layers.Dense(5, name="dense_3"))
transfer = keras.Sequential(extracted)
for layer in transfer.layers[:-1]:
    for a, b in zip(layer.get_weights(), pretrained.get_layer(layer.name).get_weights()):
        np.testing.assert_array_equal(a, b)
transfer.compile(optimizer="adam", loss="mse")
transfer.fit(x, np.repeat(y, 5, axis=1), epochs=1, verbose=0)
transfer.save(d + "/transfer.keras")
reloaded = layerhub.load_model(d + "/transfer.keras")
np.testing.assert_allclose(reloaded.predict(x, verbose=0), transfer.predict(x, verbose=0),
                           rtol=1e-6)
result["transfer"] = [type(layer).__name__ for layer in reloaded.layers]
print(json.dumps(result))
"""


@pytest.mark.backends
def test_weights_only_flows(saved, seed_site):
    result = last_json(run_python(WEIGHTS, str(saved), site=seed_site).stdout)
    assert result["fresh_differs"] is True
    assert result["pair"] == ["NestedDenseLayer", "SubclassedModel"]
    assert result["transfer"] == [
        "CustomLayer",
        "MyDense",
        "CustomModel",
        "SublayerWrapper",
        "NestedDenseLayer",
        "Dense",
    ]


INSPECT = """
import json, sys
from layerhub.cli import main
code = main(["inspect", sys.argv[1], "--json"])
assert code == 0
assert "keras" not in sys.modules and "tensorflow" not in sys.modules, "inspect imported keras"
"""


def test_inspect_lists_the_weight_tree_without_keras(saved):
    def shapes(rows):
        return sorted((list(shape), dtype) for shape, dtype in rows)

    stored = meta(saved)
    listed = json.loads(run_python(INSPECT, str(saved / "seed.weights.h5")).stdout)
    rows = listed["weights"]
    layers = [(w["shape"], w["dtype"]) for w in rows if w["path"].startswith("layers/")]
    optimizer = [(w["shape"], w["dtype"]) for w in rows if w["path"].startswith("optimizer/")]
    assert shapes(layers) == shapes(stored["weights"])
    assert shapes(optimizer) == shapes(stored["optimizer"])
    assert len(rows) == len(layers) + len(optimizer) == listed["arrays"]
    # The same tree inside a .keras archive, zipped or not, read without unpacking it.
    for archive in ("seed.keras", "seed_dir"):
        assert json.loads(run_python(INSPECT, str(saved / archive)).stdout)["weights"] == rows
    # A legacy .h5 model names its arrays its own way; the same numbers are stored.
    legacy = json.loads(run_python(INSPECT, str(saved / "seed.h5")).stdout)
    assert (legacy["arrays"], legacy["parameters"]) == (listed["arrays"], listed["parameters"])

    human = run_layerhub("inspect", str(saved / "seed.weights.h5"))
    assert human.returncode == 0 and f"{len(rows)} array(s)" in human.stdout
    bad = run_layerhub("inspect", str(saved / "seed.json"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1 and "seed.json" in bad.stderr


# -- 6. legacy H5 -------------------------------------------------------------------------
LEGACY = """
import json, sys
from pathlib import Path
import numpy as np
import layerhub

d = Path(sys.argv[1])
x = np.load(d / "x.npy")
model = layerhub.load_model(d / "seed.h5")
np.testing.assert_allclose(model.predict(x, verbose=0), np.load(d / "expected.npy"), rtol=1e-6)
model.save(d / "again.h5")
again = layerhub.load_model(str(d / "again.h5"))
np.testing.assert_allclose(again.predict(x, verbose=0), np.load(d / "expected.npy"), rtol=1e-6)
print(json.dumps([type(l).__name__ for l in again.layers[1:]] + [type(again.optimizer).__name__]))
"""


@pytest.mark.backends
def test_legacy_h5_with_plugin_layers(saved, seed_site):
    result = last_json(run_python(LEGACY, str(saved), site=seed_site).stdout)
    assert result == [
        "CustomLayer",
        "MyDense",
        "CustomModel",
        "SublayerWrapper",
        "NestedDenseLayer",
        "Dense",
        "ScaledSGD",
    ]


# -- 8. drop-in: what keras.saving.load_model takes, and the same result -------------------
DROP_IN = """
import json, sys
from pathlib import Path
import numpy as np
import keras, layerhub

d = Path(sys.argv[1])
x = np.load(d / "x.npy")
summary = []
for name in ("seed.keras", "seed_dir", "seed.h5"):
    for path in (d / name, str(d / name)):
        ours = layerhub.load_model(path)  # first: nothing of the plugin imported yet
        theirs = keras.saving.load_model(path)  # now the plugin is registered with Keras
        assert type(ours) is type(theirs)
        assert ours.get_config() == theirs.get_config()
        assert ours.compiled == theirs.compiled
        assert ours.optimizer.get_config() == theirs.optimizer.get_config()
        for a, b in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(ours.optimizer.variables, theirs.optimizer.variables):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(a),
                                          keras.ops.convert_to_numpy(b))
        np.testing.assert_array_equal(ours.predict(x, verbose=0), theirs.predict(x, verbose=0))
        summary.append([name, type(path).__name__, type(ours).__name__])
    bare = layerhub.load_model(d / name, compile=False)
    assert not bare.compiled
errors = {}
for bad in (d / "missing.keras", d / "model.pkl", d / "x.npy"):
    for loader in (keras.saving.load_model, layerhub.load_model):
        try:
            loader(bad)
        except ValueError as exc:
            errors.setdefault(bad.name, []).append(str(exc).split(":")[0])
print(json.dumps({"loaded": summary, "errors": errors}))
"""


@pytest.mark.backends
def test_load_model_is_a_drop_in(saved, seed_site):
    result = last_json(run_python(DROP_IN, str(saved), site=seed_site).stdout)
    assert len(result["loaded"]) == 6
    assert {row[2] for row in result["loaded"]} == {"Functional"}
    for name, (keras_error, layerhub_error) in result["errors"].items():
        assert keras_error == layerhub_error, name


KERAS_SUITE = [
    "keras/src/saving/saving_api_test.py",
    "keras/src/saving/saving_lib_test.py",
    "keras/src/legacy/saving/legacy_h5_format_test.py",
]
#: Fails with plain Keras too: the fixture it reads is not shipped in the Keras wheel.
KERAS_BROKEN = "test_legacy_load_skips_missing_nested_containers"
#: Where layerhub refuses a file first, for its own reason, on purpose (each is listed
#: with that reason in docs/security.md, "Keras's own saving tests").
REFUSED_FIRST = {
    "SafeZipReadTest::test_load_model_rejects_bomb_config",
    "SafeZipReadTest::test_load_model_rejects_bomb_weights",
}


@pytest.mark.slow
def test_keras_saving_suite_passes_with_layerhub_load_model(tmp_path):
    """Keras's own saving tests, with every ``load_model`` replaced by layerhub's."""
    # Found, not imported: the pytest process itself stays free of keras.
    site = Path(importlib.util.find_spec("keras").origin).parents[1]
    dropin = str(Path(__file__).parents[1] / "dropin")
    proc = run_python(
        "import sys, pytest; sys.exit(pytest.main(sys.argv[1:]))",
        "-p",
        "keras_dropin",
        "-q",
        "-rf",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "-W",
        "ignore",
        "--rootdir",
        str(tmp_path),
        "-c",
        os.devnull,
        "-k",
        f"not {KERAS_BROKEN}",
        *(str(site / path) for path in KERAS_SUITE),
        env={"PYTHONPATH": os.pathsep.join(filter(None, [dropin, os.environ.get("PYTHONPATH")]))},
        check=False,
        timeout=1200,
    )
    failed = {
        "::".join(line.split()[1].split("::")[-2:])
        for line in proc.stdout.splitlines()
        if line.startswith("FAILED ")
    }
    assert failed == REFUSED_FIRST, proc.stdout[-6000:] + proc.stderr[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert int(summary.split(" passed")[0].split()[-1]) >= 40, summary
    calls = int(proc.stdout.split("layerhub.load_model calls: ")[1].split()[0])
    assert calls >= 40, proc.stdout[-2000:]


# -- 7. export ----------------------------------------------------------------------------
EXPORT_ARCHIVE = """
import sys
import tensorflow as tf
import keras, layerhub

d = sys.argv[1]
model = layerhub.load_model(d + "/seed.keras")
features = keras.Model(model.inputs, model.get_layer("nested").output)
archive = keras.export.ExportArchive()
archive.track(model)
archive.track(features)
spec = [tf.TensorSpec(shape=(None, 4), dtype=tf.float32)]
archive.add_endpoint("serve", model.call, input_signature=spec)
archive.add_endpoint("features", features.call, input_signature=spec)
archive.add_variable_collection("plugin_vars", model.get_layer("kernel_mult").weights)
archive.write_out(d + "/archive", verbose=False)
import numpy as np
np.save(d + "/features.npy", keras.ops.convert_to_numpy(features(np.load(d + "/x.npy"))))
"""

#: Serving, in a process where neither layerhub nor the plugin can be imported.
SERVE = """
import importlib.util, json, os, sys
blocked = ("layerhub", "layerhub_seed")
sys.path[:] = [p for p in sys.path
               if not any(os.path.exists(os.path.join(p or ".", name)) for name in blocked)]
for name in blocked:
    assert importlib.util.find_spec(name) is None, name
import numpy as np
import tensorflow as tf

d = sys.argv[1]
x = np.load(d + "/x.npy")
exported = tf.saved_model.load(d + "/exported")
served = exported.serve(x).numpy()
np.testing.assert_allclose(served, np.load(d + "/expected.npy"), rtol=1e-5, atol=1e-6)
archive = tf.saved_model.load(d + "/archive")
np.testing.assert_allclose(archive.serve(x).numpy(), np.load(d + "/expected.npy"),
                           rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(archive.features(x).numpy(), np.load(d + "/features.npy"),
                           rtol=1e-5, atol=1e-6)
print(json.dumps({"plugin_vars": len(archive.plugin_vars),
                  "modules": sorted(m for m in sys.modules if m.startswith("layerhub"))}))
"""


@pytest.mark.skipif(BACKEND != "tensorflow", reason="export needs the TensorFlow backend")
def test_export_serves_without_layerhub_or_the_plugin(saved, seed_site):
    exported = run_layerhub(
        "export", str(saved / "seed.keras"), str(saved / "exported"), "--json", site=seed_site
    )
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["format"] == "tf_saved_model"
    run_python(EXPORT_ARCHIVE, str(saved), site=seed_site)

    result = last_json(run_python(SERVE, str(saved)).stdout)
    assert result == {"plugin_vars": 2, "modules": []}

    again = run_layerhub("export", str(saved / "seed.keras"), str(saved / "exported"))
    assert again.returncode == 2 and "--overwrite" in again.stderr


def test_export_format_without_its_dependency_is_a_clear_error(saved, seed_site):
    missing = [f for f in ("onnx", "openvino") if importlib.util.find_spec(f) is None]
    if not missing:
        pytest.skip("every optional export dependency is installed")
    proc = run_layerhub(
        "export",
        str(saved / "seed.keras"),
        str(saved / "out"),
        "--format",
        missing[0],
        site=seed_site,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"pip install {missing[0]}" in proc.stderr
    assert not (saved / "out").exists()
