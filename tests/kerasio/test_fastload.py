"""The fast load path gives bit for bit what ``keras.saving.load_model`` gives.

Each backend runs in its own fresh process (the backend is fixed at ``import keras``).
One child per backend saves every model with plain ``model.save``, loads each file
with Keras and with ``layerhub.load_model`` under the same random seed, and compares
every variable (model and optimizer) by path, dtype, shape and bytes.
"""

from __future__ import annotations

import pytest
from support import last_json, run_python

# One worker runs the whole module, so each backend's child (the expensive part) runs once.
pytestmark = pytest.mark.slow

COMPARE = r"""
import json, logging, re, sys, warnings, zipfile
from pathlib import Path

import numpy as np
import keras
import layerhub
from layerhub.kerasio import fastload
from layerhub_seed import examples

out = Path(sys.argv[1])
log = []
handler = logging.Handler()
handler.emit = lambda record: log.append(record.getMessage())
logging.getLogger("layerhub.kerasio.fastload").addHandler(handler)
logging.getLogger("layerhub.kerasio.fastload").setLevel(logging.DEBUG)


@keras.saving.register_keras_serializable(package="FastloadTest")
class NotSaved(keras.layers.Layer):
    # A weight the archive never holds: it must get Keras's normal initial value.
    def build(self, input_shape):
        self.noise = self.add_weight(
            shape=(input_shape[-1], 64), initializer="random_normal", name="noise"
        )

    def call(self, x):
        return x

    def save_own_variables(self, store):
        pass

    def load_own_variables(self, store):
        pass


def fit(model, x, y):
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    return model


def sequence_model():
    keras.utils.set_random_seed(1)
    inputs = keras.Input((12,), dtype="int32")
    x = keras.layers.Embedding(50, 8)(inputs)
    x = keras.layers.Conv1D(6, 3, padding="same")(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.LSTM(5, return_sequences=True)(x)
    x = keras.layers.GRU(4, return_sequences=True)(x)
    x = keras.layers.SimpleRNN(3)(x)
    x = keras.layers.Dense(2)(x)
    model = keras.Model(inputs, x)
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    return fit(model, rng.integers(0, 50, (32, 12)), rng.random((32, 2), dtype=np.float32))


def image_model():
    keras.utils.set_random_seed(2)
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
    x = keras.layers.DepthwiseConv2D(3)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(3)(x))
    model.compile(optimizer=keras.optimizers.RMSprop(momentum=0.5), loss="mse")
    rng = np.random.default_rng(1)
    return fit(model, rng.random((16, 8, 8, 3), dtype=np.float32), rng.random((16, 3)))


def nested_model():
    keras.utils.set_random_seed(3)
    block = keras.Sequential(
        [keras.layers.Dense(16, activation="relu"), keras.layers.Dropout(0.3),
         keras.layers.Dense(8)],
        name="block",
    )
    inputs = keras.Input((6,))
    x = block(inputs)
    x = NotSaved(name="not_saved")(x)
    return keras.Model(inputs, keras.layers.Dense(1)(x))


def compiled_untrained():
    # The archive holds 2 optimizer variables (iterations, learning rate) and no slots:
    # Keras builds 2 * n slots at load and then loads none of the 2; the fast path loads
    # the 2 and leaves the slots to the first training step (compared after one below).
    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(7), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def plugin_model():
    model = examples.build_model()
    if keras.backend.backend() == "jax":
        return model  # the seed plugin's training step does not trace under JAX 0.10
    x, y = examples.data()
    return fit(model, x, y)


def trained(model):
    # One training step on fixed data, the same for every loaded copy.
    rng = np.random.default_rng(7)
    inputs, outputs = model.inputs[0], model.outputs[0]
    shape = (4, *inputs.shape[1:])
    if "int" in str(inputs.dtype):
        x = rng.integers(0, 50, shape).astype("int32")
    else:
        x = rng.random(shape, dtype=np.float32)
    model.train_on_batch(x, rng.random((4, *outputs.shape[1:]), dtype=np.float32))
    return model


# Which variables were assigned during a load: the spy calls Keras's own assign.
assigned = set()
keras_assign = keras.Variable.assign
def spy_assign(self, value):
    assigned.add(id(self))
    return keras_assign(self, value)
keras.Variable.assign = spy_assign


def optimizer_assigns(model):
    optimizer = getattr(model, "optimizer", None)
    return sum(id(v) in assigned for v in optimizer.variables) if optimizer else 0


def snapshot(model, optimizer=True):
    variables = list(model.variables)
    if optimizer and getattr(model, "optimizer", None) is not None:
        variables += list(model.optimizer.variables)
    return [(v.path, str(v.dtype), np.asarray(v.numpy())) for v in variables]


def differences(reference, candidate):
    # Auto-named objects (seed generators) count up within a process: compare paths
    # without their numeric suffixes.
    strip = lambda path: re.sub(r"_\d+(?=/|$)", "", path)
    if [strip(p) for p, _, _ in reference] != [strip(p) for p, _, _ in candidate]:
        return ["variable paths differ"]
    return [
        path for (path, dtype, a), (_, dtype2, b) in zip(reference, candidate)
        if dtype != dtype2 or a.shape != b.shape or a.tobytes() != b.tobytes()
    ]


def count_calls(cls):
    # A spy on one initializer class: the real initializer still runs.
    calls = []
    original = cls.__call__
    def spy(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)
    cls.__call__ = spy
    return calls


glorot = count_calls(keras.initializers.GlorotUniform)
results = {}
for name, build in [("sequence", sequence_model), ("image", image_model),
                    ("nested", nested_model), ("compiled_untrained", compiled_untrained),
                    ("plugin", plugin_model)]:
    path = out / f"{name}.keras"
    saved = build()
    saved.save(path)
    keras.utils.set_random_seed(11)
    glorot.clear()
    assigned.clear()
    keras_loaded = keras.saving.load_model(path)
    keras_inits = len(glorot)
    keras_optimizer_assigns = optimizer_assigns(keras_loaded)
    keras.utils.set_random_seed(11)
    glorot.clear()
    log.clear()
    assigned.clear()
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        candidate = layerhub.load_model(path)
    fast_inits = len(glorot)
    if keras.backend.backend() == "torch":
        # PyTorch initializes small variables at once; defer them all here, so that the
        # deferral is exercised (and compared below) on these small models too.
        fastload.TORCH_MIN_DEFERRED_SIZE, default_size = 0, fastload.TORCH_MIN_DEFERRED_SIZE
        keras.utils.set_random_seed(11)
        glorot.clear()
        deferred = layerhub.load_model(path)
        fast_inits = len(glorot)
        fastload.TORCH_MIN_DEFERRED_SIZE = default_size
    else:
        deferred = None
    results[name] = {
        "keras_glorot_calls": keras_inits,
        "fast_glorot_calls": fast_inits,
        "optimizer_assigns": {"keras": keras_optimizer_assigns,
                              "layerhub": optimizer_assigns(candidate)},
        "log": list(log),
        "optimizer_warnings": [str(w.message) for w in warned if "optimizer" in str(w.message)],
    }
    # A compiled, never-trained model: Keras builds its optimizer at load, the fast path
    # does not. The compiled_untrained model is compared after a training step; the JAX
    # plugin model (not trainable there) on its model variables only.
    unbuilt = getattr(saved, "optimizer", None) is not None and not saved.optimizer.built
    train = name == "compiled_untrained"
    if unbuilt:
        results[name]["optimizer_variables"] = {
            "saved": len(saved.optimizer.variables),
            "keras": len(keras_loaded.optimizer.variables),
            "layerhub": len(candidate.optimizer.variables),
        }

    def state(model):
        return snapshot(trained(model) if train else model, optimizer=train or not unbuilt)

    reference_state = state(keras_loaded)
    results[name]["variables"] = len(reference_state)
    results[name]["differences"] = differences(reference_state, state(candidate))
    keras.utils.set_random_seed(11)
    plain = layerhub.load_model(path, fast=False)  # Keras's own load: builds as Keras does
    results[name]["plain_differences"] = differences(reference_state, state(plain))
    if deferred is not None:
        results[name]["deferred_differences"] = differences(reference_state, state(deferred))
    if name in ("sequence", "image"):  # trained: their optimizer slots are saved
        results[name]["slots_and_counters"] = len(candidate.optimizer.variables)
        after_step = snapshot(trained(keras_loaded))
        results[name]["step_differences"] = differences(after_step, snapshot(trained(candidate)))
        # A control: a second Keras load of the file, trained the same way (PyTorch's
        # LSTM step is not reproducible from one load to the next, even in Keras).
        keras.utils.set_random_seed(11)
        control = trained(keras.saving.load_model(path))
        results[name]["step_control"] = differences(after_step, snapshot(control))


def archive(name, config_from, weights_from):
    # A real archive whose config and weights come from two different Keras saves.
    path = out / f"{name}.keras"
    with zipfile.ZipFile(out / config_from) as a, zipfile.ZipFile(out / weights_from) as b, \
            zipfile.ZipFile(path, "w") as z:
        for member in ("metadata.json", "config.json"):
            z.writestr(member, a.read(member))
        z.writestr("model.weights.h5", b.read("model.weights.h5"))
    return path


def dense(units, use_bias=True):
    keras.utils.set_random_seed(5)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(units, use_bias=use_bias)])


dense(4).save(out / "d4.keras")
dense(5).save(out / "d5.keras")
dense(4, use_bias=False).save(out / "d4_nobias.keras")


def described(exc):
    return [type(exc).__module__ + "." + type(exc).__name__, str(exc)]


def failure(load, path):
    # layerhub wraps what Keras raises in a ModelLoadError; Keras's own error is its cause.
    keras.utils.set_random_seed(13)
    try:
        load(path)
    except Exception as exc:
        cause = exc.__cause__ if isinstance(exc, layerhub.ModelLoadError) else exc
        return {"raised": described(exc), "keras_error": described(cause),
                "value_error": isinstance(exc, ValueError)}
    return None


def corrupted(name, source):
    # A byte of the stored weights flipped on disk: only the member's CRC can tell.
    path = out / f"{name}.keras"
    path.write_bytes((out / source).read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("model.weights.h5")
    with open(path, "r+b") as f:
        f.seek(info.header_offset + 30 + len(info.filename) + len(info.extra) + info.file_size - 5)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))
    return path


for name, path in [("shape", archive("shape", "d4.keras", "d5.keras")),
                   ("count", archive("count", "d4_nobias.keras", "d4.keras")),
                   ("crc", corrupted("crc", "d4.keras"))]:
    log.clear()
    results["mismatch_" + name] = {
        "keras": failure(keras.saving.load_model, path),
        "layerhub": failure(layerhub.load_model, path),
        "log": list(log),
    }

print(json.dumps(results))
"""


