"""The two validation engines agree: jsonschema_rs's fast "valid" never hides a violation.

Every schema the test plugins ship, and a corpus of draft 2020-12 schemas below, is
applied by both engines to the configs real Keras archives hold and to systematic
variants of them (a key dropped, an unknown key, each property set to each JSON type).
For plain JSON the engines must answer the same; for values JSON cannot carry
(NaN, a lone surrogate) the pre-filter may only be stricter. Either way the report
``check_references`` returns is exactly what jsonschema alone finds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from support import last_json, run_python

AGREE = r"""
import json, math, sys, warnings, zipfile
warnings.simplefilter("ignore")
import layerhub
from layerhub.errors import SchemaError
from layerhub.schemas import prefilter as schema_prefilter
from layerhub.schemas import plugin as schema_plugin
from layerhub.schemas import refs as schema_refs
from layerhub.schemas import violations as schema_violations
from layerhub.references.walk import Reference, custom_references
from layerhub.plugins.registrar import PluginRegistrar
from layerhub.plugins.registry import Provider, Registry

corpus = json.loads(sys.argv[1])
schema_cases = json.loads(sys.argv[2])
archives = sys.argv[3:]

configs = {}
for path in archives:
    for ref in custom_references(json.loads(zipfile.ZipFile(path).read("config.json"))):
        configs.setdefault(ref.name, []).append(schema_plugin.config_of(ref))

PLAIN = [None, True, False, 0, -1, 1, 1.0, 2.5, -0.5, 4097, "", "x", "relu",
         "SchemaNested>squash", [], [1, 1.0], ["a"], {}, {"a": 1}]
ODD = [math.nan, math.inf, -math.inf, "\ud800", 10**30, {"\ud800": 1}]

def variants(document, base, odd):
    yield base, True
    if isinstance(base, dict):
        for key in base:
            yield {k: v for k, v in base.items() if k != key}, True
        yield {**base, "unexpected_key": 1}, True
        properties = document.get("properties", {}) if isinstance(document, dict) else {}
        for key in sorted(set(properties) | set(base)):
            for value in PLAIN:
                yield {**base, key: value}, True
            for value in odd:
                yield {**base, key: value}, False
    if isinstance(base, list):
        for value in PLAIN:
            yield [*base, value], True
    for value in PLAIN:
        yield value, True
    for value in odd:
        yield value, False

def pairs(registry, document, name):
    odd = ODD if corpus.get(name, {}).get("odd", True) else []
    yield from variants(document, {}, odd)
    for config in configs.get(name, []):
        yield from variants(document, config, odd)
    cases = corpus.get(name, {})
    for case in cases.get("instances", []) + cases.get("expect", []):
        yield from variants(document, case, odd)

def judge_schema(name, document, out):
    # The meta-schema check: jsonschema_rs's "fine" must never hide jsonschema's problem.
    fast = schema_prefilter.schema_accepted(document)
    problem = schema_plugin.schema_document_problem(document)
    out["schema_verdicts"][name] = problem is None
    if fast and problem:
        out["schema_hides"].append([name, problem])
    elif not fast and not problem:
        out["schema_stricter"].append(name)

