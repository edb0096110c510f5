"""The resource budget: what a config asks Keras to allocate, judged before Keras runs.

A few bytes of config can make Keras allocate terabytes (``Dense(units=10**12)``,
``Embedding(input_dim=10**12)``, an absurd ``Input`` shape) or build millions of
objects; TensorFlow then fails after minutes, or a smaller machine goes down first.
This module estimates, from the config alone, a lower bound of the weights each layer
creates and compares it with what the file holds:

- ``weights-over-stored``: the config declares more than ``max_params_ratio`` times the
  weights the archive stores, plus ``max_unstored_params`` (room for layers saved
  unbuilt, which store nothing). A built model's file holds every weight its layers
  own, and the estimates are lower bounds, so a genuine file never comes close;
- ``weights-over-cap``: it declares more than ``max_params`` in all, whatever it stores;
- ``absurd-shape``: a shape anywhere in a layer's config (``batch_shape``,
  ``input_shape``, ``target_shape``...) or a size (``units``, ``input_dim``...) larger
  than ``max_params`` elements;
- ``too-many-layers`` and ``graph-too-deep``: more than ``max_layers`` layers, or a
  chain of layers longer than ``max_graph_depth`` (Keras walks graphs recursively).

The estimates cover the built-in layers that own weights (:data:`ESTIMATORS`) and any
plugin object whose registry entry names an ``estimate`` function (``registry.add(...,
estimate="module:function")``: it takes the object's config and returns the weights
the object itself creates, nested objects aside). Unknown dimensions count as 1. The
limits are fields of :class:`~layerhub.archive.limits.Limits` (``LAYERHUB_MAX_PARAMS``...).
Nothing here imports keras.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .. import settings
from ..archive.layout import ModelArchive
from ..archive.limits import Limits
from ..findings import Finding, Severity
from ..plugins.registry import Registry
from ..pointer import resolve
from ..references.walk import Reference

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
    for tensor in inbound_tensors(node):
        shape = tensor.get("shape")
        if isinstance(shape, list):
            return shape
    return None


def inbound_tensors(node: Config) -> Iterable[Config]:
    """The ``__keras_tensor__`` configs a functional layer is called on."""
    stack: list[Any] = [node.get("inbound_nodes")]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("class_name") == "__keras_tensor__" and isinstance(
                item.get("config"), dict
            ):
                yield item["config"]
            else:
                stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


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


def budget_findings(
    archive: ModelArchive,
    references: Sequence[Reference],
    registry: Registry,
    limits: Limits | None = None,
) -> list[Finding]:
    """Every way the config of ``archive`` goes past the resource budget."""
    limits = limits or Limits.from_env()
    findings: list[Finding] = []
    models: list[Config] = []
    declared, largest, layers = declared_weights(
        archive, references, registry, limits, findings, models
    )
    if layers > limits.max_layers:
        findings.append(
            over_limit(
                "too-many-layers",
                f"{layers} layers, over the limit of {limits.max_layers}",
                "",
                "MAX_LAYERS",
            )
        )
    # A chain cannot be longer than the layers there are: most files skip the walk.
    depth = graph_depth(archive.config, models) if layers > limits.max_graph_depth else 0
    if depth > limits.max_graph_depth:
        findings.append(
            over_limit(
                "graph-too-deep",
                f"a chain of {depth} layers, over the limit of {limits.max_graph_depth}",
                "",
                "MAX_GRAPH_DEPTH",
            )
        )
    where = f" (the most, {largest[0]}, by {largest[1]})" if largest[0] else ""
    if declared > limits.max_params:
        findings.append(
            over_limit(
                "weights-over-cap",
                f"the config declares at least {declared} weights{where}, over the limit "
                f"of {limits.max_params}",
                largest[2],
                "MAX_PARAMS",
            )
        )
    elif archive.stored is not None:
        # An array of n elements takes at least n/2 bytes (int4 packs two per byte), so
        # declared shapes cannot make a small file pass for a large one.
        held = min(archive.stored.elements, 2 * archive.stored.bytes)
        allowed = limits.max_params_ratio * held + limits.max_unstored_params
        if declared > allowed:
            findings.append(
                over_limit(
                    "weights-over-stored",
                    f"the config declares at least {declared} weights{where}, but the file "
                    f"stores {held}: building it would allocate what no weight fills",
                    largest[2],
                    "MAX_UNSTORED_PARAMS",
                )
            )
    return findings


def declared_weights(
    archive: ModelArchive,
    references: Sequence[Reference],
    registry: Registry,
    limits: Limits,
    findings: list[Finding],
    models: list[Config] | None = None,
) -> tuple[int, tuple[int, str, str], int]:
    """The weights the config declares (a lower bound), its largest contributor
    ``(count, class_name, pointer)`` and the number of layers; shape findings and
    failed plugin estimates go to ``findings``, the objects holding a ``layers`` list
    (outermost first) to ``models``."""
    declared = 0
    largest: tuple[int, str, str] = (0, "", "")
    layers = 0
    for ref in references:
        if ref.kind != "class" or not isinstance(ref.config, dict):
            continue
        if ref.pointer.rpartition("/")[0].endswith("/layers"):
            layers += 1
        holds_layers = isinstance(ref.config.get("layers"), list)
        # The envelope (build_config, inbound_nodes) matters to layers that own weights
        # and to models; a layer that owns none allocates nothing at build time.
        node: Any = {}
        if holds_layers or owns_weights(ref, registry):
            node = resolve(archive.config, ref.pointer)
            node = node if isinstance(node, dict) else {}
        if models is not None and holds_layers:
            models.append(node)
        findings += shape_findings(ref, node, limits)
        count = estimate(ref, node, registry, findings)
        declared += count
        if count > largest[0]:
            largest = (count, ref.class_name, ref.pointer)
    return declared, largest, layers


def over_limit(code: str, message: str, location: str, setting: str) -> Finding:
    return Finding(
        code,
        Severity.CRITICAL,
        f"{message} (raise {settings.LIMIT_PREFIX}{setting} if the file is trusted)",
        location,
    )


def owns_weights(ref: Reference, registry: Registry) -> bool:
    """Whether an estimate exists for the object at ``ref``."""
    if ref.builtin:
        return ref.class_name in ESTIMATORS
    entry = registry.get(ref.name)
    return entry is not None and entry.estimate is not None


def estimate(ref: Reference, node: Config, registry: Registry, findings: list[Finding]) -> int:
    """A lower bound of the weights the object at ``ref`` creates itself."""
    if ref.builtin:
        estimator = ESTIMATORS.get(ref.class_name)
        return estimator(ref.config, node) if estimator else 0
    entry = registry.get(ref.name)
    if entry is None or entry.estimate is None:
        return 0
    try:
        count = entry.load_estimate()(ref.config)
        if not isinstance(count, int) or count < 0:
            raise TypeError(f"returned {count!r}, not a count of weights")
    except Exception as exc:  # a plugin's bug must not stop a scan
        findings.append(
            Finding(
                "estimate-failed",
                Severity.LOW,
                f"the estimate of {ref.name!r} ({entry.estimate}) failed: "
                f"{type(exc).__name__}: {exc}",
                ref.pointer,
            )
        )
        return 0
    return count


def shape_findings(ref: Reference, node: Config, limits: Limits) -> list[Finding]:
    """Shapes and sizes in a layer's config (and build config) beyond ``max_params``."""
    findings: list[Finding] = []
    build = node.get("build_config")
    sources = [("config", ref.config)]
    if isinstance(build, dict):
        sources.append(("build_config", build))
    for part, config in sources:
        for key, value in config.items():
            if key in SIZE_KEYS:
                found = dims(value)
            elif key in SHAPE_KEYS:
                found = all_dims(value)
            else:
                continue
            if found is None:
                continue
            elements = math.prod(d for d in found if d > 0) if found else 0
            if elements > limits.max_params or any(d < 0 for d in found):
                findings.append(
                    over_limit(
                        "absurd-shape",
                        f"{key} {value!r} asks for {elements} elements, over the limit of "
                        f"{limits.max_params}",
                        f"{ref.pointer}/{part}/{key}",
                        "MAX_PARAMS",
                    )
                )
    return findings


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


