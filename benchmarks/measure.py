"""Timing and memory measurement in fresh interpreters, and a description of the machine.

Every figure is a ratio of two medians measured in the same run, alternating the
candidate and its reference so that a burst of load on a shared machine hits both.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
CHILDREN = Path(__file__).resolve().parent / "children"


def child(name: str) -> Path:
    """The child program ``benchmarks/children/<name>.py``, run as a script."""
    path = CHILDREN / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


def child_env(site: Path | None = None, **extra: str) -> dict[str, str]:
    keep = ("LAYERHUB_CACHE_DIR",)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYERHUB_") or k in keep}
    env.update(QUIET)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(site) if site else "", env.get("PYTHONPATH", "")] if p
    )
    env.update(extra)
    return env


def run_child(
    module: Path, *args: str, site: Path | None = None, cwd: Path | None = None, **env: str
) -> dict | None:
    """Run the script ``module`` in a fresh interpreter (in ``cwd`` if given); return the
    JSON object on its last line."""
    proc = subprocess.run(
        [sys.executable, str(module), *args],
        env=child_env(site, **env),
        capture_output=True,
        text=True,
        cwd=cwd,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    lines = proc.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None


def timed(module: Path, *args: str, site: Path | None = None, **env: str) -> Callable[[], float]:
    """One measurement per call: the seconds (``"s"``) the timed child ``module`` reports."""

    def measure() -> float:
        result = run_child(module, *args, site=site, **env)
        assert result is not None
        return result["s"]

    return measure


def process_seconds(argv: list[str], site: Path | None = None, **env: str) -> float:
    """Wall time of a whole fresh process, from exec to exit."""
    start = time.perf_counter()
    proc = subprocess.run(argv, env=child_env(site, **env), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{argv} failed:\n{proc.stderr[-3000:]}")
    return elapsed


@dataclass
class Pair:
    """Medians of a candidate and its reference, measured alternately."""

    candidate: float
    reference: float
    runs: int

    @property
    def ratio(self) -> float:
        return self.candidate / self.reference


def alternate(candidate: Callable[[], float], reference: Callable[[], float], runs: int) -> Pair:
    """Median of ``runs`` values of each callable (each returns one measurement).

    The order flips every run (ABBA...), so a drift in the machine's load hits both.
    """
    a: list[float] = []
    b: list[float] = []
    for i in range(runs):
        if i % 2:
            b.append(reference())
            a.append(candidate())
        else:
            a.append(candidate())
            b.append(reference())
    return Pair(statistics.median(a), statistics.median(b), runs)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    from importlib import metadata

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "-"

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "-"
    memory = "-"
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return {
        "cpu": f"{cpu} ({os.cpu_count()} cores)",
        "memory": memory,
        "load average at start (1, 5, 15 min)": load,
        "os": platform.platform(),
        "python": platform.python_version(),
        **{
            name: version(name)
            for name in ("layerhub", "keras", "tensorflow-cpu", "jax", "torch", "h5py", "numpy")
        },
    }
