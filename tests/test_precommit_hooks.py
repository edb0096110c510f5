"""The pre-commit hooks in ``.pre-commit-hooks.yaml``, run by real pre-commit.

``pre-commit try-repo`` installs layerhub from a git repository (a snapshot of this
checkout, committed, so the environment is built once and reused) into an environment
of its own, from the package registry, then runs the hooks on a temporary git
repository: a benign model passes, a hostile one fails the scan, a damaged one fails
the validation, and a preset stands for its folder.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fixtures import KERAS
from presets import hostile as hostile_preset
from support import ROOT, pip, shared_build

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment to run ``python -m pre_commit`` in: the test extra installs it;
    without it (a venv set up before), a real pip install into a site directory."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home"))}
    if importlib.util.find_spec("pre_commit") is None:

        def build(directory: Path) -> str:
            pip("install", "--target", str(directory), "pre-commit")
            return str(directory)

        site = shared_build(tmp_path_factory, "pre-commit-site", build)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (site, env.get("PYTHONPATH")) if p)
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's files (tracked and new, as ``git ls-files`` lists them), committed."""
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (os.fsdecode(n) for n in listed)):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name, follow_symlinks=False)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")
    return repo


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
    )


def try_repo(hook_repo: Path, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    git(project, "add", "-A")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_hooks_pass_benign_models_and_fail_hostile_ones(pre_commit, hook_repo, tmp_path):
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    git(project, "init", "-q")
    shutil.copy(KERAS / "benign" / "dense.keras", project / "models" / "dense.keras")
    shutil.copy(KERAS / "benign" / "legacy.h5", project / "models" / "legacy.h5")
    shutil.copytree(KERAS / "presets" / "bert_classifier", project / "models" / "bert")
    (project / "package.json").write_text("{}")  # a JSON file that is no model: left out
    benign = try_repo(hook_repo, project, pre_commit)
    assert benign.returncode == 0, benign.stdout + benign.stderr
    assert "layerhub scan (hostile Keras models)" in benign.stdout
    assert benign.stdout.count("Passed") == 2  # scan and validate (check: no Python files)
    # keras-hub is not in the hook's environment: the preset's classes are unknown names,
    # medium, under the hook's --fail-on high

    # each try-repo builds the hook's environment anew (~30 s): one run for every verdict
    shutil.copy(KERAS / "corpus" / "lambda_layer.keras", project / "models" / "evil.keras")
    hostile_preset("task_lambda_head", project / "models")
    with zipfile.ZipFile(project / "models" / "broken.keras", "w") as zf:
        zf.writestr("metadata.json", "{}")  # no config.json: not a model Keras can load
    damaged = project / "models" / "damaged_preset"
    damaged.mkdir()
    (damaged / "metadata.json").write_text("{}")
    (damaged / "config.json").write_text('{"class_name": ')  # cut short
    hostile = try_repo(hook_repo, project, pre_commit)
    assert hostile.returncode == 1
    scan, validate = hostile.stdout.split("layerhub validate")
    assert "Failed" in scan
    assert "models/evil.keras: 1 finding(s), worst critical" in scan
    assert "models/dense.keras: clean" in scan
    assert "[critical] lambda at task.json#/config/function" in scan
    assert scan.count("models/task_lambda_head: ") == 1  # the preset once, for all its files
    assert "Failed" in validate and "models/broken.keras: unusable" in validate
    assert "models/evil.keras: valid" in validate  # a Lambda breaks no schema: scan stops it
    # a preset is validated once, as a folder; its weights are no model of their own
    assert validate.count("models/bert: valid") == 1
    assert "model.weights.h5" not in validate and "package.json" not in validate
    assert "models/damaged_preset: unusable" in validate
    assert scan.count("models/damaged_preset: ") == 1
