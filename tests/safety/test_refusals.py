"""Refusals name the object, and report safety findings and schema violations together.

In process on plain config dicts first (the texts, and :func:`check_archive` with a
registry built by hand), then end to end: a real Keras-saved archive of a real
pip-installed plugin (acme-blocks), edited to an absurd ``units``, loaded in a fresh
process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile_corpus import rewrite_zip
from support import last_json, run_layerhub, run_python

from layerhub.archive.layout import ModelArchive, StoredWeights
from layerhub.errors import SchemaViolation, SchemaViolationError, UnsafeArchiveError
from layerhub.findings import Finding, Severity
from layerhub.plugins.allowlist import AllowList
from layerhub.plugins.registry import Entry, Provider, Registry
from layerhub.safety.policy import check_archive
from layerhub.safety.scan import analyze

GATED = "Acme>GatedResidual"
UNITS_SCHEMA = {
    "type": "object",
    "required": ["units"],
    "properties": {"units": {"type": "integer", "minimum": 1}},
}


def test_a_finding_names_its_object_next_to_its_pointer():
    finding = Finding("absurd-shape", Severity.CRITICAL, "units -3 ...", "/config/layers/1", GATED)
    assert finding.describe() == (
        "[critical] absurd-shape at /config/layers/1 in 'Acme>GatedResidual': units -3 ..."
    )
    assert finding.to_json() == {
        "code": "absurd-shape",
        "severity": "critical",
        "location": "/config/layers/1",
        "object": GATED,
        "message": "units -3 ...",
    }
    # about the file itself: no object, and the text reads as before
    member = Finding("path-traversal", Severity.CRITICAL, "escapes", "member:../x")
    assert member.describe() == "[critical] path-traversal at member:../x: escapes"
    assert member.to_json()["object"] == ""


def test_a_violation_names_its_object_once_in_a_scan_finding():
    violation = SchemaViolation(GATED, "/config/layers/1", "/units", "minimum", -3, "-3 < 1")
    assert violation.describe() == (
        "'Acme>GatedResidual' at config.json:/config/layers/1, config /units: -3 < 1 [minimum]"
    )
    assert violation.detail() == "config /units: -3 < 1 [minimum]"
    assert str(SchemaViolationError([violation])).endswith(violation.describe())


def gated_model(units):
    """A functional model's config with a GatedResidual at /config/layers/1 and a Dense
    (a built-in, named by its class) at /config/layers/2."""
    gated = {"module": "acme_blocks.layers", "class_name": "GatedResidual"}
    gated.update(registered_name=GATED, config={"name": "gated", "units": units})
    dense = {"module": "keras.layers", "class_name": "Dense", "config": {"units": 10**12}}
    layers = [{"module": "keras.layers", "class_name": "InputLayer", "config": {}}, gated, dense]
    return {"module": "keras", "class_name": "Functional", "config": {"layers": layers}}


def acme_registry():
    entry = Entry(GATED, "acme_blocks.layers:GatedResidual", Provider("acme-blocks", "1.0"))
    entry.schema = UNITS_SCHEMA
    return Registry([entry])


def archive_of(config):
    return ModelArchive("edited.keras", "keras", config, stored=StoredWeights(10, 40))


def test_every_config_finding_names_its_object_by_registered_or_class_name():
    archive = archive_of(gated_model(-3))
    found = analyze(archive, acme_registry(), AllowList())
    assert [(f.code, f.location, f.object) for f in found] == [
        ("absurd-shape", "/config/layers/1/config/units", GATED),
        ("absurd-shape", "/config/layers/2/config/units", "Dense"),
        ("weights-over-cap", "/config/layers/2", "Dense"),
        ("schema", "/config/layers/1", GATED),
    ]
    assert found[-1].describe() == (
        "[medium] schema at /config/layers/1 in 'Acme>GatedResidual': "
        "config /units: -3 is less than the minimum of 1 [minimum]"
    )


def test_a_refusal_lists_every_finding_and_every_schema_violation_in_one_error():
    config = gated_model(-3)
    config["config"]["layers"][2]["config"]["units"] = 4  # only the plugin layer is absurd
    archive, registry = archive_of(config), acme_registry()
    with pytest.raises(UnsafeArchiveError) as caught:
        check_archive(archive, registry=registry, policy=AllowList(), validate=True)
    error = caught.value
    assert [(f.code, f.object) for f in error.findings] == [("absurd-shape", GATED)]
    assert [(v.name, v.pointer, v.path, v.keyword) for v in error.violations] == [
        (GATED, "/config/layers/1", "/units", "minimum")
    ]
    assert str(error) == (
        "edited.keras: refused 1 finding(s): [critical] absurd-shape at "
        "/config/layers/1/config/units in 'Acme>GatedResidual': "
        f"{error.findings[0].message}; and 1 schema violation(s): 'Acme>GatedResidual' at "
        "config.json:/config/layers/1, config /units: -3 is less than the minimum of 1 "
        "[minimum]"
    )
    # without validation (or for the caller's own object) only the findings are refused
    for kwargs in ({}, {"validate": True, "skip": {GATED}}):
        with pytest.raises(UnsafeArchiveError) as caught:
            check_archive(archive, registry=registry, policy=AllowList(), **kwargs)
        assert caught.value.violations == () and "schema" not in str(caught.value)
    # a file that is not refused is left to load_model's own validation step
    config["config"]["layers"][1]["config"]["units"] = 0
    assert check_archive(archive_of(config), registry=registry, validate=True) == []


SAVE_ACME = """
import sys, keras
from acme_blocks import layers as acme  # a third-party plugin written by someone else
inputs = keras.Input(shape=(8,))
keras.Model(inputs, acme.GatedResidual(8, name="gated")(inputs)).save(sys.argv[1])
"""

LOAD = """
import json, sys, layerhub
out = {}
for key, kwargs in json.loads(sys.argv[2]).items():
    try:
        layerhub.load_model(sys.argv[1], **kwargs)
        out[key] = "loaded"
    except layerhub.UnsafeArchiveError as exc:
        out[key] = {
            "message": str(exc),
            "findings": [f.to_json() for f in exc.findings],
            "violations": [v.as_dict() for v in exc.violations],
        }
