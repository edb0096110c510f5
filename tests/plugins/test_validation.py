"""``layerhub validate`` and ``layerhub schema check`` in process
(:mod:`layerhub.plugins.validation`): real Keras-saved archives (committed fixtures)
against really pip-installed plugins on ``sys.path``; no keras is imported."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest
from fixtures import KERAS

from layerhub.errors import PluginWarning
from layerhub.plugins import discovery
from layerhub.plugins.validation import plugin_schemas, validate_file

BAD_SCHEMAS = ["Absent", "BadPattern", "Dangling", "Remote", "Truncated", "Typo", "Untyped"]


def test_a_valid_archive_checks_every_plugin_object(installed) -> None:
    installed("layerhub-seed", "schema-nested")
    result = validate_file(str(KERAS / "schemas" / "nested.keras"))
    assert result.valid and result.error is None and result.format == "keras"
    assert result.checked > 0 and result.violations == []
    assert result.as_dict()["valid"] is True
    assert "keras" not in sys.modules


def test_a_config_out_of_its_schema_is_every_violation_named(installed, tmp_path: Path) -> None:
    installed("schema-bad")
    source = KERAS / "schemas" / "bad.keras"
    with zipfile.ZipFile(source) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(members["config.json"])
    good = next(layer for layer in config["config"]["layers"] if layer["name"] == "good")
    good["config"]["factor"] = 3.0
    members["config.json"] = json.dumps(config).encode()
    broken = tmp_path / "bad.keras"
    with zipfile.ZipFile(broken, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)

    with pytest.warns(PluginWarning) as warned:  # discovery names each unusable schema
        result = validate_file(str(broken))
    messages = " ".join(str(w.message) for w in warned)
    assert "'SchemaBad>BadForm' 'schemas/form.json' does not read" in messages
    assert "'SchemaBad>Dangling' is invalid, so its configs are not validated" in messages
    assert not result.valid
    assert [(v.name, v.path, v.keyword) for v in result.violations] == [
        ("SchemaBad>Good", "/factor", "maximum")
    ]
    unchecked = {u.name for u in result.unchecked}  # objects whose schemas are unusable
    assert {f"SchemaBad>{n}" for n in BAD_SCHEMAS} <= unchecked
    assert "SchemaBad>Good" not in unchecked


def test_an_unreadable_file_is_an_error_and_discovers_nothing(tmp_path: Path) -> None:
    discovery.reset()
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    result = validate_file(str(junk))
    assert result.error and "junk.keras" in result.error and not result.valid
    assert discovery._discovery is None  # not run for a file it could not read


def test_schema_check_lists_every_unusable_schema(installed) -> None:
    installed("schema-bad")
    with pytest.warns(PluginWarning):  # discovery names each unusable schema reference
        statuses = {s.name: s for s in plugin_schemas()}
    assert sorted(n for n, s in statuses.items() if s.problem) == [
        f"SchemaBad>{n}" for n in BAD_SCHEMAS
    ]
    assert statuses["SchemaBad>Good"].problem is None
    assert statuses["SchemaBad>Truncated"].file == "schema_bad:schemas/truncated.json"
    assert "not valid JSON" in statuses["SchemaBad>Truncated"].problem
    installed("schema-nested")  # beside schema-bad, which warns again in a new discovery
    with pytest.warns(PluginWarning, match="SchemaBad>BadForm"):
        nested = [s for s in plugin_schemas() if s.distribution == "schema-nested"]
    assert nested and all(s.problem is None for s in nested)
