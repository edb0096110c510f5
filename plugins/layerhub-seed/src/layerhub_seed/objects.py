"""The custom objects of the Keras saving guide, plus one of every other kind.

Written against ``keras.ops`` so they run on every backend.
"""

from __future__ import annotations

import keras
from keras import ops


def build_once(layer, input_shape):
    """Build a sublayer unless deserialization already built it from its build_config."""
    if not layer.built:
        layer.build(input_shape)


# -- the guide's registered objects, under the guide's own names ------------------------
@keras.saving.register_keras_serializable(package="MyLayers")
class CustomLayer(keras.layers.Layer):
    """Multiplies its input by a constant ``factor``."""

    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="my_package", name="custom_fn")
def custom_fn(x):
    """Squares its input (the guide's custom activation)."""
    return x**2


@keras.saving.register_keras_serializable(package="MyLayers", name="KernelMult")
class MyDense(keras.layers.Layer):
    """A bias-free dense layer; ``nested_model`` is an optional layer applied first."""

    def __init__(
        self,
        units,
        *,
        kernel_regularizer=None,
        kernel_initializer=None,
        nested_model=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.hidden_units = units
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.kernel_initializer = keras.initializers.get(kernel_initializer or "glorot_uniform")
        self.nested_model = nested_model

    def build(self, input_shape):
        if self.nested_model is not None:
            build_once(self.nested_model, input_shape)
            input_shape = self.nested_model.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.hidden_units),
            regularizer=self.kernel_regularizer,
            initializer=self.kernel_initializer,
        )

    def call(self, inputs):
        if self.nested_model is not None:
            inputs = self.nested_model(inputs)
        return ops.matmul(inputs, self.kernel)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.hidden_units)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.hidden_units,
                "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "nested_model": (
                    keras.saving.serialize_keras_object(self.nested_model)
                    if self.nested_model is not None
                    else None
                ),
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("nested_model") is not None:
            config["nested_model"] = keras.saving.deserialize_keras_object(config["nested_model"])
        return cls(**config)


