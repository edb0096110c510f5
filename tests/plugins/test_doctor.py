"""``layerhub doctor`` on real plugin installs: every environment problem, found without
importing keras or any plugin target."""

from __future__ import annotations

import json

import pytest
from support import last_json, run_layerhub, run_python

from layerhub.index.document import document

pytestmark = pytest.mark.slow

VANISHED = {
    "name": "vanished-kit",
    "version": "1.0",
    "source": "introspection",
    "objects": [{"name": "Vanished>Layer", "target": "vanished_kit.layers:Layer"}],
}

DOCTOR = """
import contextlib, io, json, os, sys
from layerhub.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["doctor", "--json"])
report = json.loads(out.getvalue())
report["exit"] = code
report["imported"] = sorted(
    m for m in sys.modules
    if m.split(".")[0] in ("keras", "tensorflow", "layerhub_seed")  # the seed: static
    or m in ("hostile_broken.objects", "conflicting_seed.layers")
)
print(json.dumps(report))
"""


def test_a_healthy_environment_has_no_problems(seed_site):
    result = run_layerhub("doctor", site=seed_site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout


def test_every_problem_is_reported_without_importing_anything(plugin_site, tmp_path):
    site = plugin_site(
        "layerhub-seed", "hostile-broken", "broken-hook", "broken-import", "conflicting-seed"
    )
    home = tmp_path / "home"  # a trusted index naming a distribution since uninstalled
    home.mkdir()
    (home / "trusted.json").write_text(json.dumps(document([VANISHED])))
    env = {
        "LAYERHUB_ALLOWED_PROVIDERS": "layerhub-seed,hostile-broken,gone-away",
        "LAYERHUB_HOME": str(home),
    }
    report = last_json(run_python(DOCTOR, site=site, env=env).stdout)
    assert report["exit"] == 1
    assert report["imported"] == []
    found = {(p["code"], p["location"].split(" ")[0]) for p in report["problems"]}
    expected = {
        ("plugin-failed", "plugin:broken_hook"),
        ("plugin-failed", "plugin:broken_import"),
        ("name-conflict", "MyLayers>CustomLayer"),
        ("missing-target", "HostileBroken>NoModule"),
        ("missing-target", "HostileBroken>NoAttribute"),
        ("bad-schema", "HostileBroken>NoSchemaFile"),
        ("bad-schema", "HostileBroken>SchemaNotJson"),
        ("bad-schema", "HostileBroken>InvalidSchema"),
        ("stale-allowlist-entry", "LAYERHUB_ALLOWED_PROVIDERS"),
    }
    assert expected <= found, sorted(found)
    shadowed = [p["message"] for p in report["problems"] if p["code"] == "shadowed-name"]
    assert any("'Dense'" in m for m in shadowed) and any("'keras>Dense'" in m for m in shadowed)
    stale = [p["message"] for p in report["problems"] if p["code"] == "stale-allowlist-entry"]
    assert stale == ["allowed provider 'gone-away' is not installed"]
    trust = [p["message"] for p in report["problems"] if p["code"] == "stale-trust-entry"]
    assert trust == ["trusted distribution 'vanished-kit' is not installed"]
    # nothing about the healthy names
    assert not any(p["location"].startswith("HostileBroken>Fine") for p in report["problems"])
    assert not any("LayerhubSeed>" in p["location"] for p in report["problems"])


def test_doctor_text_output_is_one_line_per_problem(plugin_site):
    result = run_layerhub("doctor", site=plugin_site("layerhub-seed", "hostile-broken"))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "5 problem(s)"
    assert sum(line.startswith("  [high] missing-target") for line in lines) == 2
    assert json.loads(run_layerhub("doctor", "--json", site=plugin_site()).stdout)["problems"] == []


def test_doctor_reads_targets_inside_namespace_packages(tmp_path):
    """keras-hub and kimm ship folders with no ``__init__.py``: doctor once read their
    lazy search path, which needs the (unimported) parent module, and crashed with a
    KeyError. Now it finds the target's file and checks it like any other."""
    site = tmp_path / "site"
    package = site / "nskit_ns" / "layers"  # two namespace levels, as keras_hub/src/...
    package.mkdir(parents=True)
    (package / "blocks.py").write_text("class Block:\n    pass\n")
    info = site / "nskit-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nskit\nVersion: 1.0\n")
    home = tmp_path / "home"
    home.mkdir()
    record = {
        "name": "nskit",
        "version": "1.0",
        "source": "introspection",
        "objects": [
            {"name": "nskit>Block", "target": "nskit_ns.layers.blocks:Block"},
            {"name": "nskit>Gone", "target": "nskit_ns.layers.blocks:Gone"},
        ],
    }
    (home / "trusted.json").write_text(json.dumps(document([record])))
    result = run_layerhub("doctor", "--json", site=site, env={"LAYERHUB_HOME": str(home)})
    assert result.returncode == 1, result.stdout + result.stderr  # a problem, not a crash
    problems = json.loads(result.stdout)["problems"]
    messages = " ".join(p["message"] for p in problems)
    assert "nskit_ns.layers.blocks defines no 'Gone'" in messages
    assert "'Block'" not in messages
