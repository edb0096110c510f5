"""schemas.py on its own: the meta-schema check, the compile-once cache, and violation records.

In-process and keras-free: the registry entries here are built by hand, the way
discovery builds them, so each rule is pinned without a plugin install.
"""

from __future__ import annotations

import json
import warnings

import pytest
from support import ROOT, last_json, run_python

import layerhub
from layerhub.plugins.registrar import PluginRegistrar
from layerhub.plugins.registry import Entry, Provider, Registry
from layerhub.references.walk import custom_references
from layerhub.schemas import plugin as schema_plugin
from layerhub.schemas.refs import ref_problem

PROVIDER = Provider("acme-blocks", "1.2.0", "acme")
DIALECT = "https://json-schema.org/draft/2020-12/schema"
SEED_SCHEMAS = sorted((ROOT / "plugins/layerhub-seed/src/layerhub_seed/schemas").glob("*.json"))


def entry(name: str, schema: object) -> Entry:
    return Entry(name, "acme_blocks.layers:Thing", PROVIDER, schema)


def envelope(name: str, config: object) -> dict:
    return {
        "module": "acme_blocks.layers",
        "class_name": name.split(">")[1],
        "config": config,
        "registered_name": name,
    }


GOOD = [
    {"type": "object", "properties": {"units": {"type": "integer", "minimum": 1}}},
    {"$schema": DIALECT, "type": "string", "const": "Acme>sq_relu"},
    {"type": ["object", "string"]},
    {
        "type": "object",
        "properties": {"inner": {"$ref": "https://layerhub.dev/schemas/envelope.schema.json"}},
    },
    {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {}}},
    *(json.loads(p.read_text()) for p in SEED_SCHEMAS),
]


@pytest.mark.parametrize("schema", GOOD)
def test_meta_schema_accepts_good_schemas(schema: dict) -> None:
    assert schema_plugin.schema_problem(schema) is None


