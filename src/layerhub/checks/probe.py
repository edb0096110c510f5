"""A small model holding the object under test, and what it computes before saving.

Layers and models are wrapped in a functional model on their example input. Every other
kind takes its place in a fixed two-layer probe network: a regularizer, initializer or
constraint on the kernel, a function as the activation (one argument) or as loss and
metric (two), a loss, metric, optimizer or learning-rate schedule in ``compile``. Those
probes also train one step, so training-time objects (optimizers, schedules, constraints,
regularizers, losses) are compared by what they do, not only by their config.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import kinds
from .subject import Subject

__all__ = [
    "Probe",
    "build_probe",
    "flat",
    "outputs",
    "prepare_training",
    "reference",
    "weight_shapes",
]

SEED = 0


@dataclass
class Probe:
    """A built, compiled model holding the object, and its data."""

    model: Any
    x: Any
    y: Any
    layer: str  # the name of the layer whose weights are compared ("" for none)
    trains: bool


def probe_data(n: int = 8) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    return rng.random((n, 4), dtype=np.float32), rng.random((n, 2), dtype=np.float32)


def build_probe(subject: Subject) -> Probe:
    """The probe model for ``subject``'s kind."""
    import keras

    keras.utils.set_random_seed(SEED)
    if subject.kind in kinds.CALLABLE_LAYERS:
        instance, x = subject.layer_example()
        inputs = keras.tree.map_structure(
            lambda a: keras.Input(shape=np.shape(a)[1:], dtype=str(np.asarray(a).dtype)), x
        )
        model = keras.Model(inputs, instance(inputs), name="layerhub_probe")
        return Probe(model, x, None, instance.name, trains=False)

    obj, _ = subject.example()
    kind = subject.kind
    role = kinds.function_role(obj) if kind == kinds.FUNCTION else ""
    dense: dict[str, Any] = {
        kinds.REGULARIZER: {"kernel_regularizer": obj},
        kinds.INITIALIZER: {"kernel_initializer": obj},
        kinds.CONSTRAINT: {"kernel_constraint": obj},
    }.get(kind, {})
    if role == "activation":
        dense["activation"] = obj
    inputs = keras.Input(shape=(4,), name="probe_input")
    hidden = keras.layers.Dense(3, name="probe_dense", **dense)(inputs)
    outputs = keras.layers.Dense(2, name="probe_head")(hidden)
    model = keras.Model(inputs, outputs, name="layerhub_probe")
    if kind == kinds.OPTIMIZER:
        optimizer = obj
    else:
        learning_rate = obj if kind == kinds.SCHEDULE else 0.05
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate)
    uses_as_loss = kind == kinds.LOSS or role == "loss"
    model.compile(
        optimizer=optimizer,
        loss=obj if uses_as_loss else "mse",
        metrics=[obj] if kind == kinds.METRIC or role == "loss" else [],
    )
    x, y = probe_data()
    return Probe(model, x, y, "probe_dense", trains=True)


def flat(value: Any) -> list[np.ndarray]:
    import keras

    return [np.asarray(v) for v in keras.tree.flatten(value)]


def reference(probe: Probe) -> dict[str, np.ndarray]:
    """What the saved model computes, called right after saving (:func:`outputs`)."""
    return outputs(probe.model, probe.x, probe.y, trains=probe.trains)


def outputs(model: Any, x: Any, y: Any, *, trains: bool) -> dict[str, np.ndarray]:
    """What a probe model computes: predictions, evaluation, predictions after a step.

    The same function runs before saving and in the fresh process after loading, so the
    save/load check compares like with like.
    """
    import keras

    found = {f"predict.{i}": a for i, a in enumerate(flat(model.predict(x, verbose=0)))}
    if trains:
        results = model.evaluate(x, y, verbose=0, return_dict=True)
        found.update({f"evaluate.{k}": np.asarray(v) for k, v in sorted(results.items())})
        keras.utils.set_random_seed(SEED)
        model.train_on_batch(*as_tensors(x, y))
        found["after_step"] = np.asarray(model.predict(x, verbose=0))
    return found


def prepare_training(probe: Probe) -> None:
    """One training step before saving, so the optimizer's state is in the archive too."""
    import keras

    if probe.trains:
        keras.utils.set_random_seed(SEED)
        probe.model.train_on_batch(*as_tensors(probe.x, probe.y))


def as_tensors(*values: Any) -> list[Any]:
    """Backend tensors, as ``fit`` hands its batches over: on PyTorch, ``train_on_batch``
    passes NumPy targets to metric functions unconverted (``ndarray - Tensor`` fails)."""
    import keras

    return [keras.tree.map_structure(keras.ops.convert_to_tensor, v) for v in values]


def weight_shapes(layer: Any) -> list[list[int]]:
    return [[int(d) for d in w.shape] for w in layer.weights]
