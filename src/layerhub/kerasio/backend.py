"""Keras without its backend: which layerhub extra installs the one Keras is set to use.

``pip install layerhub`` installs Keras but none of TensorFlow, JAX or PyTorch (the
extras ``layerhub[tensorflow]``, ``[jax]`` and ``[torch]`` do). Keras picks its backend
from ``KERAS_BACKEND`` or ``~/.keras/keras.json`` (TensorFlow by default) and fails at
``import keras`` when that one is missing; the plugins importing Keras then fail too,
which would read as fourteen missing objects rather than one missing package.
"""

from __future__ import annotations

from typing import Any

from ..errors import MissingDependencyError

__all__ = ["import_keras"]

#: Keras backend module -> the layerhub extra that installs it.
BACKEND_EXTRAS = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def import_keras() -> Any:
    """``import keras``; a missing backend is a :class:`MissingDependencyError` naming the extra."""
    try:
        import keras
    except ModuleNotFoundError as exc:
        if exc.name not in BACKEND_EXTRAS:
            raise
        others = " or ".join(b for b in BACKEND_EXTRAS if b != exc.name)
        raise MissingDependencyError(
            f"Keras's backend {exc.name!r} is not installed: pip install "
            f"'layerhub[{BACKEND_EXTRAS[exc.name]}]', or pick an installed backend with "
            f"KERAS_BACKEND={others}"
        ) from exc
    return keras