def check(registry, out):
    for entry in sorted(registry, key=lambda e: e.name):
        if entry.schema is None:
            continue
        try:
            judge_schema(entry.name, schema_refs.load_schema(entry.schema), out)
        except SchemaError:  # an absent or unparsable file: no document to judge
            pass
        try:
            document = schema_plugin.checked_schema(entry.schema)
        except SchemaError:
            out["refused"].append(entry.name)
            continue
        compiled = schema_plugin.compiled(entry)
        fast = compiled.prefilter
        if fast is None:
            out["no_prefilter"].append(entry.name)
        seen = {"valid": 0, "invalid": 0}
        for instance, plain in pairs(registry, document, entry.name):
            alone = schema_violations.find_violations(
                compiled.validator, instance, name=entry.name, where="/x", member="config.json")
            ref = Reference(entry.name, "class", "/x", entry.name, config=instance)
            report = schema_plugin.check_references([ref], registry)
            seen["invalid" if alone else "valid"] += 1
            if [v.as_dict() for v in report.violations] != [v.as_dict() for v in alone]:
                out["report_differs"].append([entry.name, repr(instance)])
            if fast is None:
                continue
            accepted = fast.accepts(instance)
            if accepted and alone:
                out["fast_hides"].append([entry.name, repr(instance)])
            elif plain and not accepted and not alone:
                out["fast_stricter"].append([entry.name, repr(instance)])
        out["seen"][entry.name] = seen
        if "expect" in corpus.get(entry.name, {}):
            out["verdicts"][entry.name] = [
                bool(schema_violations.find_violations(compiled.validator, case, name="", where="",
                                             member=""))
                for case in corpus[entry.name].get("expect", [])
            ]

out = {"refused": [], "no_prefilter": [], "report_differs": [], "fast_hides": [],
       "fast_stricter": [], "seen": {}, "verdicts": {},
       "schema_hides": [], "schema_stricter": [], "schema_verdicts": {}}
for name, document in schema_cases.items():
    judge_schema(name, document, out)
check(layerhub.get_registry(), out)
registrar = PluginRegistrar(Provider("corpus", "1.0", "corpus"))
for name, case in corpus.items():
    if "schema" in case:
        registrar.add(name, "json:dumps", schema=case["schema"])
