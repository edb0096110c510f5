"""A stand-in for MyLayers>CustomLayer that multiplies by ten times the factor."""

import keras


class OtherCustomLayer(keras.layers.Layer):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor * 10

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
