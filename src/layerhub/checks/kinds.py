"""Which kind of Keras object a registered target is: the checks that apply follow from it."""

from __future__ import annotations

import inspect
from typing import Any

__all__ = [
    "CALLABLE_LAYERS",
    "CONFIGURABLE",
    "CONSTRAINT",
    "FUNCTION",
    "INITIALIZER",
    "KINDS",
    "LOSS",
    "METRIC",
    "MODEL",
    "OPTIMIZER",
    "REGULARIZER",
    "SCHEDULE",
    "UNKNOWN",
    "function_role",
]

LAYER = "layer"
MODEL = "model"
FUNCTION = "function"
LOSS = "loss"
METRIC = "metric"
REGULARIZER = "regularizer"
INITIALIZER = "initializer"
CONSTRAINT = "constraint"
SCHEDULE = "schedule"
OPTIMIZER = "optimizer"
UNKNOWN = "unknown"

KINDS = (
    LAYER,
    MODEL,
    FUNCTION,
    LOSS,
    METRIC,
    REGULARIZER,
    INITIALIZER,
    CONSTRAINT,
    SCHEDULE,
    OPTIMIZER,
)
#: Kinds that are classes with ``get_config`` / ``from_config``.
CONFIGURABLE = frozenset(KINDS) - {FUNCTION}
#: Kinds that take an input and produce an output tensor.
CALLABLE_LAYERS = frozenset({LAYER, MODEL})


def function_role(fn: Any) -> str:
    """How the checks use a function: ``activation`` (one argument) or ``loss`` (two)."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return "activation"
    required = [
        p
        for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return "loss" if len(required) >= 2 else "activation"
