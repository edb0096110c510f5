"""Findings name the object they are about, next to the pointer (in process, on plain
config dicts and a registry built by hand)."""

from __future__ import annotations

from layerhub.archive.layout import ModelArchive, StoredWeights
from layerhub.errors import SchemaViolation, SchemaViolationError
from layerhub.findings import Finding, Severity
from layerhub.plugins.allowlist import AllowList
from layerhub.plugins.registry import Entry, Provider, Registry
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
