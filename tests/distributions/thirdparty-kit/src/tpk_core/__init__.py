"""The kit's core layers (importing the package registers them with Keras)."""

from .layers import Scale

__all__ = ["Scale"]
