"""How many weights each layer of a config creates, from the config alone.

A lower bound per object, for the resource budget (:mod:`.budget`): the built-in layers
that own weights (:data:`ESTIMATORS`, by class name) and any plugin object whose
registry entry names an ``estimate`` function (``registry.add(...,
estimate="module:function")``: it takes the object's config and returns the weights the
object itself creates, nested objects aside). Input sizes come from the layer's
``build_config`` or the first tensor it is called on (:mod:`.graph`); unknown
dimensions count as 1, so a genuine file never declares more than it stores. Also the
keys that hold shapes and sizes, which the budget checks one by one. Nothing here
imports keras; a plugin's ``estimate`` module must not either.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from ..findings import Finding, Severity
from ..plugins.registry import Registry
from ..references.walk import Reference
from .graph import inbound_tensors

__all__ = [
    "ESTIMATORS",
    "SHAPE_KEYS",
    "SIZE_KEYS",
    "Estimate",
    "all_dims",
    "dims",
    "estimate",
    "input_shape",
    "owns_weights",
]

#: Config keys that hold a shape (a list of dimensions, or a list of such lists).
SHAPE_KEYS = frozenset(
    {
        "batch_shape",
        "batch_input_shape",
        "input_shape",
        "build_input_shape",
        "shape",
        "target_shape",
        "output_shape",
        "query_shape",
        "key_shape",
        "value_shape",
    }
)
#: Config keys that hold one size that weights or outputs scale with.
SIZE_KEYS = frozenset(
    {
        "units",
        "filters",
        "input_dim",
        "output_dim",
        "num_heads",
        "key_dim",
        "value_dim",
        "num_tokens",
        "max_tokens",
        "num_bins",
        "depth_multiplier",
        "head_dim",
        "num_query_heads",
        "num_key_value_heads",
        "groups",
    }
)

Config = dict[str, Any]
Estimator = Callable[[Config, "Any"], int]


def dims(value: Any) -> list[int] | None:
    """The integer dimensions of a shape (``None`` entries dropped), if it is one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, list | tuple) and all(
        v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value
    ):
        return [v for v in value if v is not None]
    return None


def first_shape(value: Any) -> list[Any] | None:
    """The first of one or several shapes (a list, a list of lists, a dict of lists)."""
    if isinstance(value, dict):
        value = next(iter(value.values()), None)
    if isinstance(value, list) and value and isinstance(value[0], list | dict):
        return first_shape(value[0])
    return value if isinstance(value, list) else None


def input_shape(node: Config) -> list[Any] | None:
    """A layer's input shape: its ``build_config``, else its first inbound tensor."""
    build = node.get("build_config")
    if isinstance(build, dict):
        shape = first_shape(build.get("input_shape"))
        if shape is not None:
            return shape
    return next((t.shape for t in inbound_tensors(node) if t.shape is not None), None)


def channels(config: Config, node: Config) -> int:
    """The size of the axis a layer's weights scale with (1 when unknown)."""
    shape = input_shape(node)
    if not shape:
        return 1
    if config.get("data_format") == "channels_first" and len(shape) > 1:
        size = shape[1]
    else:
        axis = config.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) and axis else axis
        size = shape[axis] if isinstance(axis, int) and -len(shape) <= axis < len(shape) else None
    return size if isinstance(size, int) and size > 0 else 1


def size(config: Config, key: str, default: int = 1) -> int:
    value = config.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1


def kernel(config: Config) -> int:
    found = dims(config.get("kernel_size", 1))
    return math.prod(d for d in found if d > 0) if found else 1


def bias(config: Config, count: int) -> int:
    return count if config.get("use_bias", True) is not False else 0


def dense(c: Config, node: Config) -> int:
    units = size(c, "units")
    return channels(c, node) * units + bias(c, units)


def embedding(c: Config, node: Config) -> int:
    return size(c, "input_dim") * size(c, "output_dim")


def conv(c: Config, node: Config) -> int:
    filters = size(c, "filters")
    return kernel(c) * channels(c, node) // size(c, "groups") * filters + bias(c, filters)


def conv_transpose(c: Config, node: Config) -> int:
    filters = size(c, "filters")
    return kernel(c) * channels(c, node) * filters + bias(c, filters)


def depthwise(c: Config, node: Config) -> int:
    out = channels(c, node) * size(c, "depth_multiplier")
    return kernel(c) * out + bias(c, out)


def separable(c: Config, node: Config) -> int:
    mid, filters = channels(c, node) * size(c, "depth_multiplier"), size(c, "filters")
    return kernel(c) * mid + mid * filters + bias(c, filters)


def recurrent(gates: int) -> Estimator:
    def estimate(c: Config, node: Config) -> int:
        units = size(c, "units")
        biases = gates * units * (2 if gates == 3 and c.get("reset_after", True) else 1)
        return gates * units * (channels(c, node) + units) + bias(c, biases)

    return estimate


def conv_lstm(c: Config, node: Config) -> int:
    filters = size(c, "filters")
    return 4 * filters * kernel(c) * (channels(c, node) + filters) + bias(c, 4 * filters)


