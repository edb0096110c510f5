"""``layerhub.requirements`` with MLflow, end to end: a plugin model logged with
``extra_pip_requirements=layerhub.requirements(model)`` records its plugin and layerhub,
and a fresh process that never imports the plugin serves it through
``mlflow.pyfunc.load_model`` under ``LAYERHUB_ACTIVATE=1`` (and cannot without it).

MLflow's file store is in maintenance mode (``MLFLOW_ALLOW_FILE_STORE=true`` opts in) and
its SQLite store needs SQLAlchemy, which ``mlflow-skinny`` (the test extra) leaves out:
the file store keeps the test on the test extra alone. A model in memory whose objects
nothing installs (the user's own, in ``__main__``) raises, naming where, unless the caller
ships them. The fast tests of ``requirements(path)`` are in tests/plugins/test_resolution.py.
"""

from __future__ import annotations

import pytest
from support import last_json, run_python

from layerhub import settings
from layerhub.plugins.resolution import LOADER

pytestmark = pytest.mark.slow

LOG = """
import json, sys
import numpy as np
import mlflow, mlflow.keras
import layerhub
from layerhub_seed import examples

tmp = sys.argv[1]
mlflow.set_tracking_uri("file:" + tmp + "/mlruns")
model = examples.build_model()
x, y = examples.data()
model.fit(x, y, epochs=1, verbose=0)
np.save(tmp + "/x.npy", x)
np.save(tmp + "/expected.npy", model.predict(x, verbose=0))
lines = layerhub.requirements(model)
layerhub.save_model(model, tmp + "/seed.keras")
with mlflow.start_run():
    info = mlflow.keras.log_model(model, name="model", extra_pip_requirements=lines)
logged = open(mlflow.pyfunc.get_model_dependencies(info.model_uri)).read().splitlines()
print(json.dumps({"uri": info.model_uri, "lines": lines, "logged": logged,
                  "saved": layerhub.requirements(tmp + "/seed.keras")}))
"""

SERVE = """
import json, sys
import numpy as np
import mlflow, mlflow.pyfunc

tmp, uri = sys.argv[1], sys.argv[2]
mlflow.set_tracking_uri("file:" + tmp + "/mlruns")
try:
    predicted = mlflow.pyfunc.load_model(uri).predict(np.load(tmp + "/x.npy"))
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)[:2000]}))
    raise SystemExit(0)
import keras
same = bool(np.allclose(predicted, np.load(tmp + "/expected.npy"), rtol=1e-6, atol=1e-6))
print(json.dumps({"same": same, "routed": keras.saving.load_model.__module__}))
"""

STORE = {"MLFLOW_ALLOW_FILE_STORE": "true"}


def test_mlflow_logs_the_plugin_and_serves_it_under_activation(seed_site, tmp_path):
    # Activated while logging too, as docs/index.md says: MLflow's own inference reloads
    # the model in a child process, and then finds the backend.
    env = {**STORE, settings.ACTIVATE: "1"}
    logged = last_json(run_python(LOG, str(tmp_path), site=seed_site, env=env).stdout)
    assert logged["lines"] == ["layerhub-seed==1.0.0", LOADER]
    assert logged["saved"] == logged["lines"]  # in memory as its saved file says
    assert {"layerhub-seed==1.0.0", LOADER} <= set(logged["logged"]), logged["logged"]
    assert any(line.startswith("tensorflow") for line in logged["logged"]), logged["logged"]

    def serve(**env: str) -> dict:
        args = (SERVE, str(tmp_path), logged["uri"])
        return last_json(run_python(*args, site=seed_site, env={**STORE, **env}).stdout)

    assert serve(**{settings.ACTIVATE: "1"}) == {
        "same": True,
        "routed": "layerhub.kerasio.loading",
    }
    plain = serve()  # Keras alone meets classes it does not know: its TypeError
    assert plain.get("error") == "TypeError", plain
    assert "layerhub_seed.objects" in plain["message"]


IN_MEMORY = """
import json
import keras
import layerhub
from layerhub_seed import objects

@keras.saving.register_keras_serializable("Mine")
class Own(keras.layers.Layer):  # the user's own, in __main__: nothing pip can install
    def call(self, x):
        return x

inputs = keras.Input((4,))
model = keras.Model(inputs, Own()(objects.CustomLayer(0.5)(inputs)))
result = {}
try:
    layerhub.requirements(model)
except layerhub.MissingObjectsError as exc:
    result["missing"] = [[m.name, m.pointer] for m in exc.missing]
result["shipped"] = layerhub.requirements(model, custom_objects={"Mine>Own": Own})
result["builtins"] = layerhub.requirements(keras.Sequential([keras.layers.Dense(2)]))
try:
    layerhub.requirements(object())
except TypeError as exc:
    result["not_a_model"] = str(exc)
print(json.dumps(result))
"""


def test_requirements_of_a_model_in_memory(seed_site):
    assert last_json(run_python(IN_MEMORY, site=seed_site).stdout) == {
        "missing": [["Mine>Own", "/config/layers/2"]],
        "shipped": ["layerhub-seed==1.0.0", LOADER],
        "builtins": [],
        "not_a_model": "layerhub.requirements takes a Keras model or a path to a saved one, "
        "not object",
    }
