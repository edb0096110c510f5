"""What to install for a missing name, and names several indexed distributions claim.

The indexes here are real index documents (the shipped schema validates them); nothing
is mocked. Keras is never imported.
"""

from __future__ import annotations

import json

import pytest
from support import ROOT

from layerhub.errors import IndexFormatError
from layerhub.index.document import Index, check_index, curated_index, document
from layerhub.index.requirements import Hint, hints_for, index_hint, requirements_for
from layerhub.plugins.registry import Entry, Provider, ProviderSource, Registry
from layerhub.references.keras_names import keras_libraries


def dist(name: str, version: str, *objects: tuple[str, str], modules=()) -> dict:
    record = {
        "name": name,
        "version": version,
        "source": "introspection",
        "objects": [{"name": n, "target": t} for n, t in objects],
    }
    return {**record, "modules": list(modules)} if modules else record


CLASHING = Index(
    document(
        [
            dist("keras-tcn", "3.5.7", ("Custom>Block", "tcn.tcn:Block"), modules=["tcn"]),
            dist("keras-rs", "0.4.0", ("Custom>Block", "keras_rs.src.blocks:Block")),
            dist(
                "kimm", "0.2.5", ("kimm>Attention", "kimm._src.layers:Attention"), modules=["kimm"]
            ),
        ]
    ),
    "<test>",
)


def test_a_clash_is_named_never_picked():
    hint = index_hint(CLASHING, "Custom>Block", None)
    assert hint.requirement is None
    assert "keras-rs and keras-tcn both provide it" in hint.note
    # The config's module tells the two apart.
    assert index_hint(CLASHING, "Custom>Block", "tcn.tcn") == Hint("keras-tcn")
    assert index_hint(CLASHING, "Custom>Block", "keras_rs.src.blocks") == Hint("keras-rs")


def test_an_unregistered_class_is_found_by_its_module_prefix():
    assert index_hint(CLASHING, "MobileNetV3", "kimm._src.models.mobilenet_v3") == Hint("kimm")
    assert index_hint(CLASHING, "MobileNetV3", "kimmy.models") is None
    assert index_hint(CLASHING, "MobileNetV3", None) is None


def test_keras_libraries_name_their_distribution():
    assert keras_libraries() == {"keras_hub", "keras_cv", "keras_nlp"}
    hints = hints_for(
        [
            ("keras_hub>BertBackbone", "keras_hub.src.models.bert.bert_backbone"),
            ("keras_cv>YOLOV8Backbone", "keras_cv.src.models"),
            ("keras_nlp>GPT2Backbone", "keras_nlp.models"),
        ]
    )
    assert {n: h.requirement for n, h in hints.items()} == {
        "keras_hub>BertBackbone": "keras-hub",
        "keras_cv>YOLOV8Backbone": "keras-cv",
        "keras_nlp>GPT2Backbone": "keras-nlp",
    }
    manifest = {"objects": [{"name": "keras_hub>BertBackbone", "distribution": "keras-hub",
                             "version": "0.32.0"}]}  # fmt: skip
    pinned = requirements_for([("keras_hub>BertBackbone", "keras_hub.src")], manifest)
    assert pinned == {"keras_hub>BertBackbone": "keras-hub==0.32.0"}


def test_a_trusted_distribution_since_uninstalled_is_named_pinned(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    gone = dist("vanished-kit", "1.4.2", ("Vanished>Layer", "vanished_kit.layers:Layer"))
    (home / "trusted.json").write_text(json.dumps(document([gone])))
    monkeypatch.setenv("LAYERHUB_HOME", str(home))
    assert hints_for(["Vanished>Layer"]) == {
        "Vanished>Layer": Hint("vanished-kit==1.4.2", "trusted, no longer installed")
    }


def entry(name: str, distribution: str, source: ProviderSource) -> Entry:
    return Entry(
        name, f"{distribution.replace('-', '_')}:X", Provider(distribution, "1", source=source)
    )


def test_two_curated_distributions_claiming_a_name_leave_it_unresolved():
    claims = [
        entry("Custom>Block", "keras-tcn", ProviderSource.CURATED),
        entry("Custom>Block", "keras-rs", ProviderSource.CURATED),
        entry("keras_rs>Only", "keras-rs", ProviderSource.CURATED),
    ]
    registry = Registry(claims)
    assert "Custom>Block" not in registry and "keras_rs>Only" in registry
    (conflict,) = registry.conflicts
    assert conflict.ambiguous
    objects, failures = registry.resolve(["Custom>Block"])
    assert objects == {}
    assert "keras-rs==1 and keras-tcn==1" in failures["Custom>Block"]
    assert "picks neither" in failures["Custom>Block"]


def test_trust_or_prefer_decides_a_clash():
    curated = entry("Custom>Block", "keras-rs", ProviderSource.CURATED)
    trusted = entry("Custom>Block", "keras-tcn", ProviderSource.TRUSTED)
    registry = Registry([curated, trusted])
    assert registry.get("Custom>Block") is trusted
    assert not registry.conflicts[0].ambiguous
    other = entry("Custom>Block", "keras-tcn", ProviderSource.CURATED)
    preferred = Registry([curated, other], prefer=["keras-tcn"])
    assert preferred.get("Custom>Block") is other
    # A plugin (an entry point) declared the name for layerhub: the old rule, a warning.
    plugin = entry("Custom>Block", "zed-blocks", ProviderSource.ENTRY_POINT)
    mixed = Registry([curated, other, plugin])
    assert mixed.get("Custom>Block") is curated and not mixed.conflicts[0].ambiguous


def test_every_curated_entry_parses_and_checks():
    path = ROOT / "src" / "layerhub" / "data" / "curated_index.json"
    text = path.read_text()
    doc = json.loads(text)
    check_index(doc, str(path), IndexFormatError)
    # Deterministic: exactly what document() derives from its own distributions.
    regenerated = document(doc["distributions"])
    regenerated["generator"] = doc["generator"]
    assert json.dumps(regenerated, indent=1) + "\n" == text
    assert curated_index().doc == doc
    names = [d["name"] for d in doc["distributions"]]
    assert len(names) == len(set(names))
    for record in doc["distributions"]:
        assert record["objects"] or record.get("modules"), record["name"]
        assert record["keras_version"] and record["version"], record["name"]
        assert [o["name"] for o in record["objects"]] == sorted(
            o["name"] for o in record["objects"]
        )
    hub = next(d for d in doc["distributions"] if d["name"] == "keras-hub")
    assert hub["modules"] == ["keras_hub"] and hub["objects"] == []  # Keras imports it by module


@pytest.mark.parametrize("name", ["keras-rs", "keras-tcn", "kimm", "keras-cv-attention-models"])
def test_the_curated_index_covers_the_measured_packages(name):
    assert any(d["name"] == name for d in curated_index().distributions)
