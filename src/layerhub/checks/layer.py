"""The layer check: a layer (or model) builds and calls on its example input."""

from __future__ import annotations

from ..errors import CheckFailure
from .subject import Subject, default_input_misfit

__all__ = ["check_layer_call"]


def check_layer_call(subject: Subject) -> None:
    """A layer or model builds and calls on the example input its plugin gives."""
    import keras

    instance, x = subject.layer_example()
    try:
        outputs = instance(x)
    except Exception as exc:
        if subject.guesses_input:
            raise default_input_misfit(subject, exc) from exc
        raise CheckFailure(
            f"calling it on the example input raised {type(exc).__name__}: {exc}. Fix: "
            "build() must create every weight from input_shape and call() must accept the "
            "example input (or correct the example)."
        ) from exc
    if not instance.built:
        raise CheckFailure(
            "it is not built after being called. Fix: call super().build(input_shape) or "
            "let Layer.__call__ build it (do not override __call__)."
        )
    if outputs is None or not keras.tree.flatten(outputs):
        raise CheckFailure("calling it returned no tensor. Fix: return the output from call().")
