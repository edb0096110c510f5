"""Sloppy custom objects: each works in memory and breaks one conformance check."""

import keras
import numpy as np


@keras.saving.register_keras_serializable(package="Sloppy")
class NumpyScale(keras.layers.Layer):
    """Keeps its factor as a numpy scalar and returns it from get_config (not JSON)."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = np.float32(factor)

    def call(self, x):
        return x * float(self.factor)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="Sloppy")
class GrowingTags(keras.layers.Layer):
    """Adds a default tag in __init__, so the config grows on every round trip."""

    def __init__(self, tags=(), **kwargs):
        super().__init__(**kwargs)
        self.tags = [*tags, "default"]

    def call(self, x):
        return x

    def get_config(self):
        return {**super().get_config(), "tags": self.tags}


class Unregistered(keras.layers.Layer):
    """Never registered with keras.saving.register_keras_serializable."""

    def call(self, x):
        return x + 1.0


@keras.saving.register_keras_serializable(package="Sloppy")
class SchemaMismatch(keras.layers.Layer):
    """Stores units as a string, against its plugin's schema."""

    def __init__(self, units="4", **kwargs):
        super().__init__(**kwargs)
        self.units = str(units)

    def call(self, x):
        return x

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="Sloppy")
class Forgetful(keras.layers.Layer):
    """Leaves its factor out of get_config: a reloaded layer multiplies by the default."""

    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {"name": self.name}


@keras.saving.register_keras_serializable(package="Sloppy")
class ForgetsWidth(keras.layers.Layer):
    """Leaves units out of get_config: a rebuilt layer creates a kernel of another shape."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, x):
        return keras.ops.matmul(x, self.kernel)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}


@keras.saving.register_keras_serializable(package="Sloppy")
class NoExample(keras.layers.Layer):
    """Needs an argument, and its plugin gives no example."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def call(self, x):
        return x

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="Sloppy")
class ForgetfulSGD(keras.optimizers.SGD):
    """Scales its steps by ``step_scale`` but leaves it out of get_config: training after a
    reload takes other steps, while the model's predictions still match."""

    def __init__(self, step_scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.step_scale = step_scale

    def update_step(self, gradient, variable, learning_rate):
        super().update_step(gradient, variable, learning_rate * self.step_scale)


@keras.saving.register_keras_serializable(package="Sloppy")
class Identity(keras.layers.Layer):
    """A well-behaved layer whose plugin's example returns the wrong thing."""

    def call(self, x):
        return x
