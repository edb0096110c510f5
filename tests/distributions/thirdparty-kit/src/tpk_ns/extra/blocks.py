"""In a namespace package (no __init__.py), registered the old way: through
``get_custom_objects().update``."""

import keras


class KitGate(keras.layers.Layer):
    """Gates its input with a sigmoid of itself."""

    def call(self, x):
        return x * keras.ops.sigmoid(x)


keras.saving.get_custom_objects().update({"KitGate": KitGate})
