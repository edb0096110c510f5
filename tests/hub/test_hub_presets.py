"""``hf://`` KerasHub presets: the real huggingface_hub client, in fresh processes of the
fast tier (no keras), against the Hub-compatible server of :mod:`hub_server`."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hub_server import hub_env
from presets import BENIGN, SHARDED, hostile
from support import run_layerhub


def tree(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def fetched(hub, repo_id: str) -> set[str]:
    return {
        p.rpartition("/resolve/")[2].partition("/")[2]
        for m, p in hub.requests
        if m == "GET" and p.startswith(f"/{repo_id}/resolve/")
    }


def test_a_task_preset_is_fetched_whole_and_scanned(hub, tmp_path):
    files = {**tree(BENIGN), "README.md": b"# card\n", "tokenizer_config.json": b"{}"}
    commit = hub.add("alice/bert-classifier", files)
    proc = run_layerhub(
        "scan",
        "--json",
        "--fail-on",
        "high",
        "hf://alice/bert-classifier",
        env=hub_env(hub, tmp_path),
    )
    assert proc.returncode == 0, proc.stderr
    (report,) = json.loads(proc.stdout)["files"]
    assert (report["path"], report["format"]) == (f"hf://alice/bert-classifier@{commit}", "preset")
    assert fetched(hub, "alice/bert-classifier") == set(tree(BENIGN))  # no card, no HF config


def test_exactly_the_shards_the_index_lists_are_fetched(hub, tmp_path):
    files = {**tree(SHARDED), "model_00007.weights.h5": b"an unlisted shard" * 100}
    hub.add("alice/bert-sharded", files)
    env = hub_env(hub, tmp_path)
    proc = run_layerhub("inspect", "--json", "hf://alice/bert-sharded", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["shards"] == [f"model_0000{i}.weights.h5" for i in range(3)]
    assert fetched(hub, "alice/bert-sharded") == set(tree(SHARDED))


def test_a_listed_shard_the_repository_lacks_is_one_line(hub, tmp_path):
    files = tree(SHARDED)
    del files["model_00002.weights.h5"]
    hub.add("alice/bert-short", files)
    proc = run_layerhub("scan", "hf://alice/bert-short", env=hub_env(hub, tmp_path))
    assert proc.returncode == 1
    assert "lists shards the repository lacks: ['model_00002.weights.h5']" in proc.stdout


def test_a_hostile_task_on_the_hub_is_flagged(hub, tmp_path):
    preset = hostile("task_backbone_config_setter", tmp_path)
    hub.add("mallory/bert", tree(preset))
    proc = run_layerhub("scan", "--json", "hf://mallory/bert", env=hub_env(hub, tmp_path / "hf"))
    assert proc.returncode == 1, proc.stderr
    (report,) = json.loads(proc.stdout)["files"]
    assert ("non-modeling-api", "task.json#/config/backbone/config/activation") in {
        (f["code"], f["location"]) for f in report["findings"]
    }


def test_a_link_under_assets_of_a_hub_snapshot_is_refused(hub, tmp_path):
    hub.add("alice/bert-linked", tree(BENIGN))
    home = tmp_path / "hf"
    first = run_layerhub(
        "scan", "--fail-on", "high", "hf://alice/bert-linked", env=hub_env(hub, home)
    )
    assert first.returncode == 0, first.stderr
    (snapshot,) = (home / "hub" / "models--alice--bert-linked" / "snapshots").iterdir()
    vocabulary = snapshot / "assets" / "tokenizer" / "vocabulary.txt"
    assert vocabulary.is_symlink()  # huggingface_hub links each file to its blob: allowed
    (tmp_path / "secret").write_text("[PAD]\n")
    os.symlink(tmp_path / "secret", snapshot / "assets" / "tokenizer" / "merges.txt")
    env = hub_env(hub, home, HF_HUB_OFFLINE="1")  # the cached snapshot, as planted
    proc = run_layerhub("scan", "--json", "hf://alice/bert-linked", env=env)
    assert proc.returncode == 1, proc.stderr
    (report,) = json.loads(proc.stdout)["files"]
    assert [(f["code"], f["location"]) for f in report["findings"]] == [
        ("symlink", "member:assets/tokenizer/merges.txt")
    ]