@keras.saving.register_keras_serializable(package="ComplexModels")
class CustomModel(keras.layers.Layer):
    """Applies ``second_layer`` then ``first_layer`` (the guide's from_config example)."""

    def __init__(self, first_layer, second_layer=None, **kwargs):
        super().__init__(**kwargs)
        self.first_layer = first_layer
        self.second_layer = second_layer if second_layer is not None else keras.layers.Dense(8)

    def build(self, input_shape):
        build_once(self.second_layer, input_shape)
        build_once(self.first_layer, self.second_layer.compute_output_shape(input_shape))

    def call(self, inputs):
        return self.first_layer(self.second_layer(inputs))

    def compute_output_shape(self, input_shape):
        shape = self.second_layer.compute_output_shape(input_shape)
        return self.first_layer.compute_output_shape(shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "first_layer": keras.saving.serialize_keras_object(self.first_layer),
                "second_layer": keras.saving.serialize_keras_object(self.second_layer),
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["first_layer"] = keras.layers.deserialize(config["first_layer"])
        config["second_layer"] = keras.layers.deserialize(config["second_layer"])
        return cls(**config)


# -- the guide's unregistered examples, registered under LayerhubSeed> ------------------
@keras.saving.register_keras_serializable(package="LayerhubSeed", name="CustomLayer")
class SublayerWrapper(keras.layers.Layer):
    """The guide's first CustomLayer: calls a sublayer passed to ``__init__``."""

    def __init__(self, sublayer, **kwargs):
        super().__init__(**kwargs)
        self.sublayer = sublayer

    def build(self, input_shape):
        build_once(self.sublayer, input_shape)

    def call(self, x):
        return self.sublayer(x)

    def compute_output_shape(self, input_shape):
        return self.sublayer.compute_output_shape(input_shape)

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "sublayer": keras.saving.serialize_keras_object(self.sublayer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        sublayer = keras.saving.deserialize_keras_object(config.pop("sublayer"))
        return cls(sublayer, **config)


@keras.saving.register_keras_serializable(package="LayerhubSeed")
class NestedDenseLayer(keras.layers.Layer):
    """Two stacked Dense layers of ``units`` each (the guide's weight-ordering example)."""

    def __init__(self, units, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.dense_1 = keras.layers.Dense(units, name="dense_1")
        self.dense_2 = keras.layers.Dense(units, name="dense_2")

    def build(self, input_shape):
        self.dense_1.build(input_shape)
        self.dense_2.build(self.dense_1.compute_output_shape(input_shape))

    def call(self, inputs):
        return self.dense_2(self.dense_1(inputs))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="LayerhubSeed")
class SubclassedModel(keras.Model):
    """Three Dense layers (the guide's weight-transfer example)."""

    def __init__(self, output_dim, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.output_dim = output_dim
        self.dense_1 = keras.layers.Dense(64, activation="relu", name="dense_1")
        self.dense_2 = keras.layers.Dense(64, activation="relu", name="dense_2")
        self.dense_3 = keras.layers.Dense(output_dim, name="predictions")

    def call(self, inputs):
        return self.dense_3(self.dense_2(self.dense_1(inputs)))

    def get_config(self):
        return {"output_dim": self.output_dim, "name": self.name}


# -- one object of every other serializable kind -----------------------------------------
@keras.saving.register_keras_serializable(package="LayerhubSeed")
class ScaledL2(keras.regularizers.Regularizer):
    """L2 penalty times ``scale``."""

    def __init__(self, scale=0.01):
        self.scale = float(scale)

    def __call__(self, x):
        return self.scale * ops.sum(ops.square(x))

    def get_config(self):
        return {"scale": self.scale}


@keras.saving.register_keras_serializable(package="LayerhubSeed")
class ConstantScale(keras.initializers.Initializer):
    """Fills a variable with ``value``."""

    def __init__(self, value=0.1):
        self.value = float(value)

    def __call__(self, shape, dtype=None):
        return ops.full(shape, self.value, dtype=dtype)

    def get_config(self):
        return {"value": self.value}


@keras.saving.register_keras_serializable(package="LayerhubSeed")
class ClipValue(keras.constraints.Constraint):
    """Clips weights into ``[-limit, limit]``."""

    def __init__(self, limit=1.0):
        self.limit = float(limit)

    def __call__(self, w):
        return ops.clip(w, -self.limit, self.limit)

    def get_config(self):
        return {"limit": self.limit}


@keras.saving.register_keras_serializable(package="LayerhubSeed")
class WarmupSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up to ``peak`` over ``warmup_steps``, then constant."""

    def __init__(self, peak=1e-3, warmup_steps=10):
        self.peak = float(peak)
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        return self.peak * ops.minimum(1.0, (step + 1.0) / float(self.warmup_steps))

    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps}


@keras.saving.register_keras_serializable(package="LayerhubSeed")
class ScaledMSE(keras.losses.Loss):
    """Mean squared error times ``scale``."""

    def __init__(self, scale=1.0, name="scaled_mse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.scale = float(scale)

    def call(self, y_true, y_pred):
        return self.scale * ops.mean(ops.square(y_true - y_pred), axis=-1)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package="LayerhubSeed")
def scaled_mae(y_true, y_pred):
    """Mean absolute error (a function loss / metric)."""
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


@keras.saving.register_keras_serializable(package="LayerhubSeed")
class PeakError(keras.metrics.Metric):
    """The largest absolute error seen so far."""

    def __init__(self, name="peak_error", **kwargs):
        super().__init__(name=name, **kwargs)
        self.peak = self.add_variable(shape=(), initializer="zeros", name="peak")

    def update_state(self, y_true, y_pred, sample_weight=None):
        error = ops.max(ops.abs(ops.cast(y_true, self.dtype) - ops.cast(y_pred, self.dtype)))
        self.peak.assign(ops.maximum(self.peak, error))

    def result(self):
        return ops.convert_to_tensor(self.peak)  # a tensor, not the variable (JAX tracing)

    def reset_state(self):
        self.peak.assign(0.0)


@keras.saving.register_keras_serializable(package="LayerhubSeed")
class ScaledSGD(keras.optimizers.SGD):
    """SGD whose gradients are multiplied by ``grad_scale``."""

    def __init__(self, grad_scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.grad_scale = float(grad_scale)

    def update_step(self, gradient, variable, learning_rate):
        super().update_step(gradient * self.grad_scale, variable, learning_rate)

    def get_config(self):
        return {**super().get_config(), "grad_scale": self.grad_scale}
