"""``layerhub scan``, ``validate``, ``resolve`` and ``inspect`` on KerasHub presets, in
fresh processes of the fast tier (where importing keras fails: none of them may)."""

from __future__ import annotations

import json

import pytest
from fixtures import KERAS
from presets import BENIGN, HOSTILE, SEVERITY, SHARDED, hostile
from support import last_json, run_layerhub, run_python

KERAS_HUB_ABSENT = "keras_hub is not installed"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_scan_flags_every_hostile_preset(tmp_path, name):
    preset = hostile(name, tmp_path)
    severity = SEVERITY.get(name, "critical")
    proc = run_layerhub("scan", "--json", "--fail-on", severity, str(preset))
    assert proc.returncode == 1, proc.stderr
    _, _, code, location = HOSTILE[name]
    (report,) = json.loads(proc.stdout)["files"]
    found = {
        (f["code"], f["location"])
        for f in report["findings"]
        if f["severity"] == severity and f["code"] != "unknown-name"  # keras_hub absent
    }
    assert found == {(code, location)}


def test_scan_passes_the_benign_task_preset_with_its_tokenizer():
    proc = run_layerhub("scan", "--json", "--fail-on", "high", str(BENIGN))
    assert proc.returncode == 0, proc.stderr
    (report,) = json.loads(proc.stdout)["files"]
    assert report["format"] == "preset"
    # without keras-hub installed, all that is left to say is that it is not
    # (tests/index/test_presets_keras_hub.py: with it, the scan is clean)
    assert {(f["code"], f["severity"]) for f in report["findings"]} == {("unknown-name", "medium")}
    assert all(KERAS_HUB_ABSENT in f["message"] for f in report["findings"])
    locations = {f["location"] for f in report["findings"]}
    assert {"", "task.json#", "preprocessor.json#", "tokenizer.json#"} <= locations


def test_validate_checks_every_document_of_a_preset():
    proc = run_layerhub("validate", "--json", str(BENIGN))
    assert proc.returncode == 0, proc.stderr
    (result,) = json.loads(proc.stdout)["files"]
    assert result["format"] == "preset" and result["violations"] == []
    unchecked = {u["pointer"] for u in result["unchecked"]}
    assert "task.json#/config/preprocessor/config/tokenizer" in unchecked


def test_validate_changed_files_validates_a_preset_once_for_all_its_files():
    """What pre-commit hands ``layerhub-validate``: the changed files one by one."""
    changed = [str(BENIGN / name) for name in ("config.json", "task.json", "model.weights.h5")]
    dense = str(KERAS / "benign" / "dense.keras")
    proc = run_layerhub("validate", "--json", "--changed-files", *changed, dense)
    assert proc.returncode == 0, proc.stderr
    files = [result["path"] for result in json.loads(proc.stdout)["files"]]
    assert files == [str(BENIGN), dense]


def test_validate_names_the_document_of_a_malformed_task(tmp_path):
    preset = hostile("task_lambda_head", tmp_path)
    (preset / "task.json").write_text(json.dumps({"class_name": 3}))
    proc = run_layerhub("validate", "--json", str(preset))
    assert proc.returncode == 1, proc.stderr
    (result,) = json.loads(proc.stdout)["files"]
    assert {v["member"] for v in result["violations"]} == {"task.json"}


def test_resolve_names_keras_hub_for_every_object_of_a_preset():
    proc = run_layerhub("resolve", "--json", str(BENIGN))
    assert proc.returncode == 0, proc.stderr
    (requirement,) = json.loads(proc.stdout)["requirements"]
    assert requirement == {
        "requirement": "keras-hub",
        "names": [  # all but the backbone are named only by task.json and its companions
            "keras_hub>BertBackbone",
            "keras_hub>BertTextClassifier",
            "keras_hub>BertTextClassifierPreprocessor",
            "keras_hub>BertTokenizer",
        ],
    }


@pytest.mark.parametrize(
    "source", [SHARDED, SHARDED / "model.weights.json"], ids=["preset", "index"]
)
def test_inspect_reads_a_preset_s_sharded_weights_as_one_file(source):
    proc = run_layerhub("inspect", "--json", str(source))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["shards"] == [f"model_0000{i}.weights.h5" for i in range(3)]
    single = run_layerhub("inspect", "--json", str(BENIGN / "model.weights.h5"))
    expected = [{k: v for k, v in w.items()} for w in json.loads(single.stdout)["weights"]]
    assert [{k: w[k] for k in ("path", "shape", "dtype")} for w in report["weights"]] == expected


def test_inspect_reads_sharded_save_weights():
    proc = run_layerhub("inspect", str(KERAS / "presets" / "dense_sharded" / "dense.weights.json"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "6 array(s), 850 parameter(s) in 3 shard(s)"
    assert "layers/dense_2/vars/0  16x2   float32  dense_00002.weights.h5" in proc.stdout


def test_inspect_refuses_a_shard_index_naming_a_path(tmp_path):
    preset = hostile("shard_traversal", tmp_path)
    proc = run_layerhub("inspect", str(preset / "model.weights.json"))
    assert proc.returncode == 2
    assert "not a file beside the index" in proc.stderr and "Traceback" not in proc.stderr


LOAD = """
import json, sys
import layerhub
try:
    layerhub.load_model(sys.argv[1])
except layerhub.UnsafeArchiveError as exc:
    print(json.dumps({"refused": [[f.code, f.location] for f in exc.findings],
                      "keras": "keras" in sys.modules}))
"""


@pytest.mark.parametrize(
    "name", ["task_backbone_lambda", "tokenizer_asset_link", "tokenizer_vocabulary_path"]
)
def test_load_model_refuses_a_hostile_preset_before_keras_is_imported(tmp_path, name):
    preset = hostile(name, tmp_path)
    _, _, code, location = HOSTILE[name]
    report = last_json(run_python(LOAD, str(preset)).stdout)
    assert report == {"refused": [[code, location]], "keras": False}
