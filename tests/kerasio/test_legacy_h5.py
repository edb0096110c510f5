"""Legacy ``.h5`` files as users have them: written by tf.keras 2.x and by Keras 3's
legacy path, compiled the Keras 2 way (``compile("adam", "mse")``). Keras 3 cannot
compile them back ("not a KerasSaveable subclass"); layerhub translates the training
configuration and restores the compile state and the optimizer's variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import last_json, pip, run_python

pytestmark = pytest.mark.slow

#: tf.keras 2.x is the ``tf-keras`` distribution matching the installed TensorFlow.
TF_KERAS = "tf-keras==2.21.0"

SAVE = """
import sys, numpy as np
if sys.argv[2] == "tf_keras":
    import tf_keras as keras
else:
    import keras
out = sys.argv[1] + "/" + sys.argv[2]
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(2)])
model.compile(keras.optimizers.Adam(learning_rate=0.005), "mse", metrics=["mae", "accuracy"])
x = np.random.RandomState(0).rand(8, 3).astype("float32")
model.fit(x, np.ones((8, 2)), epochs=2, verbose=0)
model.save(out + ".h5")
np.save(out + "_x.npy", x)
np.save(out + "_pred.npy", model.predict(x, verbose=0))
"""

LOAD = """
import json, sys, warnings
import numpy as np
import keras, layerhub
out = sys.argv[1] + "/" + sys.argv[2]
try:
    keras.saving.load_model(out + ".h5")
    keras_says = "loaded"
except Exception as exc:
    keras_says = str(exc)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model = layerhub.load_model(out + ".h5")
x = np.load(out + "_x.npy")
import h5py
with h5py.File(out + ".h5") as f:
    group = f["optimizer_weights"]
    names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
    saved = [group[n][()] for n in names if "learning_rate" not in n]
ours = [v.numpy() for v in model.optimizer.variables if "learning_rate" not in v.path]
print(json.dumps({
    "optimizer_state": len(saved) == len(ours) > 2
    and all(np.array_equal(a, b) for a, b in zip(saved, ours)),
    "keras": keras_says,
    "compiled": model.compiled,
    "optimizer": type(model.optimizer).__name__,
    "learning_rate": float(model.optimizer.learning_rate),
    "iterations": int(model.optimizer.iterations),
    "loss": model.loss,
    "metrics": sorted(m for m in model.get_compile_config()["metrics"]),
    "same": bool(np.array_equal(model.predict(x, verbose=0), np.load(out + "_pred.npy"))),
    "warnings": [str(w.message) for w in caught if "layerhub" in str(w.message)],
}))
"""


#: What each writer recorded for ``metrics=["mae", "accuracy"]``: Keras 3 the names,
#: tf.keras a ``MeanMetricWrapper`` of ``mean_absolute_error``.
METRICS = {"keras3": ["accuracy", "mae"], "tf_keras": ["accuracy", "mean_absolute_error"]}


@pytest.fixture(scope="module")
def legacy_files(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("legacy-h5")
    tf_keras = out / "tf-keras-site"
    pip("install", "--no-deps", "--target", str(tf_keras), TF_KERAS)
    run_python(SAVE, str(out), "tf_keras", site=tf_keras, env={"TF_USE_LEGACY_KERAS": "1"})
    run_python(SAVE, str(out), "keras3")
    return out


@pytest.mark.parametrize("writer", ["tf_keras", "keras3"])
def test_legacy_h5_loads_with_its_compile_state(legacy_files, writer):
    result = last_json(run_python(LOAD, str(legacy_files), writer, timeout=300).stdout)
    # Keras 3.15 itself cannot compile the file back...
    assert "is not a KerasSaveable subclass" in result["keras"]
    # ...layerhub restores the compile state, the optimizer's variables and the weights.
    assert result["compiled"]
    assert result["optimizer"] == "Adam"
    assert result["learning_rate"] == pytest.approx(0.005)
    assert result["iterations"] == 2  # two epochs of one batch: the saved optimizer state
    assert result["loss"] == "mse"
    assert result["metrics"] == METRICS[writer]
    assert result["optimizer_state"]  # every slot variable, not only the iteration count
    assert result["same"]
    assert result["warnings"] == []


UNRESTORABLE = """
import json, shutil, sys, warnings
import h5py
import layerhub
src = sys.argv[1] + "/keras3.h5"
path = sys.argv[1] + "/unrestorable.h5"
shutil.copy(src, path)
with h5py.File(path, "r+") as f:
    config = json.loads(f.attrs["training_config"])
    config["loss"] = {"class_name": "NoSuchLoss", "config": {}}  # nothing provides it
    f.attrs["training_config"] = json.dumps(config)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model = layerhub.load_model(path)
print(json.dumps({"compiled": model.compiled,
                  "warnings": [str(w.message) for w in caught if "layerhub" in str(w.message)]}))
"""


def test_what_cannot_be_restored_loads_uncompiled_with_one_warning(legacy_files):
    result = last_json(run_python(UNRESTORABLE, str(legacy_files), timeout=300).stdout)
    assert not result["compiled"]
    assert len(result["warnings"]) == 1
    assert "loaded uncompiled" in result["warnings"][0]
    assert "unrestorable.h5" in result["warnings"][0]
