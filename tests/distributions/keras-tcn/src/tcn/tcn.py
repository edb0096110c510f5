"""A temporal convolutional network layer, registered as keras-tcn registers its own."""

from __future__ import annotations

from typing import Any

import keras


@keras.saving.register_keras_serializable()
class TCN(keras.layers.Layer):
    """Creates a TCN layer."""

    def __init__(
        self,
        nb_filters: int = 64,
        kernel_size: int = 3,
        dilations: tuple[int, ...] = (1, 2, 4, 8),
        return_sequences: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.nb_filters = nb_filters
        self.kernel_size = kernel_size
        self.dilations = tuple(dilations)
        self.return_sequences = return_sequences
        self.convolutions = [
            keras.layers.Conv1D(
                nb_filters, kernel_size, padding="causal", dilation_rate=d, activation="relu"
            )
            for d in self.dilations
        ]

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        shape = input_shape
        for convolution in self.convolutions:
            convolution.build(shape)
            shape = convolution.compute_output_shape(shape)

    def call(self, inputs: Any) -> Any:
        x = inputs
        for convolution in self.convolutions:
            x = convolution(x)
        return x if self.return_sequences else x[:, -1, :]

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        if self.return_sequences:
            return (*input_shape[:-1], self.nb_filters)
        return (input_shape[0], self.nb_filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "nb_filters": self.nb_filters,
            "kernel_size": self.kernel_size,
            "dilations": list(self.dilations),
            "return_sequences": self.return_sequences,
        }


__all__ = ["TCN"]
