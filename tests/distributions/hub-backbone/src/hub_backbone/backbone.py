"""A tiny functional KerasHub backbone: token ids -> embedding -> dense."""

import keras
import keras_hub


@keras.saving.register_keras_serializable(package="HubBackbone")
class TinyBackbone(keras_hub.models.Backbone):
    def __init__(self, vocabulary_size, hidden_dim, dtype=None, **kwargs):
        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        x = keras.layers.Embedding(vocabulary_size, hidden_dim, name="embedding")(token_ids)
        x = keras.layers.Dense(hidden_dim, name="dense")(x)
        super().__init__(inputs=token_ids, outputs=x, dtype=dtype, **kwargs)
        self.vocabulary_size = vocabulary_size
        self.hidden_dim = hidden_dim

    def get_config(self):
        config = super().get_config()
        config.update({"vocabulary_size": self.vocabulary_size, "hidden_dim": self.hidden_dim})
        return config