def attention(c: Config, node: Config) -> int:
    heads, key = size(c, "num_heads"), size(c, "key_dim")
    value = size(c, "value_dim", key) if c.get("value_dim") is not None else key
    build = node.get("build_config") if isinstance(node.get("build_config"), dict) else {}

    def last(name: str) -> int:
        found = dims(build.get(name) or [])
        return found[-1] if found else 1

    query = last("query_shape")
    out = (dims(c.get("output_shape")) or [query])[-1] if c.get("output_shape") else query
    projections = (query + last("key_shape")) * heads * key + last("value_shape") * heads * value
    return projections + heads * value * out + bias(c, 2 * heads * key + heads * value + out)


def grouped_attention(c: Config, node: Config) -> int:
    head, queries, kv = (
        size(c, "head_dim"),
        size(c, "num_query_heads"),
        size(c, "num_key_value_heads"),
    )
    model = channels(c, node)
    return model * head * (2 * queries + 2 * kv)


def normalization(per_channel: int) -> Estimator:
    return lambda c, node: per_channel * channels(c, node)


def einsum_dense(c: Config, node: Config) -> int:
    """The kernel of ``"lhs,kernel->out"``: each kernel axis sized by ``output_shape``
    (aligned to the last letters of ``out``) or by the input (aligned to ``lhs``)."""
    equation = c.get("equation")
    match = re.fullmatch(r"([a-z.]+),([a-z]+)->([a-z.]+)", str(equation).replace(" ", ""))
    if not match:
        return 1
    lhs, kernel_axes, out = match.groups()
    sizes: dict[str, int] = {}
    output = dims(c.get("output_shape")) or []
    out_letters = out.replace(".", "")
    for letter, dim in zip(out_letters[len(out_letters) - len(output) :], output, strict=False):
        sizes[letter] = dim
    shape = input_shape(node) or []
    lhs_letters = lhs.replace(".", "")
    for letter, dim in zip(lhs_letters[len(lhs_letters) - len(shape) :], shape, strict=False):
        if isinstance(dim, int) and dim > 0:
            sizes.setdefault(letter, dim)
    return math.prod(max(1, sizes.get(letter, 1)) for letter in kernel_axes)


#: Built-in layers that own weights, by class name (legacy ``Convolution2D`` too).
ESTIMATORS: dict[str, Estimator] = {
    "Dense": dense,
    "EinsumDense": einsum_dense,
    "Embedding": embedding,
    **{f"{k}{n}D": conv for k in ("Conv", "Convolution") for n in (1, 2, 3)},
    **{f"{k}{n}DTranspose": conv_transpose for k in ("Conv", "Convolution") for n in (1, 2, 3)},
    "DepthwiseConv1D": depthwise,
    "DepthwiseConv2D": depthwise,
    "SeparableConv1D": separable,
    "SeparableConv2D": separable,
    "SeparableConvolution1D": separable,
    "SeparableConvolution2D": separable,
    **{f"ConvLSTM{n}D": conv_lstm for n in (1, 2, 3)},
    "LSTM": recurrent(4),
    "LSTMCell": recurrent(4),
    "GRU": recurrent(3),
    "GRUCell": recurrent(3),
    "SimpleRNN": recurrent(1),
    "SimpleRNNCell": recurrent(1),
    "MultiHeadAttention": attention,
    "GroupQueryAttention": grouped_attention,
    "BatchNormalization": normalization(4),
    "LayerNormalization": normalization(2),
    "GroupNormalization": normalization(2),
    "RMSNormalization": normalization(1),
}


def all_dims(value: Any) -> list[int] | None:
    """The dimensions of a shape, or of the largest of several shapes."""
    found = dims(value)
    if found is not None:
        return found
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        shapes = [s for s in map(all_dims, value) if s is not None]
        return max(shapes, key=lambda s: math.prod(d for d in s if d > 0), default=None)
    return None


class Estimate(NamedTuple):
    """The weights an object creates itself (a lower bound), and the finding that says a
    plugin's ``estimate`` failed (then ``weights`` is 0: a plugin's bug must not stop a
    scan)."""

    weights: int
    failure: Finding | None = None


def owns_weights(ref: Reference, registry: Registry) -> bool:
    """Whether an estimate exists for the object at ``ref``."""
    if ref.builtin:
        return ref.class_name in ESTIMATORS
    entry = registry.get(ref.name)
    return entry is not None and entry.estimate is not None


def estimate(ref: Reference, node: Config, registry: Registry) -> Estimate:
    """A lower bound of the weights the object at ``ref`` creates itself; ``node`` is the
    object's envelope in the config (``build_config``, ``inbound_nodes``)."""
    if ref.builtin:
        estimator = ESTIMATORS.get(ref.class_name)
        return Estimate(estimator(ref.config, node) if estimator else 0)
    entry = registry.get(ref.name)
    if entry is None or entry.estimate is None:
        return Estimate(0)
    try:
        count = entry.load_estimate()(ref.config)
        if not isinstance(count, int) or count < 0:
            raise TypeError(f"returned {count!r}, not a count of weights")
    except Exception as exc:  # a plugin's bug must not stop a scan
        failure = Finding(
            "estimate-failed",
            Severity.LOW,
            f"the estimate of {ref.name!r} ({entry.estimate}) failed: {type(exc).__name__}: {exc}",
            ref.pointer,
            ref.name,
        )
        return Estimate(0, failure)
    return Estimate(count)
