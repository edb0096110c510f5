"""Helpers for tests that need real pip installs and fresh Python processes.

Plugins are built into wheels once per session and pip-installed (for real) into
throw-away ``--target`` directories; child processes see them through PYTHONPATH, so
each test picks exactly which plugins are installed without touching the venv.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
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
#: keras-hub at the version the curated index checked, and what its ``import`` needs that
#: the venv lacks (see its METADATA): pip-installed ``--no-deps`` into a site directory.
KERAS_HUB = ["keras-hub==0.32.0", "regex", "tokenizers", "sentencepiece"]
#: Set by conftest.py when the run deselects ``slow`` tests (``make test-fast``).
FAST_TIER = "TESTS_FAST_TIER"
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "default"}


def pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        check=True,
        capture_output=True,
        text=True,
    )


#: Plugin wheels built by :func:`plugin_wheels`, one directory per state of their sources.
WHEEL_CACHE = ROOT / "build" / "test-wheels"
NOT_SOURCES = shutil.ignore_patterns("build", "*.egg-info", "__pycache__")


@functools.cache
def plugin_wheels() -> dict[str, Path]:
    """Every plugin project (plugins/ and tests/distributions/) as a real wheel.

    One ``pip wheel`` call builds them all (~0.7 s a project instead of ~2 s one at a
    time), from copies: setuptools builds in the source tree, so builds in parallel, or a
    stale ``build/`` left by an earlier run, would collide. The wheels are kept in
    ``build/test-wheels/`` while the projects' files, Python and setuptools are
    unchanged, so a second test run builds nothing; xdist workers share one build, and
    each process hashes the sources once.
    """
    out = WHEEL_CACHE / sources_digest()
    WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    with open(WHEEL_CACHE / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "complete").exists():
            for stale in WHEEL_CACHE.iterdir():
                if stale.is_dir():
                    shutil.rmtree(stale)
            sources = [out / "sources" / name for name in PLUGIN_SOURCES]
            for name, source in zip(PLUGIN_SOURCES, sources, strict=True):
                shutil.copytree(PLUGIN_SOURCES[name], source, ignore=NOT_SOURCES)
            pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(out), *map(str, sources))
            (out / "complete").touch()
    return {name: next(out.glob(f"{name.replace('-', '_')}-*.whl")) for name in PLUGIN_SOURCES}


def sources_digest() -> str:
    """What the wheels are built from: every project file, Python's and setuptools' versions."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"{sys.version} {version('setuptools')}".encode())
    for name, source in sorted(PLUGIN_SOURCES.items()):
        for path in sorted(source.rglob("*")):
            parts = path.relative_to(source).parts
            if path.is_file() and not NOT_SOURCES(str(source), parts):
                digest.update(f"{name}/{'/'.join(parts)}".encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
    if os.environ.get(FAST_TIER):  # no Keras in any child of the fast tier
        parts.insert(0, str(ROOT / "tests" / "fast_tier"))
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
    *args: str,
    site: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """The ``layerhub`` command, as ``python -m layerhub`` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "layerhub", *args],
        cwd=cwd,
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
    wait on a lock and read it: for what several test files share (plugin sites, the
    hostile corpora). Within one file, ``make test`` runs with ``--dist loadfile``, so a
    module-scoped fixture runs once. (``xdist_group`` would do that, but pytest 9.2
    silently defeats it, pytest-dev/pytest-xdist#1386, and each module fixture then ran
    on both workers.)
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
