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
from layerhub import SchemaError, schemas
from layerhub.references import Reference, custom_references
from layerhub.registry import PluginRegistrar, Provider, Registry

corpus = json.loads(sys.argv[1])
archives = sys.argv[2:]

configs = {}
for path in archives:
    for ref in custom_references(json.loads(zipfile.ZipFile(path).read("config.json"))):
        configs.setdefault(ref.name, []).append(schemas.config_of(ref))

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

def check(registry, out):
    for entry in sorted(registry, key=lambda e: e.name):
        if entry.schema is None:
            continue
        try:
            document = schemas.checked_schema(entry.schema)
        except SchemaError:
            out["refused"].append(entry.name)
            continue
        compiled = schemas.compiled(entry)
        fast = compiled.prefilter
        if fast is None:
            out["no_prefilter"].append(entry.name)
        seen = {"valid": 0, "invalid": 0}
        for instance, plain in pairs(registry, document, entry.name):
            alone = schemas.find_violations(
                compiled.validator, instance, name=entry.name, where="/x", member="config.json")
            ref = Reference(entry.name, "class", "/x", entry.name, config=instance)
            report = schemas.check_references([ref], registry)
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
                bool(schemas.find_violations(compiled.validator, case, name="", where="",
                                             member=""))
                for case in corpus[entry.name].get("expect", [])
            ]

out = {"refused": [], "no_prefilter": [], "report_differs": [], "fast_hides": [],
       "fast_stricter": [], "seen": {}, "verdicts": {}}
check(layerhub.get_registry(), out)
registrar = PluginRegistrar(Provider("corpus", "1.0", "corpus"))
for name, case in corpus.items():
    if "schema" in case:
        registrar.add(name, "json:dumps", schema=case["schema"])
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
    out = last_json(run_python(AGREE, json.dumps(CORPUS), *map(str, archives), site=site).stdout)

    assert out["fast_hides"] == [], "jsonschema_rs accepted what jsonschema rejects"
    assert out["fast_stricter"] == [], "the engines disagree on plain JSON"
    assert out["report_differs"] == [], "a report is not what jsonschema alone finds"

    # Only the schemas whose keywords the engines treat differently lose the pre-filter.
    assert sorted(out["no_prefilter"]) == ["Corpus>Cents", "Corpus>Digits", "Corpus>Keys"]
    assert {"SchemaBad>BadPattern", "SchemaBad>Remote"} <= set(out["refused"])
    # Every schema met both valid and invalid configs (so both answers were compared).
    checked = out["seen"]
    plugins = 14 + 3 + 1 + 1 + 1 + 1  # seed, nested, bad, acme, tidy, sloppy
    assert len(checked) == plugins + sum("schema" in case for case in CORPUS.values())
    assert [n for n, s in checked.items() if not (s["valid"] and s["invalid"])] == []
    assert out["verdicts"] == {
        "Corpus>Everything": [False, True, False],
        "Corpus>Digits": [True, False],
        "Corpus>Cents": [True, False],
        "Corpus>Keys": [True, False],
    }
