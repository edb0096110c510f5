"""The two layers; importing this module imports keras."""

import os

import keras

if os.environ.get("STATIC_BLOCKS_CANARY"):
    with open(os.environ["STATIC_BLOCKS_CANARY"], "a") as canary:
        canary.write(f"{__name__}\n")


@keras.saving.register_keras_serializable(package="Static")
class Scale(keras.layers.Layer):
    """x * a learned per-feature scale."""

    def __init__(self, init=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.scale = self.add_weight(
            shape=(input_shape[-1],), initializer=keras.initializers.Constant(self.init)
        )

    def call(self, x):
        return x * self.scale

    def get_config(self):
        return {**super().get_config(), "init": self.init}


@keras.saving.register_keras_serializable(package="Static")
class Shift(keras.layers.Layer):
    """x + a constant."""

    def __init__(self, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def call(self, x):
        return x + self.offset

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}
