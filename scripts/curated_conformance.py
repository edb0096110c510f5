"""The conformance status of every curated name: ``update_curated_index.py --conformance``.

Each curated distribution is installed without dependencies (as the updater indexes
it) into its own throw-away site, and a child Python with only that site, a fresh
``LAYERHUB_HOME`` and a time limit runs layerhub's conformance checks
(:mod:`layerhub.checks`) over the distribution's curated names: config round trips,
a call, and the save, reload in a fresh process and same outputs. Each name then gets:

- ``pass``: every check that applies passed, the save and fresh reload among them;
- ``fail``: a check failed (``conformance_note`` says which, in one line);
- ``not tried``: the checks could not run (no probe input for its kind, the install or
  the child failed, or the budget ran out), with the reason in ``conformance_note``.

The statuses go into the curated index the updater writes; the catalog and ``layerhub
search`` show them. CI never reruns this: the results are shipped.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

__all__ = ["CHILD", "statuses", "verdicts"]

#: Runs in the sandbox: the checks over one curated distribution's names, as JSON.
CHILD = r"""
import json, sys
from layerhub.checks.cases import build_cases
from layerhub.checks.runner import run_cases
from layerhub.checks.subject import Subject
from layerhub.names import normalize_name
from layerhub.plugins.discovery import get_discovery
from layerhub.plugins.registry import ProviderSource

wanted = normalize_name(sys.argv[1])
subjects = [
    Subject(e) for e in get_discovery().registry
    if e.provider.source is ProviderSource.CURATED
    and normalize_name(e.provider.distribution) == wanted
]
results = run_cases(build_cases(subjects)) if subjects else []
print(json.dumps([r.to_json() for r in results]))
"""


def verdicts(results: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """name -> (status, note) from one child's check results."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_name.setdefault(result["object"], []).append(result)
    out = {}
    for name, rows in by_name.items():
        failed = [r for r in rows if r["status"] in ("failed", "xpassed")]
        saved = [r for r in rows if r["check"] == "save_load" and r["status"] == "passed"]
        if failed:
            first = failed[0]
            out[name] = ("fail", f"{first['check']}: {' '.join(first['message'].split())[:200]}")
        elif saved:
            out[name] = ("pass", "")
        else:
            skipped = next((r for r in rows if r["check"] == "save_load"), rows[-1])
            out[name] = ("not tried", " ".join(skipped["message"].split())[:200] or "skipped")
    return out


def check_distribution(
    record: dict[str, Any], work: Path, timeout: float, install: Any, fetch: Any
) -> dict[str, tuple[str, str]]:
    """The verdict on each curated name of ``record`` (one sandboxed child)."""
    names = [o["name"] for o in record["objects"]]
    key = canonicalize_name(record["name"])
    directory = work / key
    try:
        wheel = fetch(f"{record['name']}=={record['version']}", directory / "dl")
        install(wheel, directory / "site")
    except RuntimeError as exc:
        return {n: ("not tried", f"install failed: {exc}"[:200]) for n in names}
    src = Path(__file__).resolve().parents[1] / "src"
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{directory / 'site'}:{src}",
        "LAYERHUB_HOME": str(directory / "home"),
        "LAYERHUB_CACHE_DIR": str(directory / "cache"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "HOME": str(directory / "home"),
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, record["name"]],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=directory,
        )
    except subprocess.TimeoutExpired:
        return {n: ("not tried", f"checks did not finish within {timeout:g} s") for n in names}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode or not lines:
        error = (proc.stderr.strip().splitlines() or ["no output"])[-1][:200]
        return {n: ("not tried", f"the check process failed: {error}") for n in names}
    found = verdicts(json.loads(lines[-1]))
    return {n: found.get(n, ("not tried", "not registered when installed")) for n in names}


def statuses(
    doc: dict[str, Any],
    only: list[str],
    budget: float,
    timeout: float,
    jobs: int,
    install: Any,
    fetch: Any,
) -> dict[str, Any]:
    """Check each distribution of ``doc`` (or ``only`` those) with curated names, within
    ``budget`` seconds of starting checks; write the statuses into ``doc``; return the
    run's report (per distribution, totals, seconds)."""
    import concurrent.futures

    wanted = {canonicalize_name(n) for n in only}
    records = [
        r
        for r in doc["distributions"]
        if r["objects"] and (not wanted or canonicalize_name(r["name"]) in wanted)
    ]
    started = time.monotonic()
    deadline = started + budget
    report: dict[str, Any] = {"distributions": {}}

    def one(record: dict[str, Any], work: Path) -> tuple[dict[str, Any], dict, float]:
        begun = time.monotonic()
        if begun > deadline:
            names = [o["name"] for o in record["objects"]]
            return record, {n: ("not tried", "not run: the budget ran out") for n in names}, 0
        found = check_distribution(record, work, timeout, install, fetch)
        return record, found, time.monotonic() - begun

    with (
        tempfile.TemporaryDirectory(prefix="curated-conformance-") as tmp,
        concurrent.futures.ThreadPoolExecutor(jobs) as pool,
    ):
        futures = [pool.submit(one, r, Path(tmp)) for r in records]
        for future in concurrent.futures.as_completed(futures):
            record, found, seconds = future.result()
            for obj in record["objects"]:
                status, note = found[obj["name"]]
                obj["conformance"] = status
                if note:
                    obj["conformance_note"] = note
                else:
                    obj.pop("conformance_note", None)
            counts: dict[str, int] = {}
            for status, _ in found.values():
                counts[status] = counts.get(status, 0) + 1
            report["distributions"][record["name"]] = {**counts, "seconds": round(seconds, 1)}
            print(f"conformance {record['name']}: {counts} ({seconds:.0f} s)", flush=True)
    totals: dict[str, int] = {}
    for record in doc["distributions"]:
        for obj in record["objects"]:
            status = obj.get("conformance", "not tried")
            totals[status] = totals.get(status, 0) + 1
    report["totals"] = totals
    report["seconds"] = round(time.monotonic() - started, 1)
    report["budget"], report["timeout"] = budget, timeout
    return report
