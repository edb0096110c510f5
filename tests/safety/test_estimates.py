"""The per-object weight estimates (``layerhub.safety.estimates``), in process on plain
config dicts: built-in layers sized from their build config or their inbound tensor,
and plugin ``estimate`` functions, whose failures come back as a finding."""

from __future__ import annotations

from layerhub.findings import Severity
from layerhub.plugins.registry import Entry, Provider, Registry
from layerhub.references.walk import walk
from layerhub.safety.estimates import Estimate, all_dims, estimate, input_shape, owns_weights


def dense(units, **envelope):
    return {"module": "keras.layers", "class_name": "Dense", "config": {"units": units}, **envelope}


def only(config):
    (reference,) = walk(config)
    return reference


def inbound(shape):
    history = {"shape": shape, "keras_history": ["input", 0, 0]}
    return [{"args": [{"class_name": "__keras_tensor__", "config": history}], "kwargs": {}}]


def test_a_built_in_layer_is_sized_by_its_build_config_else_its_first_inbound_tensor():
    built = dense(3, build_config={"input_shape": [None, 5]}, inbound_nodes=inbound([None, 7]))
    called = dense(3, inbound_nodes=inbound([None, 7]))
    assert input_shape(built) == [None, 5] and input_shape(called) == [None, 7]
    assert estimate(only(built), built, Registry()) == Estimate(5 * 3 + 3)
    assert estimate(only(called), called, Registry()) == Estimate(7 * 3 + 3)
    unknown = dense(3)  # nothing says how wide the input is: it counts as 1
    assert estimate(only(unknown), unknown, Registry()) == Estimate(1 * 3 + 3)


def test_convolutions_read_the_channel_axis_their_data_format_names():
    def conv(data_format):
        return {
            "module": "keras.layers",
            "class_name": "Conv2D",
            "config": {"filters": 4, "kernel_size": [3, 3], "data_format": data_format},
            "build_config": {"input_shape": [None, 2, 10, 10]},
        }

    last, first = conv("channels_last"), conv("channels_first")
    assert estimate(only(last), last, Registry()).weights == 3 * 3 * 10 * 4 + 4
    assert estimate(only(first), first, Registry()).weights == 3 * 3 * 2 * 4 + 4


def plugin(estimate_target):
    entry = Entry("Acme>Block", "acme:Block", Provider("acme", "1.0"), estimate=estimate_target)
    node = {"module": "acme", "class_name": "Block", "registered_name": "Acme>Block"}
    node["config"] = {"units": 2}
    return Registry([entry]), node


def test_a_plugin_estimate_counts_and_its_failure_is_a_finding_not_an_exception():
    registry, node = plugin("builtins:len")  # len(config): one weight per config key
    assert owns_weights(only(node), registry)
    assert estimate(only(node), node, registry) == Estimate(1)
    registry, node = plugin("json:dumps")  # returns a string, not a count
    weights, failure = estimate(only(node), node, registry)
    assert weights == 0
    assert (failure.code, failure.severity, failure.location) == (
        "estimate-failed",
        Severity.LOW,
        "",
    )
    assert "'Acme>Block' (json:dumps) failed: TypeError: returned '{\"units\": 2}'" in (
        failure.message
    )
    unregistered = dict(node, registered_name="Other>Block")
    assert not owns_weights(only(unregistered), registry)
    assert estimate(only(unregistered), unregistered, registry) == Estimate(0)


def test_all_dims_takes_the_largest_of_several_shapes():
    assert all_dims([None, 4, 5]) == [4, 5]
    assert all_dims({"a": [None, 2], "b": [None, 30]}) == [30]
    assert all_dims([[None, 3], [None, 2, 2]]) == [2, 2]  # 4 elements beat 3
    assert all_dims("not a shape") is None