@pytest.fixture(scope="module", params=["tensorflow", "jax", "torch"])
def compared(request, seed_site, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp(f"fastload-{request.param}")
    proc = run_python(COMPARE, str(out), site=seed_site, env={"KERAS_BACKEND": request.param})
    return last_json(proc.stdout)


MODELS = ["sequence", "image", "nested", "compiled_untrained", "plugin"]


@pytest.mark.parametrize("name", MODELS)
def test_every_variable_is_bit_identical_to_keras(compared, name):
    result = compared[name]
    assert result["variables"] > 0
    assert result["differences"] == []
    assert result["plain_differences"] == []
    assert result.get("deferred_differences", []) == []
    assert result["log"] == []  # the fast path ran: no fallback, no retry


def test_an_optimizer_saved_unbuilt_loads_as_saved(compared):
    # Keras builds the slots of a never-trained optimizer, then warns that the archive
    # lacks them and loads none of its state; the fast path loads what was saved, and
    # after one training step every variable (slots included) equals Keras's.
    unbuilt = [name for name in MODELS if "optimizer_variables" in compared[name]]
    assert "compiled_untrained" in unbuilt
    for name in unbuilt:
        counts = compared[name]["optimizer_variables"]
        assert counts["keras"] > counts["saved"], name
        assert counts["layerhub"] == counts["saved"], name
        assert compared[name]["optimizer_warnings"] == [], name
    assert compared["compiled_untrained"]["differences"] == []


def test_a_trained_optimizer_loads_every_slot(compared):
    for name in ("sequence", "image"):  # compiled and fitted: their slots are saved
        assert compared[name]["optimizer_warnings"] == []
        assert compared[name]["differences"] == []


def test_a_trained_optimizer_holds_its_saved_slots_from_their_creation(compared):
    # Keras creates every slot with zeros and assigns the saved value over it; the fast
    # path creates the slots holding the saved values, so only the variables that exist
    # before the optimizer is built (its iteration count, a learning rate) are assigned.
    # Every variable, slots included, equals Keras's load, before and after a training
    # step that reads and updates the slots.
    for name in ("sequence", "image"):
        result = compared[name]
        assert result["optimizer_assigns"]["keras"] == result["slots_and_counters"], name
        assert result["optimizer_assigns"]["layerhub"] <= 2, name
        assert result["differences"] == [], name
        if result["step_control"] == []:
            assert result["step_differences"] == [], name
    assert compared["image"]["step_control"] == []  # at least one is compared on each backend


def test_initializers_of_saved_weights_are_skipped(compared):
    # Keras draws every Glorot kernel and throws it away; the fast path draws none of
    # the saved ones. The nested model's NotSaved weight is not Glorot: it stays drawn.
    for name in MODELS:
        assert compared[name]["keras_glorot_calls"] > 0, name
        assert compared[name]["fast_glorot_calls"] == 0, name


@pytest.mark.parametrize(
    ("case", "error"),
    [("shape", "builtins.ValueError"), ("count", "builtins.ValueError"),
     ("crc", "zipfile.BadZipFile")],
)  # fmt: skip
def test_bad_weights_fail_exactly_as_keras(compared, case, error):
    result = compared["mismatch_" + case]
    keras_result, ours = result["keras"], result["layerhub"]
    assert keras_result is not None and keras_result["keras_error"][0] == error
    assert ours["keras_error"] == keras_result["keras_error"]  # type and message, exactly
    assert ours["raised"][0] == "layerhub.errors.ModelLoadError"
    assert ours["value_error"]  # `except ValueError:` written for Keras still catches it


FALLBACK = """
import json, logging, sys
import numpy as np
import keras, layerhub
log = []
handler = logging.Handler()
handler.emit = lambda record: log.append(record.getMessage())
logging.getLogger("layerhub.kerasio.fastload").addHandler(handler)
logging.getLogger("layerhub.kerasio.fastload").setLevel(logging.DEBUG)
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
model.save(sys.argv[1])
loaded = layerhub.load_model(sys.argv[1])
same = all(a.numpy().tobytes() == b.numpy().tobytes()
           for a, b in zip(model.variables, loaded.variables))
print(json.dumps({"log": log, "same": same}))
"""


def test_untested_backend_falls_back_to_keras_with_a_debug_line(tmp_path):
    path = tmp_path / "m.keras"
    result = last_json(run_python(FALLBACK, str(path), env={"KERAS_BACKEND": "numpy"}).stdout)
    assert result["same"]
    assert result["log"] == [
        "layerhub fast load is off (the numpy backend is not tested); using keras.saving.load_model"
    ]
