"""Block: a Dense projection followed by a chain of Gate layers it holds in its config."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="SchemaNested")
class Gate(keras.layers.Layer):
    """Scales its input by ``1 - rate``."""

    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, x):
        return x * (1.0 - self.rate)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


@keras.saving.register_keras_serializable(package="SchemaNested")
class Block(keras.layers.Layer):
    """Dense(units, activation) then every gate in order."""

    def __init__(self, units, activation="relu", gates=(), **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activation
        self.gates = [
            g if isinstance(g, keras.layers.Layer) else keras.saving.deserialize_keras_object(g)
            for g in gates
        ]
        self.dense = keras.layers.Dense(units, activation=activation)

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, x):
        x = self.dense(x)
        for gate in self.gates:
            x = gate(x)
        return x

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation,
            "gates": [keras.saving.serialize_keras_object(g) for g in self.gates],
        }


@keras.saving.register_keras_serializable(package="SchemaNested")
def squash(x):
    return ops.tanh(x)


def build_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(4,))
    x = Block(3, gates=[Gate(0.5, name="g1"), Gate(0.25, name="g2")], name="block")(inputs)
    outputs = keras.layers.Dense(1, activation=squash, name="head")(x)
    return keras.Model(inputs, outputs, name="nested_model")
