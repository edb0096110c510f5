"""The layer graph of a config (``layerhub.safety.graph``), in process on plain dicts:
the one walk of ``inbound_nodes``, and the longest chain it gives."""

from __future__ import annotations

import json

from layerhub.safety.graph import Inbound, graph_depth, inbound_tensors, models_in, parents


def tensor(layer, shape):
    return {
        "class_name": "__keras_tensor__",
        "config": {"shape": shape, "dtype": "float32", "keras_history": [layer, 0, 0]},
    }


def test_one_walk_of_inbound_nodes_gives_each_tensor_its_layer_and_shape_in_file_order():
    add = {
        "class_name": "Add",
        "config": {"name": "add"},
        "inbound_nodes": [
            {"args": [[tensor("a", [None, 4]), tensor("b", [None, 8])]], "kwargs": {}},
            {"args": [tensor("c", None)], "kwargs": {"mask": tensor("m", [None])}},
        ],
    }
    assert list(inbound_tensors(add)) == [
        Inbound("a", [None, 4]),
        Inbound("b", [None, 8]),
        Inbound("c", None),
        Inbound("m", [None]),
    ]
    assert parents(add) == ["a", "b", "c", "m"]
    legacy = {"class_name": "Dense", "inbound_nodes": [[["x", 0, 0, {}], ["y", 1, 0, {}]]]}
    assert list(inbound_tensors(legacy)) == [Inbound("x", None), Inbound("y", None)]
    # a tensor without a history: no parent, but still one of the inputs
    anonymous = {"inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {}}]}]}
    assert list(inbound_tensors(anonymous)) == [Inbound(None, None)]
    assert parents(anonymous) == []
    assert list(inbound_tensors({"class_name": "Dense"})) == []
    assert list(inbound_tensors("not a layer")) == []


def test_models_in_lists_every_object_holding_layers_outermost_first():
    inner = {"class_name": "Sequential", "config": {"layers": []}}
    outer = {"class_name": "Functional", "config": {"layers": [inner]}}
    assert models_in({"config": outer}) == [outer, inner]


def test_graph_depth_follows_inbound_tensors_and_unrolls_nested_models():
    def functional(name, layers):
        return {"class_name": "Functional", "config": {"name": name, "layers": layers}}

    def node(name, *parents, inner=None):
        args = [
            {"class_name": "__keras_tensor__", "config": {"keras_history": [p, 0, 0]}}
            for p in parents
        ]
        layer = inner or {"class_name": "Dense", "config": {"name": name}}
        layer["config"]["name"] = name
        return {**layer, "inbound_nodes": [{"args": args, "kwargs": {}}]}

    inner = {
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "Dense", "config": {}} for _ in range(5)]},
    }
    diamond = functional(
        "m",
        [
            node("in"),
            node("a", "in"),
            node("b", "a"),
            node("c", "in", inner=inner),
            node("out", "b", "c"),
        ],
    )
    assert graph_depth(diamond) == 7  # in -> c (5 deep) -> out
    cycle = functional("m", [node("a", "b"), node("b", "a")])
    assert graph_depth(cycle) == 2
    legacy = functional(
        "m",
        [
            node("x"),
            {"class_name": "Dense", "config": {"name": "y"}, "inbound_nodes": [[["x", 0, 0, {}]]]},
        ],
    )
    assert graph_depth(legacy) == 2
    assert json.dumps(diamond)  # plain JSON in, nothing mutated
