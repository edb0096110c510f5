"""layerhub's entry point into layerhub-seed. Light by contract: no keras import here."""

from __future__ import annotations

import layerhub

OBJECTS = "layerhub_seed.objects"
#: Weight counts from configs alone, for layerhub's resource budget (no keras import).
ESTIMATES = "layerhub_seed.estimates"
#: Example instances and inputs for the conformance checks (``layerhub check``).
EXAMPLES = "layerhub_seed.examples"
NUMBER = {"type": "number"}
LAYER_BASE = {
    "name": {"type": "string"},
    "trainable": {"type": "boolean"},
    "dtype": {"type": ["string", "object", "null"]},
}


def config_schema(properties: dict, required: list, *, base: dict | None = None) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": required,
        "properties": {**(base or {}), **properties},
        "additionalProperties": False,
    }


@layerhub.hookimpl
def layerhub_register(registry):
    # The guide's registered objects, schemas shipped as JSON files in the package.
    registry.add(
        "MyLayers>CustomLayer",
        f"{OBJECTS}:CustomLayer",
        schema="layerhub_seed:schemas/custom_layer.json",
        example=f"{EXAMPLES}:custom_layer_example",
    )
    registry.add(
        "my_package>custom_fn",
        f"{OBJECTS}:custom_fn",
        schema={"type": "string", "const": "my_package>custom_fn"},
    )
    registry.add(
        "MyLayers>KernelMult",
        f"{OBJECTS}:MyDense",
        schema="layerhub_seed:schemas/kernel_mult.json",
        example=f"{EXAMPLES}:kernel_mult_example",
        estimate=f"{ESTIMATES}:kernel_mult",
    )
    registry.add(
        "ComplexModels>CustomModel",
        f"{OBJECTS}:CustomModel",
        schema="layerhub_seed:schemas/custom_model.json",
        example=f"{EXAMPLES}:custom_model_example",
    )

    # The guide's unregistered examples, under LayerhubSeed>.
    registry.add(
        "LayerhubSeed>CustomLayer",
        f"{OBJECTS}:SublayerWrapper",
        schema=config_schema({"sublayer": {"type": "object"}}, ["sublayer"], base=LAYER_BASE),
        example=f"{EXAMPLES}:sublayer_wrapper_example",
    )
    registry.add(
        "LayerhubSeed>NestedDenseLayer",
        f"{OBJECTS}:NestedDenseLayer",
        schema=config_schema(
            {"units": {"type": "integer", "minimum": 1}}, ["units"], base=LAYER_BASE
        ),
        example=f"{EXAMPLES}:nested_dense_example",
        estimate=f"{ESTIMATES}:nested_dense",
    )
    registry.add(
        "LayerhubSeed>SubclassedModel",
        f"{OBJECTS}:SubclassedModel",
        schema=config_schema(
            {"output_dim": {"type": "integer", "minimum": 1}, "name": {"type": ["string", "null"]}},
            ["output_dim"],
        ),
        example=f"{EXAMPLES}:subclassed_model_example",
    )

    # One object of every other serializable kind.
    registry.add(
        "LayerhubSeed>ScaledL2",
        f"{OBJECTS}:ScaledL2",
        schema=config_schema({"scale": {"type": "number", "minimum": 0}}, ["scale"]),
    )
    registry.add(
        "LayerhubSeed>ConstantScale",
        f"{OBJECTS}:ConstantScale",
        schema=config_schema({"value": NUMBER}, ["value"]),
    )
    registry.add(
        "LayerhubSeed>ClipValue",
        f"{OBJECTS}:ClipValue",
        schema=config_schema({"limit": {"type": "number", "exclusiveMinimum": 0}}, ["limit"]),
    )
    registry.add(
        "LayerhubSeed>WarmupSchedule",
        f"{OBJECTS}:WarmupSchedule",
        schema=config_schema(
            {
                "peak": {"type": "number", "exclusiveMinimum": 0},
                "warmup_steps": {"type": "integer", "minimum": 1},
            },
            ["peak", "warmup_steps"],
        ),
    )
    registry.add(
        "LayerhubSeed>ScaledMSE",
        f"{OBJECTS}:ScaledMSE",
        schema={
            "type": "object",
            "required": ["scale"],
            "properties": {"scale": NUMBER, "name": {"type": "string"}},
        },
    )
    registry.add("LayerhubSeed>scaled_mae", f"{OBJECTS}:scaled_mae")
    registry.add(
        "LayerhubSeed>PeakError",
        f"{OBJECTS}:PeakError",
        schema={"type": "object", "properties": {"name": {"type": "string"}}},
    )
    registry.add(
        "LayerhubSeed>ScaledSGD",
        f"{OBJECTS}:ScaledSGD",
        schema={
            "type": "object",
            "required": ["grad_scale"],
            "properties": {"grad_scale": {"type": "number", "exclusiveMinimum": 0}},
        },
    )
