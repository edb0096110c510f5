"""load_model analyses a file once per content: again only when the bytes changed, and a
file that changes while Keras reads it is refused. Fresh processes, models saved by Keras."""

from __future__ import annotations

import pytest
from support import last_json, run_python

pytestmark = pytest.mark.slow

LOADS = """
import json, os, sys
import keras
import numpy as np
import layerhub
from layerhub.kerasio import loading

calls = []
analyse = loading.analyse
loading.analyse = lambda path: calls.append(path) or analyse(path)
path = os.path.join(sys.argv[1], "m.keras")

def save(units, value):
    x = inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(units, kernel_initializer="zeros")(x))
    model.layers[-1].kernel.assign(np.full((3, units), value, "float32"))
    model.compile(optimizer="adam", loss="mse")
    model.save(path)

save(2, 1.0)
first = layerhub.load_model(path)
second = layerhub.load_model(path)
after_two = len(calls)
save(4, 2.0)  # the same path, other bytes
third = layerhub.load_model(path)

@keras.saving.register_keras_serializable(package="memo_test")
class Touching(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        os.utime(path)  # the file changes while Keras builds the model

    def call(self, x):
        return x

x = inputs = keras.Input((3,))
keras.Model(inputs, Touching()(x)).save(path)
try:
    layerhub.load_model(path)
    changed = ""
except layerhub.LayerhubError as exc:
    changed = f"{type(exc).__name__}: {exc}"
print(json.dumps({
    "after_two": after_two,
    "calls": len(calls),
    "first": first.layers[-1].kernel.numpy().tolist(),
    "second": second.layers[-1].kernel.numpy().tolist(),
    "third": third.layers[-1].kernel.numpy().tolist(),
    "changed": changed,
}))
"""


def test_a_file_is_analysed_once_per_content_and_never_read_stale(tmp_path):
    result = last_json(run_python(LOADS, str(tmp_path)).stdout)
    assert result["after_two"] == 1  # the second load of the same bytes reused the analysis
    assert result["first"] == result["second"] == [[1.0, 1.0]] * 3
    assert result["third"] == [[2.0] * 4] * 3  # rewritten in place: analysed and loaded anew
    assert result["calls"] == 3  # the third load, then the touched file
    assert result["changed"].startswith("ArchiveChangedError: ")
    assert "changed while it was being loaded" in result["changed"]
