"""Acme's Keras objects: one layer with a nested layer argument and one of each other kind."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Acme")
def sq_relu(x):
    return ops.square(ops.relu(x))


@keras.saving.register_keras_serializable(package="Acme")
class OrthoPenalty(keras.regularizers.Regularizer):
    def __init__(self, strength=1e-3):
        self.strength = strength

    def __call__(self, w):
        gram = ops.matmul(ops.transpose(w), w)
        return self.strength * ops.sum(ops.square(gram - ops.eye(ops.shape(gram)[0])))

    def get_config(self):
        return {"strength": self.strength}


@keras.saving.register_keras_serializable(package="Acme", name="UnitNorm")
class UnitNormRows(keras.constraints.Constraint):
    def __call__(self, w):
        return w / (ops.sqrt(ops.sum(ops.square(w), axis=0, keepdims=True)) + 1e-7)

    def get_config(self):
        return {}


@keras.saving.register_keras_serializable(package="Acme")
class CosineDecay(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, initial=0.01, steps=100):
        self.initial = initial
        self.steps = steps

    def __call__(self, step):
        progress = ops.minimum(ops.cast(step, "float32") / self.steps, 1.0)
        return self.initial * 0.5 * (1.0 + ops.cos(3.14159265 * progress))

    def get_config(self):
        return {"initial": self.initial, "steps": self.steps}


@keras.saving.register_keras_serializable(package="Acme")
class FocalMSE(keras.losses.Loss):
    def __init__(self, gamma=2.0, **kwargs):
        super().__init__(**kwargs)
        self.gamma = gamma

    def call(self, y_true, y_pred):
        err = ops.square(y_true - y_pred)
        return ops.mean(err * (1.0 + err) ** self.gamma, axis=-1)

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma}


@keras.saving.register_keras_serializable(package="Acme")
class GatedResidual(keras.layers.Layer):
    """x + sigmoid(gate(x)) * inner(x), where ``inner`` is any Keras layer."""

    def __init__(self, units, inner=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        if isinstance(inner, dict):
            inner = keras.saving.deserialize_keras_object(inner)
        self.inner = inner or keras.layers.Dense(units, activation=sq_relu)
        self.gate = keras.layers.Dense(
            units,
            kernel_regularizer=OrthoPenalty(1e-4),
            kernel_constraint=UnitNormRows(),
            name="gate",
        )

    def build(self, input_shape):
        if not self.inner.built:
            self.inner.build(input_shape)
        self.gate.build(input_shape)

    def call(self, x):
        return x + ops.sigmoid(self.gate(x)) * self.inner(x)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "inner": keras.saving.serialize_keras_object(self.inner),
        }


@keras.saving.register_keras_serializable(package="Acme")
class Tower(keras.Model):
    """A subclassed model: a stack of GatedResidual blocks and a linear head."""

    def __init__(self, width=8, depth=2, **kwargs):
        super().__init__(**kwargs)
        self.width = width
        self.depth = depth
        self.blocks = [GatedResidual(width, name=f"block_{i}") for i in range(depth)]
        self.head = keras.layers.Dense(1, name="head")

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return self.head(x)

    def get_config(self):
        return {**super().get_config(), "width": self.width, "depth": self.depth}
