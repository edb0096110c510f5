"""Well-behaved custom objects in shapes the seed plugin does not cover."""

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Tidy")
class GatedSum(keras.layers.Layer):
    """Takes two inputs [a, b]: a + sigmoid(gate) * b, with one weight per feature."""

    def build(self, input_shape):
        self.gate = self.add_weight(shape=(input_shape[0][-1],), initializer="zeros", name="gate")

    def call(self, inputs):
        a, b = inputs
        return a + ops.sigmoid(self.gate) * b


@keras.saving.register_keras_serializable(package="Tidy")
class TokenMean(keras.layers.Layer):
    """Embeds integer tokens and averages them: integer input, float output."""

    def __init__(self, vocabulary, width, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary = vocabulary
        self.width = width
        self.embedding = keras.layers.Embedding(vocabulary, width, name="embedding")

    def build(self, input_shape):
        self.embedding.build(input_shape)

    def call(self, tokens):
        return ops.mean(self.embedding(tokens), axis=1)

    def get_config(self):
        return {**super().get_config(), "vocabulary": self.vocabulary, "width": self.width}


@keras.saving.register_keras_serializable(package="Tidy")
class RunningCenter(keras.layers.Layer):
    """Subtracts a running mean kept in a non-trainable weight (updated while training)."""

    def __init__(self, momentum=0.9, axes=(0,), **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.axes = tuple(axes)

    def build(self, input_shape):
        self.mean = self.add_weight(
            shape=(input_shape[-1],), initializer="zeros", trainable=False, name="mean"
        )

    def call(self, x, training=False):
        if training:
            batch = ops.mean(x, axis=self.axes)
            self.mean.assign(self.momentum * self.mean + (1 - self.momentum) * batch)
        return x - self.mean

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "axes": list(self.axes)}


@keras.saving.register_keras_serializable(package="Tidy")
class DropoutDense(keras.layers.Layer):
    """Dense after a seeded dropout: stochastic in training, deterministic in inference."""

    def __init__(self, units, rate=0.5, seed=7, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.rate = rate
        self.seed = seed
        self.dropout = keras.layers.Dropout(rate, seed=seed)
        self.dense = keras.layers.Dense(units)

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, x, training=False):
        return self.dense(self.dropout(x, training=training))

    def get_config(self):
        return {**super().get_config(), "units": self.units, "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="Tidy")
def softsign2(x):
    """An activation: x / (1 + |x|), squared."""
    return ops.square(x / (1.0 + ops.abs(x)))


@keras.saving.register_keras_serializable(package="Tidy")
def log_cosh_error(y_true, y_pred):
    """A loss/metric function."""
    return ops.mean(ops.log(ops.cosh(y_pred - y_true)), axis=-1)


@keras.saving.register_keras_serializable(package="Tidy")
class Huberish(keras.losses.Loss):
    """Huber loss with its own delta."""

    def __init__(self, delta=0.5, name="huberish", reduction="sum_over_batch_size"):
        super().__init__(name=name, reduction=reduction)
        self.delta = delta

    def call(self, y_true, y_pred):
        error = ops.abs(y_pred - y_true)
        quadratic = ops.minimum(error, self.delta)
        return ops.mean(0.5 * quadratic**2 + self.delta * (error - quadratic), axis=-1)

    def get_config(self):
        return {"delta": self.delta, "name": self.name, "reduction": self.reduction}


@keras.saving.register_keras_serializable(package="Tidy")
class LookaheadAdam(keras.optimizers.Adam):
    """Adam with an extra hyperparameter that scales its steps."""

    def __init__(self, step_scale=0.5, **kwargs):
        super().__init__(**kwargs)
        self.step_scale = step_scale

    def update_step(self, gradient, variable, learning_rate):
        super().update_step(gradient, variable, learning_rate * self.step_scale)

    def get_config(self):
        return {**super().get_config(), "step_scale": self.step_scale}


@keras.saving.register_keras_serializable(package="Tidy")
class UnitNorm(keras.constraints.Constraint):
    """Rescales each column to unit norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (ops.sqrt(ops.sum(ops.square(w), axis=self.axis, keepdims=True)) + 1e-7)

    def get_config(self):
        return {"axis": self.axis}


@keras.saving.register_keras_serializable(package="Tidy")
class CosineDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Cosine decay from ``initial`` over ``steps``."""

    def __init__(self, initial=0.1, steps=100):
        self.initial = initial
        self.steps = steps

    def __call__(self, step):
        progress = ops.minimum(ops.cast(step, "float32") / self.steps, 1.0)
        return self.initial * 0.5 * (1.0 + ops.cos(math.pi * progress))

    def get_config(self):
        return {"initial": self.initial, "steps": self.steps}
