"""Example models built from every layerhub-seed object (used by the demo and the tests)."""

from __future__ import annotations

import keras
import numpy as np

from . import objects as o


def build_model(seed: int = 0) -> keras.Model:
    """A compiled functional model that uses every object layerhub-seed provides."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(4,), name="features")
    x = o.CustomLayer(0.5, name="scale")(inputs)
    inner = o.MyDense(6, kernel_regularizer="l1", kernel_initializer="ones", name="inner")
    x = o.MyDense(
        8,
        kernel_regularizer=o.ScaledL2(0.001),
        kernel_initializer=o.ConstantScale(0.05),
        nested_model=inner,
        name="kernel_mult",
    )(x)
    x = o.CustomModel(
        first_layer=keras.layers.Dense(8, kernel_constraint=o.ClipValue(2.0), name="first"),
        name="complex",
    )(x)
    x = o.SublayerWrapper(keras.layers.Dense(8, activation="relu"), name="wrapped")(x)
    x = o.NestedDenseLayer(6, name="nested")(x)
    outputs = keras.layers.Dense(1, activation=o.custom_fn, name="head")(x)
    model = keras.Model(inputs, outputs, name="seed_model")
    model.compile(
        optimizer=o.ScaledSGD(
            grad_scale=0.5, learning_rate=o.WarmupSchedule(0.01, 5), momentum=0.9
        ),
        loss=o.ScaledMSE(2.0),
        metrics=[o.PeakError(), o.scaled_mae],
    )
    return model


def build_subclassed(seed: int = 0) -> keras.Model:
    """The guide's SubclassedModel, compiled and called once so it is built."""
    keras.utils.set_random_seed(seed)
    model = o.SubclassedModel(3, name="subclassed")
    model.compile(optimizer="adam", loss=o.scaled_mae)
    model(np.zeros((1, 4), dtype="float32"))
    return model


def data(n: int = 32, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, 4), dtype=np.float32)
    return x, (x.sum(axis=1, keepdims=True) / 4).astype(np.float32)


# -- example instances and inputs for the conformance checks (layerhub.examples) --
def example_input(shape: tuple[int, ...] = (2, 4)) -> np.ndarray:
    return np.random.default_rng(0).random(shape, dtype=np.float32)


def custom_layer_example() -> tuple[keras.layers.Layer, np.ndarray]:
    return o.CustomLayer(0.5, name="custom_layer"), example_input()


def kernel_mult_example() -> tuple[keras.layers.Layer, np.ndarray]:
    inner = o.MyDense(3, kernel_initializer=o.ConstantScale(0.2), name="inner")
    layer = o.MyDense(
        5, kernel_regularizer=o.ScaledL2(0.01), nested_model=inner, name="kernel_mult"
    )
    return layer, example_input()


def custom_model_example() -> tuple[keras.layers.Layer, np.ndarray]:
    first = keras.layers.Dense(3, kernel_constraint=o.ClipValue(1.0), name="first")
    return o.CustomModel(first_layer=first, name="custom_model"), example_input()


def sublayer_wrapper_example() -> tuple[keras.layers.Layer, np.ndarray]:
    dense = keras.layers.Dense(3, activation=o.custom_fn, name="dense")
    return o.SublayerWrapper(dense, name="sublayer_wrapper"), example_input()


def nested_dense_example() -> tuple[keras.layers.Layer, np.ndarray]:
    return o.NestedDenseLayer(3, name="nested_dense"), example_input()


def subclassed_model_example() -> tuple[keras.Model, np.ndarray]:
    return o.SubclassedModel(2, name="subclassed"), example_input()
