"""Entry point: a file schema using $defs and layerhub's envelope schema, dict schemas,
and a function schema (a function's config is its registered name)."""

import layerhub

GATE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["rate"],
    "properties": {
        "name": {"type": "string"},
        "trainable": {"type": "boolean"},
        "dtype": {"type": ["string", "object", "null"]},
        "rate": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "additionalProperties": False,
}


@layerhub.hookimpl
def layerhub_register(registry):
    registry.add(
        "SchemaNested>Block",
        "schema_nested.objects:Block",
        schema="schema_nested:schemas/block.json",
    )
    registry.add("SchemaNested>Gate", "schema_nested.objects:Gate", schema=GATE)
    registry.add(
        "SchemaNested>squash",
        "schema_nested.objects:squash",
        schema={"type": "string", "enum": ["SchemaNested>squash"]},
    )
