"""Helpers for tests that need real pip installs and fresh Python processes.

Plugins are built into wheels once per session and pip-installed (for real) into
throw-away ``--target`` directories; child processes see them through PYTHONPATH, so
each test picks exactly which plugins are installed without touching the venv.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_SOURCES = {
    **{p.name: p for p in sorted((ROOT / "plugins").iterdir()) if (p / "pyproject.toml").exists()},
    **{
        p.name: p
        for p in sorted((ROOT / "tests" / "distributions").iterdir())
        if (p / "pyproject.toml").exists()
    },
}
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "default"}


def pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        check=True,
        capture_output=True,
        text=True,
    )


def build_wheel(name: str, out: Path) -> Path:
    """A real wheel of the plugin project ``name`` (from plugins/ or tests/distributions/).

    Built from a copy: setuptools builds in the source tree, so xdist workers building
    one project at once, or a stale ``build/`` left by an earlier run, would collide.
    """
    out.mkdir(parents=True, exist_ok=True)
    source = out / "sources" / name
    shutil.copytree(
        PLUGIN_SOURCES[name],
        source,
        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"),
    )
    pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(source))
    stem = name.replace("-", "_")
    return next(out.glob(f"{stem}-*.whl"))


def install(wheels: list[Path], target: Path) -> Path:
    """pip-install ``wheels`` into ``target`` (a site directory for PYTHONPATH)."""
    target.mkdir(parents=True, exist_ok=True)
    if wheels:
        pip("install", "--no-deps", "--target", str(target), *map(str, wheels))
    return target


def child_env(site: Path | None = None, **extra: str) -> dict[str, str]:
    keep = ("LAYERHUB_CACHE_DIR",)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYERHUB_") or k in keep}
    env.update(QUIET_ENV)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(site) if site else "", env.get("PYTHONPATH", "")] if p
    )
    env.update(extra)
    # The layerhub under test, last: a child given its own PYTHONPATH (or run from a
    # worktree beside an editable install) must still import this checkout's code.
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([*parts, str(ROOT / "src")])
    return env


def run_python(
    code: str,
    *args: str,
    site: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter; on failure the assertion shows its output."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=child_env(site, **(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert proc.returncode == 0, (
            f"child failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def run_layerhub(
    *args: str, site: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The ``layerhub`` command, as ``python -m layerhub`` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "layerhub", *args],
        env=child_env(site, **(env or {})),
        capture_output=True,
        text=True,
        timeout=600,
    )


def last_json(stdout: str) -> dict:
    """The JSON object a child printed on its last line."""
    return json.loads(stdout.strip().splitlines()[-1])


def shared_build(tmp_path_factory: Any, name: str, build: Callable[[Path], Any]):
    """``build(directory)`` once per test run, by whichever xdist worker comes first.

    Its JSON result is cached beside the workers' temporary directories; the others
    wait on a lock and read it. (``xdist_group`` would keep these tests on one worker,
    but pytest 9.2 silently defeats it: pytest-dev/pytest-xdist#1386.)
    """
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    directory = root / f"shared-{name}"
    directory.mkdir(exist_ok=True)
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = directory / "result.json"
        if not result.exists():
            result.write_text(json.dumps(build(directory)))
        return json.loads(result.read_text())
