import keras


@keras.saving.register_keras_serializable(package="Kit")
class Scale(keras.layers.Layer):
    """Multiplies its input by a fixed factor."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
