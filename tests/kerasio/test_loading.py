"""load_model end to end: saved by plain ``model.save``, loaded in a fresh process that
never imports the plugin itself. Plugins are real pip installs (see conftest)."""

from __future__ import annotations

import pytest
from support import last_json, run_python

pytestmark = pytest.mark.slow

ROUND_TRIP = """
import json, sys
import numpy as np
import layerhub

d = sys.argv[1]
assert not any(m.startswith("layerhub_seed") for m in sys.modules)
model = layerhub.load_model(d + "/seed.keras")
x, y = np.load(d + "/x.npy"), np.load(d + "/y.npy")
predicted, expected = model.predict(x, verbose=0), np.load(d + "/expected.npy")
import keras  # imported by the load already
if keras.backend.backend() == "tensorflow":  # the backend the fixture was saved on
    np.testing.assert_array_equal(predicted, expected)
else:  # the same weights, computed in another order: equal to float rounding
    np.testing.assert_allclose(predicted, expected, rtol=1e-6, atol=1e-6)
assert int(model.optimizer.iterations.numpy()) == int(np.load(d + "/iterations.npy"))
restored = np.concatenate([np.ravel(v.numpy()) for v in model.optimizer.variables])
np.testing.assert_array_equal(restored, np.load(d + "/optimizer_vars.npy"))
before = int(model.optimizer.iterations.numpy())
model.fit(x, y, epochs=1, verbose=0)
legacy = layerhub.load_model(d + "/seed.h5")
np.testing.assert_allclose(legacy.predict(x, verbose=0), np.load(d + "/expected.npy"), rtol=1e-6)
print(json.dumps({
    "optimizer": type(model.optimizer).__name__,
    "loss": type(model.loss).__name__,
    "resumed": int(model.optimizer.iterations.numpy()) - before,
    "legacy": type(legacy).__name__,
}))
"""


@pytest.mark.backends
def test_seed_model_round_trips_with_no_custom_objects(seed_models, seed_site):
    result = last_json(run_python(ROUND_TRIP, str(seed_models), site=seed_site).stdout)
    assert result["optimizer"] == "ScaledSGD" and result["loss"] == "ScaledMSE"
    assert result["resumed"] == 1  # 32 samples, one batch: training went on from the saved step
    assert result["legacy"] == "Functional"


MISSING = """
import json, sys, layerhub
try:
    layerhub.load_model(sys.argv[1])
except layerhub.MissingObjectsError as exc:
    assert isinstance(exc, TypeError)
    print(json.dumps({"missing": {m.name: m.pointer for m in exc.missing}, "message": str(exc)}))
"""


def test_every_missing_name_is_reported_at_once(seed_models, plugin_site):
    site = plugin_site("acme-blocks")  # a plugin is installed, but not the one needed
    result = last_json(run_python(MISSING, str(seed_models / "seed.keras"), site=site).stdout)
    missing = result["missing"]
    assert len(missing) == 14
    assert missing["LayerhubSeed>ScaledSGD"] == "/compile_config/optimizer"
    assert missing["my_package>custom_fn"].startswith("/config/layers/")
    assert all(name in result["message"] for name in missing)


USER_WINS = """
import json, sys
import numpy as np
import keras, layerhub
from layerhub_seed.objects import CustomLayer as PluginCustomLayer  # registers globally

class Doubling(keras.layers.Layer):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
    def call(self, x):
        return x * self.factor * 2
    def get_config(self):
        return {**super().get_config(), "factor": self.factor}

d = sys.argv[1]
x = np.load(d + "/x.npy")
mine = layerhub.load_model(d + "/seed.keras", custom_objects={"MyLayers>CustomLayer": Doubling})
plugin = layerhub.load_model(d + "/seed.keras")
assert keras.saving.get_custom_objects()["MyLayers>CustomLayer"] is PluginCustomLayer
with keras.saving.custom_object_scope({"MyLayers>CustomLayer": Doubling}):
    scoped = layerhub.load_model(d + "/seed.keras")
print(json.dumps({
    "mine": type(mine.get_layer("scale")).__name__,
    "plugin": type(plugin.get_layer("scale")).__name__,
    "differs": bool(np.any(mine.predict(x, verbose=0) != plugin.predict(x, verbose=0))),
    "scoped": type(scoped.get_layer("scale")).__name__,
}))
"""


@pytest.mark.backends
def test_user_custom_objects_win_over_plugins(seed_models, seed_site):
    result = last_json(run_python(USER_WINS, str(seed_models), site=seed_site).stdout)
    assert result == {
        "mine": "Doubling",
        "plugin": "CustomLayer",
        "differs": True,
        "scoped": "Doubling",
    }


THREADS = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
import numpy as np
import layerhub

d = sys.argv[1]
x, expected = np.load(d + "/x.npy"), np.load(d + "/expected.npy")

def load(_):
    model = layerhub.load_model(d + "/seed.keras")
    return bool(np.array_equal(model.predict(x, verbose=0), expected))

with ThreadPoolExecutor(8) as pool:
    print(json.dumps(list(pool.map(load, range(8)))))
"""


def test_eight_threads_load_at_once(seed_models, seed_site):
    assert last_json(run_python(THREADS, str(seed_models), site=seed_site).stdout) == [True] * 8


SAVE_THEN_FAIL = """
import sys
import keras, layerhub
from layerhub_seed import examples

