"""The layer graph of a model config: its models, its layers' names, who feeds whom, and
its longest chain.

Read from the plain config dicts (no keras), for the resource budget (:mod:`.budget`):
Keras walks a functional graph recursively, so a chain of layers longer than Python's
recursion limit crashes it, and the weight estimates (:mod:`.estimates`) need the shape
of the tensor a layer is called on. Both come from one walk of a layer's
``inbound_nodes`` (:func:`inbound_tensors`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

__all__ = ["Inbound", "graph_depth", "inbound_tensors", "layer_name", "models_in", "parents"]

Config = dict[str, Any]


class Inbound(NamedTuple):
    """One tensor a functional layer is called on: the name of the layer that made it
    (``None`` when the config does not say) and its shape (``None`` when not recorded)."""

    layer: str | None
    shape: list[Any] | None


def inbound_tensors(layer: Any) -> Iterator[Inbound]:
    """The tensors ``layer`` is called on, in file order, from its ``inbound_nodes``.

    Keras 3 writes each as ``{"class_name": "__keras_tensor__", "config": {"shape": ...,
    "keras_history": [layer, node, index]}}``; legacy configs as ``[layer, node, index,
    kwargs]`` lists, which record no shape. Iterative: the nesting is the file's to choose.
    """
    if not isinstance(layer, dict):
        return
    stack: list[Any] = [layer.get("inbound_nodes")]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            config = item.get("config")
            if item.get("class_name") == "__keras_tensor__" and isinstance(config, dict):
                shape = config.get("shape")
                yield Inbound(history_layer(config), shape if isinstance(shape, list) else None)
                continue
            name = history_layer(item)  # a tensor config outside its envelope
            if name is not None:
                yield Inbound(name, None)
            else:
                stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            if len(item) >= 3 and isinstance(item[0], str) and isinstance(item[1], int):
                yield Inbound(item[0], None)  # legacy [name, node_index, tensor_index, kwargs]
            else:
                stack.extend(reversed(item))


def history_layer(tensor: Config) -> str | None:
    """The layer named by a tensor config's ``keras_history``, if it names one."""
    history = tensor.get("keras_history")
    if isinstance(history, list) and history and isinstance(history[0], str):
        return history[0]
    return None


def parents(layer: Any) -> list[str]:
    """The names of the layers whose outputs ``layer`` is called on."""
    return [t.layer for t in inbound_tensors(layer) if t.layer is not None]


def layer_name(layer: Any) -> str | None:
    config = layer.get("config") if isinstance(layer, dict) else None
    name = config.get("name") if isinstance(config, dict) else None
    return name if isinstance(name, str) else None


def models_in(config: Any) -> list[Config]:
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


def graph_depth(config: Any, models: list[Config] | None = None) -> int:
    """The longest chain of layers through the model, nested models unrolled.

    Sequential layers follow each other; a functional layer follows the layers its
    inbound tensors come from (``keras_history``, or the legacy ``[name, node, index]``).
    Iterative, and a cycle (which Keras would reject) counts once. ``models`` are the
    objects holding a ``layers`` list, outermost first, when the caller has them.
    """
    models = models_in(config) if models is None else models
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
        inbound = [[index[p] for p in parents(layer) if p in index] for layer in layers]
        longest: dict[int, int] = {}
        for start in range(len(layers)):
            stack = [(start, False)]
            visiting: set[int] = set()
            while stack:
                i, done = stack.pop()
                if i in longest:
                    continue
                before = inbound[i]
                if done:
                    visiting.discard(i)
                    longest[i] = own[i] + max((longest.get(p, 0) for p in before), default=0)
                    continue
                visiting.add(i)
                stack.append((i, True))
                stack.extend((p, False) for p in before if p not in longest and p not in visiting)
        depth_of[id(model)] = max(longest.values(), default=0)
    return max((depth_of[id(m)] for m in models), default=0)
