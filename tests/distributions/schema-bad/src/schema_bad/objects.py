"""One small layer class per registered name."""

import keras


class Scale(keras.layers.Layer):
    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _named(name):
    return keras.saving.register_keras_serializable(package="SchemaBad", name=name)(
        type(name, (Scale,), {"__module__": __name__})
    )


Good = _named("Good")
BadForm = _named("BadForm")
Typo = _named("Typo")
Truncated = _named("Truncated")
Absent = _named("Absent")
Remote = _named("Remote")
Dangling = _named("Dangling")
BadPattern = _named("BadPattern")
Untyped = _named("Untyped")
NAMES = [
    "Good",
    "BadForm",
    "Typo",
    "Truncated",
    "Absent",
    "Remote",
    "Dangling",
    "BadPattern",
    "Untyped",
]


def build_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(2,))
    x = inputs
    for name in NAMES:
        x = globals()[name](0.5, name=name.lower())(x)
    return keras.Model(inputs, x, name="bad_model")