def graph_depth(config: Any, models: list[Config] | None = None) -> int:
    """The longest chain of layers through the model, nested models unrolled.

    Sequential layers follow each other; a functional layer follows the layers its
    inbound tensors come from (``keras_history``, or the legacy ``[name, node, index]``).
    Iterative, and a cycle (which Keras would reject) counts once. ``models`` are the
    objects holding a ``layers`` list, outermost first, when the caller has them.
    """
    models = iter_models(config) if models is None else models
    depth_of: dict[int, int] = {}
    for model in reversed(models):  # inner models first
        layers = model["config"]["layers"]
        own = [depth_of.get(id(layer), 1) for layer in layers]
        if model.get("class_name") == "Sequential" or not any(
            isinstance(layer, dict) and "inbound_nodes" in layer for layer in layers
        ):
            depth_of[id(model)] = sum(own)
            continue
        index = {layer_name(layer): i for i, layer in enumerate(layers)}
        inbound = [[index[p] for p in parent_names(layer) if p in index] for layer in layers]
        longest: dict[int, int] = {}
        for start in range(len(layers)):
            stack = [(start, False)]
            visiting: set[int] = set()
            while stack:
                i, done = stack.pop()
                if i in longest:
                    continue
                parents = inbound[i]
                if done:
                    visiting.discard(i)
                    longest[i] = own[i] + max((longest.get(p, 0) for p in parents), default=0)
                    continue
                visiting.add(i)
                stack.append((i, True))
                stack.extend((p, False) for p in parents if p not in longest and p not in visiting)
        depth_of[id(model)] = max(longest.values(), default=0)
    return max((depth_of[id(m)] for m in models), default=0)


def iter_models(config: Any) -> list[Config]:
    """Every object with a ``config.layers`` list, outermost first."""
    found: list[Config] = []
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            inner = node.get("config")
            if isinstance(inner, dict) and isinstance(inner.get("layers"), list):
                found.append(node)
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
    return found


def layer_name(layer: Any) -> str | None:
    config = layer.get("config") if isinstance(layer, dict) else None
    name = config.get("name") if isinstance(config, dict) else None
    return name if isinstance(name, str) else None


def parent_names(layer: Any) -> list[str]:
    """The names of the layers whose outputs ``layer`` is called on."""
    if not isinstance(layer, dict):
        return []
    names: list[str] = []
    stack: list[Any] = [layer.get("inbound_nodes")]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            history = item.get("keras_history")
            if isinstance(history, list) and history and isinstance(history[0], str):
                names.append(history[0])
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            if len(item) >= 3 and isinstance(item[0], str) and isinstance(item[1], int):
                names.append(item[0])  # legacy [name, node_index, tensor_index, kwargs]
            else:
                stack.extend(item)
    return names