BAD = {
    "unknown type": (
        {"type": "object", "properties": {"units": {"type": "integr"}}},
        "at /properties/units/type",
    ),
    "no top-level type": ({"required": ["units"]}, "'type' is a required property"),
    "config type neither object nor string": ({"type": "array"}, "at /type"),
    "remote $ref": (
        {"type": "object", "properties": {"a": {"items": {"$ref": "https://example.com/s.json"}}}},
        "at /properties/a/items/$ref",
    ),
    "dangling local $ref": (
        {"type": "object", "properties": {"a": {"$ref": "#/$defs/nowhere"}}},
        "'#/$defs/nowhere' resolves to nothing",
    ),
    "unknown shipped schema": (
        {"type": "object", "$ref": "https://layerhub.dev/schemas/nope.schema.json"},
        "resolves to nothing",
    ),
    "invalid regex": (
        {"type": "object", "properties": {"a": {"pattern": "(unclosed"}}},
        "at /properties/a/pattern",
    ),
    "nested $id": (
        {"type": "object", "properties": {"a": {"$id": "x"}}},
        "at /properties/a: False",
    ),
    "other draft": (
        {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"},
        "at /$schema",
    ),
    "tuple where JSON has arrays": ({"type": "object", "required": ("a",)}, "at /required"),
    "minimum not a number": (
        {"type": "object", "properties": {"a": {"minimum": "1"}}},
        "at /properties/a/minimum",
    ),
    "not JSON at all": ("acme_blocks:schemas/../x.json", "does not read 'package:path"),
    "package not installed": ("no_such_package_xyz:schemas/a.json", "cannot read"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_meta_schema_refuses_malformed_schemas_saying_where(case: str) -> None:
    schema, expected = BAD[case]
    problem = schema_plugin.schema_problem(schema)
    assert problem is not None and expected in problem, problem


@pytest.mark.parametrize(
    ("ref", "ok"),
    [
        ("acme_blocks:schemas/gated.json", True),
        ("acme_blocks.sub:gated.json", True),
        ("schemas/gated.json", False),
        ("acme_blocks:schemas/gated.yaml", False),
        ("acme_blocks:/abs/gated.json", False),
        ("acme_blocks:schemas/../../etc/x.json", False),
        ("acme-blocks:gated.json", False),
        (42, False),
        (["type"], False),
    ],
)
def test_reference_form_is_checked_without_reading_anything(ref: object, ok: bool) -> None:
    assert (ref_problem(ref) is None) is ok


def test_registration_refuses_a_bad_reference_form_with_a_warning_naming_the_plugin() -> None:
    registrar = PluginRegistrar(PROVIDER)
    with pytest.warns(layerhub.PluginWarning) as caught:
        registrar.add("Acme>Thing", "acme_blocks.layers:Thing", schema="schemas/thing.json")
    registrar.add("Acme>Other", "acme_blocks.layers:Other", schema={"type": "object"})
    (message,) = [str(w.message) for w in caught]
    assert "'acme'" in message and "acme-blocks==1.2.0" in message and "'Acme>Thing'" in message
    # The object stays registered (models using it still load); its configs go unchecked.
    assert [(e.name, e.schema) for e in registrar.entries] == [
        ("Acme>Thing", None),
        ("Acme>Other", {"type": "object"}),
    ]


def test_each_schema_is_checked_and_compiled_once_and_a_bad_one_warned_about_once() -> None:
    good = entry("Acme>Good", {"type": "object", "properties": {"n": {"type": "integer"}}})
    bad = entry("Acme>Bad", {"type": "object", "properties": {"n": {"type": "integr"}}})
    registry = Registry([good, bad])
    config = {"layers": [envelope("Acme>Good", {"n": "x"}), envelope("Acme>Bad", {"n": "x"})] * 3}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reports = [
            schema_plugin.check_references(custom_references(config), registry) for _ in range(3)
        ]
    messages = [str(w.message) for w in caught if issubclass(w.category, layerhub.PluginWarning)]
    assert len(messages) == 1, messages
    assert "'acme' from acme-blocks==1.2.0" in messages[0] and "'Acme>Bad'" in messages[0]
    assert "/properties/n/type" in messages[0]
    first = schema_plugin.compiled(good)
    assert first is schema_plugin.compiled(good) and first.validator is not None
    assert schema_plugin.compiled(bad).validator is None
    for report in reports:
        assert report.checked == 3
        assert [v.name for v in report.violations] == ["Acme>Good"] * 3
        assert {u.name for u in report.unchecked} == {"Acme>Bad"}
        assert all("its schema is invalid" in u.reason for u in report.unchecked)


def test_strict_mode_turns_a_bad_schema_into_a_plugin_error(monkeypatch) -> None:
    monkeypatch.setenv("LAYERHUB_STRICT", "1")
    bad = entry("Acme>Bad", {"type": "object", "properties": {"n": {"type": "integr"}}})
    config = envelope("Acme>Bad", {"n": 1})
    with pytest.raises(layerhub.PluginError, match="Acme>Bad"):
        schema_plugin.check_references(custom_references(config), Registry([bad]))


GATE = {
    "type": "object",
    "required": ["rate"],
    "properties": {"rate": {"type": "number", "minimum": 0, "maximum": 1}},
    "additionalProperties": False,
}
BLOCK = {
    "type": "object",
    "required": ["units", "gates"],
    "properties": {
        "units": {"type": "integer", "minimum": 1},
        "gates": {"type": "array", "items": {"type": "object"}},
    },
    "patternProperties": {"^x-": {}},
    "additionalProperties": False,
}


def test_violations_name_the_object_the_place_the_keyword_and_the_value() -> None:
    registry = Registry(
        [
            entry("Acme>Block", BLOCK),
            entry("Acme>Gate", GATE),
            entry("Acme>fn", {"type": "string", "pattern": "^Acme>"}),
        ]
    )
    block = envelope(
        "Acme>Block",
        {
            "gates": [envelope("Acme>Gate", {"rate": 0.5}), envelope("Acme>Gate", {"rate": 2})],
            "a/b": 1,
            "x-ok": 2,
            "zz": [3],
        },
    )
    config = {"config": {"layers": [{"class_name": "Dense", "module": "keras.layers"}, block]}}
    report = schema_plugin.check_references(custom_references(config), registry)
    found = [(v.name, v.pointer, v.path, v.keyword, v.value) for v in report.violations]
    assert found == [
        ("Acme>Block", "/config/layers/1", "", "required", "units"),
        ("Acme>Block", "/config/layers/1", "/a~1b", "additionalProperties", 1),
        ("Acme>Block", "/config/layers/1", "/zz", "additionalProperties", [3]),
        ("Acme>Gate", "/config/layers/1/config/gates/1", "/rate", "maximum", 2),
    ]
    assert report.checked == 3 and report.unchecked == []


def test_a_function_config_is_its_registered_name_in_both_forms() -> None:
    fn = entry("Acme>sq_relu", {"type": "string", "enum": ["Acme>sq_relu"]})
    other = entry("Acme>odd", {"type": "string", "maxLength": 3})
    config = {
        "activation": {
            "module": "builtins",
            "class_name": "function",
            "config": "Acme>sq_relu",
            "registered_name": "function",
        },
        "loss": "Acme>odd",  # the legacy H5 form: a bare registered name
    }
    report = schema_plugin.check_references(custom_references(config), Registry([fn, other]))
    assert report.checked == 2
    assert [(v.name, v.pointer, v.keyword, v.value) for v in report.violations] == [
        ("Acme>odd", "/loss", "maxLength", "Acme>odd")
    ]


def test_user_supplied_objects_are_not_held_to_the_plugin_schema() -> None:
    config = envelope("Acme>Gate", {"rate": 7})
    references = custom_references(config)
    registry = Registry([entry("Acme>Gate", GATE)])
    assert schema_plugin.check_references(references, registry).violations
    report = schema_plugin.check_references(references, registry, skip=["Acme>Gate"])
    assert report.violations == [] and report.unchecked[0].reason == "user-supplied"


def test_the_error_carries_every_violation_and_stays_one_readable_line() -> None:
    config = {"layers": [envelope("Acme>Gate", {"rate": i + 2}) for i in range(25)]}
    with pytest.raises(layerhub.SchemaViolationError) as info:
        schema_plugin.raise_for_violations(
            custom_references(config), Registry([entry("Acme>Gate", GATE)]), source="m.keras"
        )
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, layerhub.LayerhubError)
    assert len(error.violations) == 25 and error.source == "m.keras"
    assert [v.value for v in error.violations] == [i + 2 for i in range(25)]
    text = str(error)
    assert text.startswith(
        "25 schema violation(s) in m.keras: 'Acme>Gate' at config.json:/layers/0"
    )
    assert "config /rate" in text and "[maximum]" in text and text.endswith("and 5 more")
    assert "\n" not in text
    assert json.loads(json.dumps(error.violations[0].as_dict()))["keyword"] == "maximum"


DISCOVER = """
import json, sys, warnings
warnings.simplefilter("ignore")
import layerhub
registry = layerhub.get_registry()
watched = ("jsonschema", "referencing", "jsonschema_rs", "layerhub.schemas.plugin", "keras")
heavy = sorted(m for m in watched if m in sys.modules)
print(json.dumps({"heavy": heavy, "with_schema": sum(e.schema is not None for e in registry)}))
"""


def test_discovery_checks_schema_forms_without_jsonschema(plugin_site) -> None:
    """The cost decision (docs/schemas.md): discovery never imports the validator."""
    site = plugin_site("layerhub-seed", "schema-bad")
    result = last_json(run_python(DISCOVER, site=site).stdout)
    assert result["heavy"] == []
    assert result["with_schema"] == 14 + 8  # seed's, and schema-bad's but the refused one
