"""The engine recipe of docs/security.md: ``layerhub.safety.scan_artifact`` mapped over
``layerhub.safety.find_artifacts`` on a Dask cluster (local, bound to 127.0.0.1, two worker
processes) gives the reports ``layerhub scan --jobs 1`` gives, in a fresh process."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from fixtures import KERAS
from support import last_json, pip, run_layerhub, run_python, shared_build

pytestmark = pytest.mark.slow

RECIPE = """
import json, os, sys
from dask.distributed import Client, LocalCluster
from layerhub.safety import find_artifacts, scan_artifact

paths = find_artifacts([sys.argv[1]]).artifacts
with LocalCluster(
    n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
    dashboard_address=None,
) as cluster, Client(cluster) as client:
    reports = client.gather(client.map(scan_artifact, paths))
    workers = sorted(client.scheduler_info()["workers"])
    pids = sorted(client.run(os.getpid).values())
print(json.dumps({
    "files": [r.to_json() for r in reports], "workers": workers,
    "pids": pids, "me": os.getpid(),
    "keras": "keras" in sys.modules,
}))
"""


@pytest.fixture(scope="module")
def dask_site(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Dask from the test extra; without it (a venv set up before), a real pip install."""
    if importlib.util.find_spec("distributed") is not None:
        return None

    def build(directory: Path) -> str:
        pip("install", "--target", str(directory), "dask[distributed]")
        return str(directory)

    return Path(shared_build(tmp_path_factory, "dask-site", build))


def test_a_dask_cluster_gives_the_reports_of_jobs_1(dask_site, tmp_path):
    zoo = tmp_path / "zoo"
    shutil.copytree(KERAS / "benign", zoo / "benign")
    shutil.copytree(KERAS / "corpus", zoo / "corpus")
    shutil.copytree(KERAS / "presets", zoo / "presets")
    proc = run_layerhub("scan", "--format", "json", "--jobs", "1", str(zoo))
    assert proc.returncode == 1, proc.stderr
    expected = json.loads(proc.stdout)["files"]
    assert len(expected) >= 28 and sum(1 for f in expected if f["findings"]) >= 5

    result = last_json(run_python(RECIPE, str(zoo), site=dask_site, timeout=300).stdout)
    assert result["files"] == expected
    assert len(result["workers"]) == 2
    assert all(w.startswith("tcp://127.0.0.1:") for w in result["workers"])
    assert len(set(result["pids"])) == 2 and result["me"] not in result["pids"]
    assert result["keras"] is False