path = sys.argv[1]
model = examples.build_model()
layerhub.save_model(model, path)
before = open(path, "rb").read()

class Unsaveable(keras.layers.Layer):
    def get_config(self):
        raise RuntimeError("cannot serialize")

broken = keras.Sequential([keras.Input((4,)), Unsaveable()])
try:
    layerhub.save_model(broken, path)
except RuntimeError:
    pass
else:
    raise AssertionError("the save should have failed")
assert open(path, "rb").read() == before, "the previous file changed"
import os
leftovers = [n for n in os.listdir(os.path.dirname(path)) if n != os.path.basename(path)]
assert leftovers == [], leftovers
layerhub.load_model(path)
print("ok")
"""


def test_a_failed_save_leaves_the_previous_file_intact(tmp_path, seed_site):
    run_python(SAVE_THEN_FAIL, str(tmp_path / "model.keras"), site=seed_site)


ACME_SAVE = """
import sys
import numpy as np
import keras
from acme_blocks import layers as acme

d = sys.argv[1]
keras.utils.set_random_seed(3)
inputs = keras.Input((8,))
x = acme.GatedResidual(8, inner=keras.layers.Dense(8, activation=acme.sq_relu))(inputs)
outputs = keras.layers.Dense(1, kernel_regularizer=acme.OrthoPenalty(1e-3),
                             kernel_constraint=acme.UnitNormRows())(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(acme.CosineDecay(0.01, 50)), loss=acme.FocalMSE())
tower = acme.Tower(8, 2)
tower.compile(optimizer="adam", loss=acme.FocalMSE(gamma=1.0))
data = np.random.default_rng(0).random((16, 8), dtype=np.float32)
target = data.sum(axis=1, keepdims=True)
model.fit(data, target, epochs=2, verbose=0)
tower.fit(data, target, epochs=2, verbose=0)
model.save(d + "/functional.keras")
tower.save(d + "/tower.keras")
np.save(d + "/data.npy", data)
np.save(d + "/target.npy", target)
np.save(d + "/functional.npy", model.predict(data, verbose=0))
np.save(d + "/tower.npy", tower.predict(data, verbose=0))
"""

ACME_LOAD = """
import json, sys, warnings
import numpy as np
d = sys.argv[1]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import layerhub
    functional = layerhub.load_model(d + "/functional.keras")
    tower = layerhub.load_model(d + "/tower.keras")
data = np.load(d + "/data.npy")
np.testing.assert_array_equal(functional.predict(data, verbose=0), np.load(d + "/functional.npy"))
np.testing.assert_array_equal(tower.predict(data, verbose=0), np.load(d + "/tower.npy"))
steps = int(functional.optimizer.iterations.numpy())
functional.fit(data, np.load(d + "/target.npy"), verbose=0)
print(json.dumps({
    "warnings": [str(w.message) for w in caught if w.category is layerhub.PluginWarning],
    "steps": [steps, int(functional.optimizer.iterations.numpy())],
    "schedule": type(functional.optimizer.learning_rate).__name__
        if not hasattr(functional.optimizer, "_learning_rate")
        else type(functional.optimizer._learning_rate).__name__,
    "tower": type(tower).__name__,
}))
"""


def test_third_party_plugin_written_against_the_contract(tmp_path, plugin_site):
    save_site = plugin_site("acme-blocks")
    run_python(ACME_SAVE, str(tmp_path), site=save_site)
    site = plugin_site("acme-blocks", "broken-import", "broken-hook")
    result = last_json(run_python(ACME_LOAD, str(tmp_path), site=site).stdout)
    assert result["tower"] == "Tower"
    assert result["steps"] == [2, 3]
    assert result["schedule"] == "CosineDecay"
    assert any("broken-import" in w for w in result["warnings"])
    assert any("broken-hook" in w for w in result["warnings"])


SCOPE = """
import json, sys
import numpy as np
import keras, layerhub

d = sys.argv[1]
source = layerhub.load_model(d + "/seed.keras")
# The load imports the module this model's objects live in, and none other of the
# plugin's: its examples module, named only by registry entries, stays unimported.
assert "layerhub_seed.objects" in sys.modules and "layerhub_seed.examples" not in sys.modules
# layerhub imports modules, not single classes, and Keras registers every class of an
# imported module: SubclassedModel, which this model does not use, is registered too.
assert "LayerhubSeed>SubclassedModel" in keras.saving.get_custom_objects()
json_config = source.to_json()
with layerhub.scope():
    rebuilt = keras.models.model_from_json(json_config)
    clone = keras.models.clone_model(source)
    from_config = keras.Model.from_config(source.get_config())
    schedule = keras.saving.deserialize_keras_object(
        {"module": None, "class_name": "WarmupSchedule", "config": {"peak": 0.5, "warmup_steps": 2},
         "registered_name": "LayerhubSeed>WarmupSchedule"})
rebuilt.set_weights(source.get_weights())
x = np.load(d + "/x.npy")
np.testing.assert_array_equal(rebuilt.predict(x, verbose=0), source.predict(x, verbose=0))
print(json.dumps([type(m).__name__ for m in (rebuilt, clone, from_config, schedule)]))
"""


@pytest.mark.backends
def test_scope_serves_model_from_json_clone_and_deserialize(seed_models, seed_site):
    result = last_json(run_python(SCOPE, str(seed_models), site=seed_site).stdout)
    assert result == ["Functional", "Functional", "Functional", "WarmupSchedule"]