# Not JSON (so not in the corpus): a schema holding a tuple is left to jsonschema.
TUPLE = {"type": "object", "properties": {"a": {"const": (1, 2)}}}
registrar.add("Corpus>Tuple", "json:dumps", schema=TUPLE)
corpus["Corpus>Tuple"] = {"instances": [{"a": [1, 2]}], "expect": [{"a": [1, 2]}]}
check(Registry(registrar.entries), out)
print(json.dumps(out))
"""

D = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE = "https://layerhub.dev/schemas/envelope.schema.json"

#: Draft 2020-12 keywords beyond what the plugins use: name -> schema, instances whose
#: variants are checked, ``expect`` cases whose verdict (violation or not) is given, and
#: ``odd: False`` where NaN and friends are left out.
CORPUS = {
    "Corpus>Everything": {
        "schema": {
            "$schema": D,
            "type": "object",
            "required": ["units"],
            "properties": {
                "units": {"type": "integer", "minimum": 1, "exclusiveMaximum": 4096},
                "rate": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "mode": {"enum": ["a", "b", None]},
                "kind": {"const": "x"},
                "axes": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "uniqueItems": True,
                    "maxItems": 3,
                },
                "pair": {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
                "tags": {"type": "array", "contains": {"const": "t"}, "minContains": 1},
                "name": {"type": "string", "minLength": 1, "maxLength": 8, "format": "email"},
                "inner": {"$ref": ENVELOPE},
                "opts": {
                    "type": "object",
                    "propertyNames": {"enum": ["p", "q"]},
                    "dependentRequired": {"p": ["q"]},
                    "minProperties": 1,
                },
                "any": {"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 0}]},
                "one": {"oneOf": [{"type": "number"}, {"type": "integer"}]},
                "neg": {"not": {"type": "null"}},
            },
            "if": {"properties": {"mode": {"const": "a"}}, "required": ["mode"]},
            "then": {"required": ["rate"]},
            "else": {"not": {"required": ["kind"]}},
            "unevaluatedProperties": False,
        },
        "instances": [
            {"units": 3, "mode": "a", "rate": 0.5, "axes": [1, 2], "pair": ["p"]},
            {"units": 3, "tags": ["t"], "name": "no-email", "opts": {"p": 1, "q": 2}},
            {"units": 3, "inner": {"class_name": "function", "module": "builtins", "config": ""}},
            {"units": 3, "any": -1, "one": 1, "neg": None},
        ],
        "expect": [
            {"units": 3, "name": "no-email"},  # format is an annotation
            {"units": 3, "one": 2},  # both branches of oneOf: a violation
            {"units": 3, "one": 2.5},
        ],
    },
    "Corpus>Recursive": {
        "schema": {
            "$schema": D,
            "type": "object",
            "$defs": {
                "node": {
                    "type": "object",
                    "properties": {
                        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}
                    },
                    "additionalProperties": False,
                }
            },
            "properties": {"tree": {"$ref": "#/$defs/node"}},
        },
        "instances": [
            {"tree": {"children": [{"children": []}, {"children": [{"children": []}]}]}},
            {"tree": {"children": [{"children": [{"leaf": 1}]}]}},
        ],
    },
    # A plugin schema no archive here holds a config for.
    "Tidy>RunningCenter": {"instances": [{"momentum": 0.9, "axes": [0, 1]}]},
    # Keywords the engines treat differently: jsonschema alone checks these schemas.
    "Corpus>Digits": {
        "schema": {"type": "string", "pattern": "^\\D$"},
        "expect": ["٣", "a"],  # Python's \d is Unicode: "٣" is a digit (a violation)
    },
    "Corpus>Cents": {
        "schema": {"type": "object", "properties": {"price": {"multipleOf": 0.01}}},
        "expect": [{"price": 0.07}, {"price": 0.5}],  # 0.07 / 0.01 is not whole in floats
        "odd": False,  # jsonschema's multipleOf raises ValueError on NaN
    },
    "Corpus>Keys": {
        "schema": {"type": "object", "patternProperties": {"^\\w+$": {"type": "integer"}}},
        "expect": [{"ab": "x"}, {"ab": 1}],
    },
}


#: Plugin schemas to judge (meta-schema and references): name -> document.
SCHEMA_CASES = {
    "nested $id": {"type": "object", "properties": {"a": {"items": {"$id": "x"}}}},
    "nested remote $ref": {"type": "object", "$defs": {"a": {"$ref": "https://example.com/x"}}},
    "dangling pointer": {"type": "object", "properties": {"a": {"$ref": "#/$defs/none"}}},
    "pointer in data": {"type": "object", "default": {"$ref": "#/nowhere"}},
    "shipped pointer": {"type": "object", "$ref": ENVELOPE + "#/properties/module"},
    "shipped bad pointer": {"type": "object", "$ref": ENVELOPE + "#/properties/nope"},
    "escaped pointer": {"type": "object", "$defs": {"a/b": {}}, "$ref": "#/$defs/a~1b"},
    "list pointer": {"type": "object", "allOf": [{}], "$ref": "#/allOf/0"},
    "dynamic anchor": {"type": "object", "properties": {"a": {"$dynamicRef": "#meta"}}},
    "typo": {"type": "object", "properties": {"a": {"type": "integr"}}},
    "unclosed regex": {"type": "object", "properties": {"a": {"pattern": "(x"}}},
    "ECMA class": {"type": "object", "properties": {"a": {"pattern": "\\p{L}"}}},
    "ECMA group": {"type": "object", "patternProperties": {"(?<n>x)": {}}},
    "other draft": {"type": "object", "$schema": "http://json-schema.org/draft-07/schema#"},
    "untyped": {"required": ["x"]},
    "bad minimum": {"type": "object", "properties": {"a": {"minimum": "x"}}},
    "newline": {"type": "object", "$ref": ENVELOPE + "\n"},
    "types": {"type": ["object", "string"], "minLength": 1},
    # The pre-check is stricter here (jsonschema then decides, and accepts):
    "anchor": {"type": "object", "$defs": {"a": {"$anchor": "a"}}, "$ref": "#a"},
    "Python group": {"type": "object", "patternProperties": {"(?P<n>x)": {}}},
    "vocabulary": {"type": "object", "$vocabulary": {"not a uri": True}},
}


def test_engines_agree_on_every_shipped_and_corpus_schema(
    plugin_site: Callable[..., Path], schema_models: Path, seed_models: Path
) -> None:
    site = plugin_site(
        "layerhub-seed",
        "schema-nested",
        "schema-bad",
        "acme-blocks",
        "layerhub-tidy",
        "layerhub-sloppy",
        "hostile-broken",
    )
    archives = [schema_models / f"{m}.keras" for m in ("nested", "sub", "bad", "acme")]
    archives.append(seed_models / "seed.keras")
    cases = json.dumps(CORPUS), json.dumps(SCHEMA_CASES)
    out = last_json(run_python(AGREE, *cases, *map(str, archives), site=site).stdout)

    assert out["fast_hides"] == [], "jsonschema_rs accepted what jsonschema rejects"
    assert out["fast_stricter"] == [], "the engines disagree on plain JSON"
    assert out["report_differs"] == [], "a report is not what jsonschema alone finds"

    # Only the schemas whose keywords the engines treat differently lose the pre-filter.
    no_prefilter = ["Corpus>Cents", "Corpus>Digits", "Corpus>Keys", "Corpus>Tuple"]
    assert sorted(out["no_prefilter"]) == no_prefilter
    assert {"SchemaBad>BadPattern", "SchemaBad>Remote"} <= set(out["refused"])
    # Every schema met both valid and invalid configs (so both answers were compared).
    checked = out["seen"]
    plugins = 14 + 3 + 1 + 1 + 1 + 1  # seed, nested, bad, acme, tidy, sloppy
    assert len(checked) == plugins + sum("schema" in case for case in CORPUS.values()) + 1
    assert [n for n, s in checked.items() if not (s["valid"] and s["invalid"])] == []
    assert out["verdicts"] == {
        "Corpus>Everything": [False, True, False],
        "Corpus>Digits": [True, False],
        "Corpus>Cents": [True, False],
        "Corpus>Keys": [True, False],
        "Corpus>Tuple": [False],  # jsonschema's const compares sequences alike
    }

    # The schemas themselves: jsonschema_rs's "fine" never hides jsonschema's refusal.
    assert out["schema_hides"] == [], "jsonschema_rs accepted a schema jsonschema refuses"
    # (An "$anchor" reference is no longer among them: the one $ref resolver,
    # layerhub.schemas.shipped.resolve, decides anchors for both checks.)
    stricter = ["Corpus>Tuple", "Python group", "vocabulary"]
    assert sorted(out["schema_stricter"]) == stricter
    verdicts = out["schema_verdicts"]
    accepted = ["shipped pointer", "escaped pointer", "list pointer", "types"]
    accepted += ["anchor", "Python group", "vocabulary"]
    assert [name for name in SCHEMA_CASES if verdicts[name]] == accepted
    assert verdicts["SchemaBad>Good"] and not verdicts["SchemaBad>Typo"]


VALID_PATH = """
import json, sys, zipfile
import layerhub
from layerhub.schemas import plugin as schema_plugin
from layerhub.schemas import refs as schema_refs
from layerhub.schemas import violations as schema_violations
from layerhub.references.walk import custom_references
config = json.loads(zipfile.ZipFile(sys.argv[1]).read("config.json"))
report = schema_plugin.check_references(custom_references(config), layerhub.get_registry())
watched = ("jsonschema", "referencing", "jsonschema_rs")
print(json.dumps({"checked": report.checked, "violations": len(report.violations),
                  "imported": sorted(m for m in watched if m in sys.modules)}))
"""


def test_valid_configs_are_checked_without_importing_jsonschema(
    nested_site: Path, schema_models: Path
) -> None:
    """jsonschema (and referencing, ~80 ms together) is imported only to judge a rejection."""
    out = last_json(
        run_python(VALID_PATH, str(schema_models / "nested.keras"), site=nested_site).stdout
    )
    assert out["checked"] >= 3 and out["violations"] == 0
    assert out["imported"] == ["jsonschema_rs"]