out["imported"] = sorted(
    m for m in ("keras", "tensorflow", "acme_blocks.layers") if m in sys.modules
)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def negative_units(plugin_site, tmp_path_factory) -> tuple[Path, Path]:
    """acme-blocks installed, and its GatedResidual saved by plain ``model.save``, then
    edited inside the zip to ``units: -3`` (what the plugin's schema forbids)."""
    site = plugin_site("acme-blocks")
    folder = tmp_path_factory.mktemp("acme-negative")
    run_python(SAVE_ACME, str(folder / "acme.keras"), site=site)

    def negative(config):
        (gated,) = [x for x in config["config"]["layers"] if x["config"]["name"] == "gated"]
        assert gated["registered_name"] == GATED and config["config"]["layers"][1] is gated
        gated["config"]["units"] = -3

    return rewrite_zip(folder / "acme.keras", folder / "negative.keras", config=negative), site


@pytest.mark.slow
def test_load_refuses_a_schema_violating_plugin_config_naming_object_pointer_and_all(
    negative_units,
):
    """The issue's own case: one UnsafeArchiveError names the registered name, the
    pointer, the absurd-shape finding and the schema violation; nothing a plugin provides
    is imported, nor keras. ``safe_mode=False`` does not lift a budget refusal;
    ``validate=False`` leaves the violation out."""
    path, site = negative_units
    cases = {"default": {}, "trusted": {"safe_mode": False}, "unvalidated": {"validate": False}}
    out = last_json(run_python(LOAD, str(path), json.dumps(cases), site=site).stdout)
    assert out["imported"] == []
    for key in ("default", "trusted"):
        refused = out[key]
        message = refused["message"]
        assert message.startswith(f"{path}: refused 1 finding(s): ")
        assert (
            "[critical] absurd-shape at /config/layers/1/config/units in 'Acme>GatedResidual'"
            in message
        )
        assert (
            "; and 1 schema violation(s): 'Acme>GatedResidual' at config.json:/config/layers/1"
            ", config /units: -3 is less than the minimum of 1 [minimum]" in message
        )
        assert [(f["code"], f["object"]) for f in refused["findings"]] == [("absurd-shape", GATED)]
        assert refused["findings"][0]["message"] == "units -3 has a negative dimension"
        assert [
            (v["name"], v["pointer"], v["path"], v["value"]) for v in refused["violations"]
        ] == [(GATED, "/config/layers/1", "/units", -3)]
    assert out["unvalidated"]["violations"] == []
    assert "schema violation" not in out["unvalidated"]["message"]

    scanned = run_layerhub("scan", "--json", str(path), site=site)
    assert scanned.returncode == 1, scanned.stderr
    findings = json.loads(scanned.stdout)["files"][0]["findings"]
    assert [(f["code"], f["location"], f["object"]) for f in findings] == [
        ("absurd-shape", "/config/layers/1/config/units", GATED),
        ("schema", "/config/layers/1", GATED),
    ]
    text = run_layerhub("scan", str(path), site=site).stdout
    assert "[medium] schema at /config/layers/1 in 'Acme>GatedResidual': config /units" in text
