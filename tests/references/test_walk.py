"""The reference walk over real configs written by Keras (no keras import needed)."""

from __future__ import annotations

import json
import sys

from layerhub.archive.reader import read_archive
from layerhub.references.walk import custom_references, walk

SEED_NAMES = {
    "MyLayers>CustomLayer",
    "MyLayers>KernelMult",
    "ComplexModels>CustomModel",
    "LayerhubSeed>CustomLayer",
    "LayerhubSeed>NestedDenseLayer",
    "my_package>custom_fn",
    "LayerhubSeed>ScaledL2",
    "LayerhubSeed>ConstantScale",
    "LayerhubSeed>ClipValue",
    "LayerhubSeed>WarmupSchedule",
    "LayerhubSeed>ScaledMSE",
    "LayerhubSeed>PeakError",
    "LayerhubSeed>scaled_mae",
    "LayerhubSeed>ScaledSGD",
}


def resolve_pointer(document, pointer):
    node = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def test_walk_finds_every_seed_object_with_a_valid_pointer(seed_models):
    archive = read_archive(seed_models / "seed.keras")
    references = custom_references(archive.config)
    assert {r.name for r in references} == SEED_NAMES
    for ref in references:
        node = resolve_pointer(archive.config, ref.pointer)
        if isinstance(node, dict):
            assert node.get("registered_name") == ref.name or node.get("config") == ref.name
        else:
            assert node == ref.name
    assert "keras" not in sys.modules


def test_nested_objects_are_found_at_their_depth(seed_models):
    archive = read_archive(seed_models / "seed.keras")
    pointers = {r.name: r.pointer for r in custom_references(archive.config)}
    # the ScaledSGD optimizer and its schedule live in compile_config
    assert pointers["LayerhubSeed>ScaledSGD"] == "/compile_config/optimizer"
    assert pointers["LayerhubSeed>WarmupSchedule"].startswith("/compile_config/optimizer/config/")
    # the regularizer is nested inside the KernelMult layer config
    assert "/kernel_regularizer" in pointers["LayerhubSeed>ScaledL2"]


def test_legacy_h5_config_uses_class_name_as_registered_name(seed_models):
    archive = read_archive(seed_models / "seed.h5")
    assert archive.format == "h5"
    names = {r.name for r in custom_references(archive.config)}
    layer_names = {n for n in SEED_NAMES if n.split(">")[1][0].isupper()}
    assert {"MyLayers>CustomLayer", "MyLayers>KernelMult", "my_package>custom_fn"} <= names
    assert names <= SEED_NAMES and len(names & layer_names) >= 5
    assert "Dense" not in names and "InputLayer" not in names


def test_builtins_lambdas_and_string_references_are_classified():
    config = {
        "module": "keras",
        "class_name": "Sequential",
        "registered_name": None,
        "config": {
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "Dense",
                    "registered_name": None,
                    "config": {"activation": "relu"},
                },
                {
                    "module": "keras.layers",
                    "class_name": "Lambda",
                    "registered_name": None,
                    "config": {"function": {"class_name": "__lambda__", "config": {"code": "x"}}},
                },
                {
                    "module": "acme.layers",
                    "class_name": "Gate",
                    "registered_name": "Acme>Gate",
                    "config": {
                        "activation": {
                            "module": "builtins",
                            "class_name": "function",
                            "config": "Acme>sq_relu",
                            "registered_name": "function",
                        },
                        "path~/odd": {
                            "module": None,
                            "class_name": "Foo",
                            "registered_name": None,
                            "config": {},
                        },
                    },
                },
            ]
        },
        "compile_config": {"loss": "Acme>focal", "metrics": ["mae"]},
    }
    refs = list(walk(config))
    kinds = {(r.name, r.kind, r.builtin) for r in refs}
    assert ("Sequential", "class", True) in kinds and ("Dense", "class", True) in kinds
    assert ("Lambda", "lambda", False) in kinds and ("__lambda__", "lambda", False) in kinds
    custom = {r.name: r.pointer for r in refs if r.custom}
    assert custom == {
        "Acme>Gate": "/config/layers/2",
        "Acme>sq_relu": "/config/layers/2/config/activation",
        "Foo": "/config/layers/2/config/path~0~1odd",
        "Acme>focal": "/compile_config/loss",
    }


def test_walk_survives_configs_deeper_than_the_python_stack():
    deep: dict = {"class_name": "Acme>Leaf", "config": {}}
    for _ in range(5000):
        deep = {"class_name": "Acme>Wrap", "config": {"inner": deep}}
    refs = [r for r in walk(json.loads(json.dumps({"x": 1}))) if r.custom]
    assert refs == []
    assert sum(1 for r in walk(deep) if r.custom) == 5001


def test_placeholders_built_from_plain_values_are_not_entered():
    # Keras makes a KerasTensor, a tensor, an array, bytes or Ellipsis from these configs'
    # plain values and deserializes nothing inside them; a __slice__ deserializes its parts.
    # The array and the tensor are yielded as values (for the budget), not entered.
    hidden = {"module": "builtins", "class_name": "function", "config": "pkg>fn"}
    config = {
        "inbound": [
            {"class_name": name, "config": {"value": hidden, "shape": ["pkg>name"]}}
            for name in ("__keras_tensor__", "__tensor__", "__numpy__", "__bytes__")
        ],
        "sliced": {"class_name": "__slice__", "config": {"start": hidden, "stop": None}},
        "no_config": {"class_name": "__tensor__", "value": hidden},  # a plain dict to Keras
    }
    found = [(r.name, r.kind, r.pointer, r.custom) for r in walk(config)]
    assert found == [
        ("__tensor__", "value", "/inbound/1", False),
        ("__numpy__", "value", "/inbound/2", False),
        ("pkg>fn", "function", "/sliced/config/start", True),
        ("pkg>fn", "function", "/no_config/value", True),
    ]
