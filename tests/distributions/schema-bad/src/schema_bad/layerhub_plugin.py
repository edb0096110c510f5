"""Entry point: every registration but SchemaBad>Good carries a schema that must be refused
(with a warning naming this plugin) without stopping the plugin or its other objects."""

import layerhub

OBJECTS = "schema_bad.objects"
SCALE = {"type": "number", "maximum": 1}


@layerhub.hookimpl
def layerhub_register(registry):
    registry.add(
        "SchemaBad>Good",
        f"{OBJECTS}:Good",
        schema={"type": "object", "required": ["factor"], "properties": {"factor": SCALE}},
    )
    # Refused when the plugin registers: not the documented 'package:path.json' form.
    registry.add("SchemaBad>BadForm", f"{OBJECTS}:BadForm", schema="schemas/form.json")
    # Refused when first needed: each breaks the meta-schema or cannot be read.
    registry.add(
        "SchemaBad>Typo",
        f"{OBJECTS}:Typo",
        schema={"type": "object", "properties": {"factor": {"type": "integr"}}},
    )
    registry.add(
        "SchemaBad>Truncated", f"{OBJECTS}:Truncated", schema="schema_bad:schemas/truncated.json"
    )
    registry.add("SchemaBad>Absent", f"{OBJECTS}:Absent", schema="schema_bad:schemas/absent.json")
    registry.add(
        "SchemaBad>Remote",
        f"{OBJECTS}:Remote",
        schema={"type": "object", "$ref": "https://example.com/remote.schema.json"},
    )
    registry.add(
        "SchemaBad>Dangling",
        f"{OBJECTS}:Dangling",
        schema={"type": "object", "properties": {"factor": {"$ref": "#/$defs/nowhere"}}},
    )
    registry.add(
        "SchemaBad>BadPattern",
        f"{OBJECTS}:BadPattern",
        schema={"type": "object", "properties": {"name": {"pattern": "(unclosed"}}},
    )
    registry.add("SchemaBad>Untyped", f"{OBJECTS}:Untyped", schema={"required": ["factor"]})
