"""The issue's "done when": ``layerhub scan`` of a tree holding the hostile corpus and
benign models exits 1, writes SARIF that validates against the OASIS 2.1.0 schema, has
a result for every hostile file and none for any benign one, and gives the same
findings with ``--jobs 1`` and ``--jobs 2`` (fresh processes, the seed plugin installed
by a real pip install, keras never imported by the scan)."""

from __future__ import annotations

import json
import shutil
from urllib.parse import unquote

import jsonschema
import pytest
from fixtures import KERAS
from support import ROOT, run_layerhub

pytestmark = pytest.mark.slow

SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())


def test_a_zoo_of_hostile_and_benign_models(corpus, seed_models, seed_site, tmp_path):
    zoo = tmp_path / "zoo"
    hostile, benign = set(), set()
    for i, (path, case) in enumerate(sorted(corpus["cases"].items())):
        target = zoo / "corpus" / f"batch{i % 3}" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, target, symlinks=True)
        else:
            shutil.copy(path, target)
        # the one corpus file scan cannot flag: a built-in's bad config (load fails)
        (hostile if case.codes else benign).add(target.relative_to(tmp_path).as_posix())
    for model in [*sorted((KERAS / "benign").iterdir()), seed_models / "seed.keras"]:
        target = zoo / "benign" / model.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(model, target)
        benign.add(target.relative_to(tmp_path).as_posix())
    shutil.copy(seed_models / "seed.h5", zoo / "seed.h5")
    benign.add("zoo/seed.h5")
    assert len(hostile) > 40

    logs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}.sarif"
        args = ("scan", "zoo", "--jobs", jobs, "--format", "sarif", "--output", str(out))
        proc = run_layerhub(*args, site=seed_site, cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout == ""
        assert proc.stderr.startswith(f"{len(hostile) + len(benign)} artifacts, "), proc.stderr
        logs[jobs] = json.loads(out.read_text())

    log = logs["1"]
    validator = jsonschema.Draft4Validator(
        SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    assert [e.message for e in validator.iter_errors(log)] == []
    (run,) = log["runs"]
    uris = {
        unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in run["results"]
    }
    # a finding inside a model directory names the member's own file in it
    artifacts = hostile | benign
    flagged = {next((a for a in artifacts if u == a or u.startswith(a + "/")), u) for u in uris}
    assert flagged == hostile
    assert not flagged & benign
    assert logs["1"] == logs["2"]
