"""A short run of every coverage-guided fuzzing harness (scripts/fuzz.py, atheris): the
harnesses start, execute inputs from their seed corpora and mutations of them, and find
nothing. The long runs (a million executions or 30 minutes each) are not CI's job;
docs/security.md gives their figures and how to run them.

atheris ships prebuilt wheels for CPython 3.11 to 3.13 on Linux x86_64 only (the
``fuzz`` extra installs it there); elsewhere this test is skipped, saying why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, child_env

pytestmark = pytest.mark.slow

HARNESSES = ["zip", "hdf5", "npy", "npz"]


def test_every_harness_runs_and_finds_nothing(tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="atheris: wheels for CPython 3.11-3.13, Linux x86_64")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "fuzz.py"),
            "all",
            "--seconds",
            "2",
            "--json",
            "--workdir",
            str(tmp_path),
        ],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert [r["harness"] for r in report] == HARNESSES
    for result in report:
        assert result["findings"] == [], result
        # past the seeds: libFuzzer has run mutations of them too
        assert result["executions"] > result["seeds"] > 0, result
        assert result["coverage"] and result["coverage"] > 10, result
