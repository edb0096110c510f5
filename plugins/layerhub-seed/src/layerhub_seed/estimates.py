"""How many weights the seed's layers create, from their configs alone (no keras here).

Named in the ``layerhub.estimates`` entry points of this package's ``pyproject.toml``:
layerhub checks the weights a saved model declares against what its file stores
before Keras builds anything (docs/security.md). Each function counts the object's own
weights, with the sizes its config does not hold (the input width) taken as 1, so the
count is a lower bound; nested objects are counted by layerhub itself.
"""

from __future__ import annotations


def kernel_mult(config: dict) -> int:
    """``MyDense``: a kernel of (input width, units), no bias."""
    return int(config.get("units", 1))


def nested_dense(config: dict) -> int:
    """``NestedDenseLayer``: two Dense layers of ``units`` each, biases included."""
    units = int(config.get("units", 1))
    return (units + units) + (units * units + units)
