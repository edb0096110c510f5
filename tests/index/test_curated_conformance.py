"""The conformance statuses the updater ships in the curated index, and how one child's
check results become a status per name (``scripts/curated_conformance.py``)."""

from __future__ import annotations

import importlib.util
import json

import pytest
from support import ROOT, run_layerhub

from layerhub.checks.results import Result
from layerhub.index.document import curated_index

spec = importlib.util.spec_from_file_location(
    "curated_conformance", ROOT / "scripts" / "curated_conformance.py"
)
conformance = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conformance)
verdicts = conformance.verdicts

STATUSES = {"pass", "fail", "not tried"}


def rows(name: str, *outcomes: tuple[str, str, str]) -> list[dict]:
    return [Result(name, check, status, message).to_json() for check, status, message in outcomes]


def test_a_name_passes_only_when_its_fresh_save_and_load_passed():
    found = verdicts(
        rows("A>Ok", ("imports", "passed", ""), ("save_load", "passed", ""))
        + rows("A>Bad", ("save_load", "failed", "outputs\n differ"), ("imports", "passed", ""))
        + rows("A>NoInput", ("imports", "passed", ""), ("save_load", "skipped", "needs an example"))
    )
    assert found == {
        "A>Ok": ("pass", ""),
        "A>Bad": ("fail", "save_load: outputs differ"),
        "A>NoInput": ("not tried", "needs an example"),
    }


def test_the_shipped_index_records_a_status_per_checked_name():
    objects = [o for d in curated_index().distributions for o in d["objects"]]
    statuses = [o["conformance"] for o in objects if "conformance" in o]
    assert set(statuses) <= STATUSES
    assert {"pass", "fail"} <= set(statuses)  # the updater's run is shipped
    report = json.loads((ROOT / "scripts" / "curated_conformance_report.json").read_text())
    assert sum(report["totals"].values()) == len(objects)
    assert all(o.get("conformance_note") for o in objects if o.get("conformance") == "fail")


@pytest.mark.parametrize("status", ["pass", "fail"])
def test_search_shows_the_status(status):
    name = next(
        o["name"]
        for d in curated_index().distributions
        for o in d["objects"]
        if o.get("conformance") == status
    )
    results = json.loads(run_layerhub("search", name, "--json").stdout)["results"]
    assert next(r for r in results if r["name"] == name)["conformance"] == status
