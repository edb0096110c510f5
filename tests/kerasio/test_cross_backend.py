"""A file saved on one Keras backend loads on each of the others through ``layerhub.load_model``.

One child per backend saves a seed-plugin model (trained, compiled with the plugin's
optimizer and loss) and a tiny keras-hub ``BertBackbone`` with random weights; one
child per backend then loads every file the *other* two saved, in a fresh process that
imports neither the plugin nor keras-hub itself, and checks the weights bit for bit and
the predictions within float tolerance.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from support import install, last_json, pip, run_python, shared_build

pytestmark = pytest.mark.slow

BACKENDS = ("tensorflow", "jax", "torch")
MISSING = [b for b in BACKENDS if importlib.util.find_spec(b) is None]
#: keras-hub and what ``import keras_hub`` needs beyond Keras and NumPy (the rest of its
#: dependencies serve presets and tokenizers this test does not use).
KERAS_HUB = ["keras-hub==0.32.0", "regex", "tokenizers"]

SAVE = """
import sys
from pathlib import Path
import numpy as np
import keras

out = Path(sys.argv[1])


def save(name, model, inputs):
    (out / name).mkdir()
    model.save(out / name / "model.keras")
    outputs = model.predict(inputs["x"] if list(inputs) == ["x"] else inputs, verbose=0)
    if not isinstance(outputs, dict):
        outputs = {"output": outputs}
    np.savez(out / name / "inputs.npz", **inputs)
    np.savez(out / name / "outputs.npz", **outputs)
    np.savez(out / name / "weights.npz", *model.get_weights())


from layerhub_seed import examples

model = examples.build_model()
x, y = examples.data()
model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
save("seed", model, {"x": x})

import keras_hub

keras.utils.set_random_seed(0)
bert = keras_hub.models.BertBackbone(
    vocabulary_size=50, num_layers=1, num_heads=2, hidden_dim=8, intermediate_dim=16,
    max_sequence_length=8,
)
rng = np.random.default_rng(0)
save("keras_hub", bert, {
    "token_ids": rng.integers(0, 50, (3, 8)).astype("int32"),
    "segment_ids": np.zeros((3, 8), "int32"),
    "padding_mask": np.ones((3, 8), "int32"),
})
"""

LOAD = """
import json, sys
from pathlib import Path
import numpy as np
import keras, layerhub

result = {"backend": keras.backend.backend(), "files": {}}
for saved in sys.argv[1:]:
    for kind in ("seed", "keras_hub"):
        d = Path(saved) / kind
        result["imported_before"] = sorted(
            m for m in sys.modules if m.split(".")[0] in ("layerhub_seed", "keras_hub"))
        try:
            model = layerhub.load_model(d / "model.keras")
            inputs = dict(np.load(d / "inputs.npz"))
            if list(inputs) == ["x"]:
                inputs = inputs["x"]
            outputs = model.predict(inputs, verbose=0)
            if not isinstance(outputs, dict):
                outputs = {"output": outputs}
            expected = np.load(d / "outputs.npz")
            assert sorted(outputs) == sorted(expected.files), sorted(outputs)
            for name in expected.files:
                np.testing.assert_allclose(outputs[name], expected[name], rtol=1e-4, atol=1e-5)
            weights = np.load(d / "weights.npz")
            saved_weights = [weights[f"arr_{i}"] for i in range(len(weights.files))]
            ours = model.get_weights()
            assert len(ours) == len(saved_weights)
            for a, b in zip(ours, saved_weights):
                np.testing.assert_array_equal(a, b)
            row = {"class": type(model).__name__, "weights": len(ours)}
            if getattr(model, "optimizer", None) is not None:
                row["optimizer"] = type(model.optimizer).__name__
        except Exception as exc:
            row = {"error": f"{type(exc).__name__}: {exc}"[:1500]}
        result["files"][f"{Path(saved).name}/{kind}"] = row
        # The first load of each kind ran in a process without the plugin or keras-hub.
        if saved == sys.argv[1] and kind == "seed":
            result["first_load_clean"] = result["imported_before"] == []
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def saved(tmp_path_factory, wheels) -> Path:
    """A directory per backend holding its two saved models, their inputs and outputs,
    and ``site``: the seed plugin and keras-hub, really pip-installed."""
    if MISSING:
        pytest.skip(f"needs every Keras backend installed; missing: {', '.join(MISSING)}")

    def build(directory: Path) -> str:
        site = install([wheels("layerhub-seed")], directory / "site")
        pip("install", "--no-deps", "--target", str(site), *KERAS_HUB)
        for backend in BACKENDS:
            out = directory / backend
            out.mkdir()
            run_python(SAVE, str(out), site=site, env={"KERAS_BACKEND": backend})
        return str(directory)

    return Path(shared_build(tmp_path_factory, "cross-backend", build))


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, saved) -> dict:
    """What the loading backend ``request.param`` made of the other backends' files."""
    others = [str(saved / b) for b in BACKENDS if b != request.param]
    proc = run_python(LOAD, *others, site=saved / "site", env={"KERAS_BACKEND": request.param})
    return last_json(proc.stdout)


def rows(loaded: dict, kind: str) -> dict:
    return {name: row for name, row in loaded["files"].items() if name.endswith("/" + kind)}


def test_plugin_model_saved_on_one_backend_loads_on_the_others(loaded):
    assert loaded["first_load_clean"] is True
    seed = rows(loaded, "seed")
    assert len(seed) == 2 and loaded["backend"] not in {n.split("/")[0] for n in seed}
    for name, row in seed.items():
        assert row == {"class": "Functional", "weights": row.get("weights"),
                       "optimizer": "ScaledSGD"}, name  # fmt: skip
        assert row["weights"] > 0


def test_keras_hub_backbone_saved_on_one_backend_loads_on_the_others(loaded):
    hub = rows(loaded, "keras_hub")
    assert len(hub) == 2
    for name, row in hub.items():
        assert row == {"class": "BertBackbone", "weights": row.get("weights")}, name
        assert row["weights"] > 0
