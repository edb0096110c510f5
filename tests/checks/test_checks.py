"""The conformance suite: ``layerhub check`` and the pytest plugin over real installed plugins.

Every run is a fresh process over plugins pip-installed by the fixtures: the seed and a
well-formed plugin pass, the sloppy plugin fails each check for its documented reason.
Each ``layerhub check`` run serves many assertions, so TensorFlow starts few times.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
from support import child_env, last_json, run_layerhub, run_python

from layerhub.checks.config import first_difference, strict_json_problems

#: What each sloppy object breaks, as its plugin documents it: object -> {check: reason}.
SLOPPY = {
    "Sloppy>NumpyScale": {"config_json": "/factor: numpy.float32"},
    "Sloppy>GrowingTags": {
        "config_round_trip": "/tags: ['a', 'default'] became ['a', 'default', 'default']",
        "serialization_round_trip": "/config/tags",
    },
    "Sloppy>Unregistered": {
        "registered_name": "Keras saves this object as 'Unregistered'",
        "serialization_round_trip": "Could not locate class 'Unregistered'",
        "save_load": "MissingObjectsError",
    },
    "Sloppy>SchemaMismatch": {"schema": "/units: '4' is not of type 'integer'"},
    "Sloppy>Forgetful": {"save_load": "predict.0 differs"},
    "Sloppy>ForgetsWidth": {
        "weights": "shapes [[4, 2]], instead of 1 of shapes [[4, 5]]",
        "save_load": "does not load in a fresh process",
    },
    "Sloppy>ForgetfulSGD": {"save_load": "after_step differs"},
    "Sloppy>Missing": {"imports": "no attribute 'NoSuchLayer'"},
    "Sloppy>NoExample": {},
    "Sloppy>Identity": dict.fromkeys(
        [
            "config_json",
            "config_round_trip",
            "serialization_round_trip",
            "layer_call",
            "save_load",
            "weights",
        ],
        "returned Identity, not a pair",
    ),
}
LAYER_CHECKS = {
    "imports",
    "registered_name",
    "config_json",
    "schema",
    "config_round_trip",
    "serialization_round_trip",
    "layer_call",
    "save_load",
    "weights",
}
FUNCTION_CHECKS = {"imports", "registered_name", "schema", "serialization_round_trip", "save_load"}


def check_json(*args: str, site: Path) -> tuple[int, dict, str]:
    proc = run_layerhub("check", "--json", *args, site=site)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def by_object(report: dict) -> dict[str, dict[str, dict]]:
    table: dict[str, dict[str, dict]] = {}
    for result in report["results"]:
        table.setdefault(result["object"], {})[result["check"]] = result
    return table


def of_distribution(report: dict, distribution: str) -> dict:
    return {
        **report,
        "results": [r for r in report["results"] if r["distribution"] == distribution],
    }


# -- pure functions (no keras) ------------------------------------------------------------
def test_strict_json_names_every_offending_value_by_pointer():
    config = {
        "ok": [1, 2.5, "a", None, True, (3, 4)],
        "nan": math.nan,
        "inf": [-math.inf],
        "np64": np.float64(1.0),  # a float subclass json.dumps would let through
        "nested": {"a/b": np.int32(2)},
        "obj": object(),
        1: "non-string key",
    }
    problems = list(strict_json_problems(config))
    pointers = sorted(p.split(":")[0] for p in problems)
    assert pointers == ["/", "/inf/0", "/nan", "/nested/a~1b", "/np64", "/obj"]
    assert list(strict_json_problems({"units": 3, "shape": (2, 3), "act": "relu"})) == []


def test_first_difference_points_at_the_change():
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == "/a/1/b: 2 became 3"
    assert first_difference({"a": 1, "b": 2}, {"a": 1}) == "/b: 2 is lost"
    assert first_difference({"a": 1}, {"a": 1}) is None


# -- cheap CLI behaviour (no keras) -----------------------------------------------------
def test_unusable_arguments_exit_2_with_one_line_and_no_keras(seed_site, plugin_site):
    unknown = run_layerhub("check", "--plugin", "no-such-plugin", site=seed_site)
    assert unknown.returncode == 2
    assert unknown.stderr.strip().count("\n") == 0, unknown.stderr
    assert "'no-such-plugin'" in unknown.stderr and "layerhub-seed" in unknown.stderr
    bogus = run_layerhub("check", "--check", "bogus", site=seed_site)
    assert bogus.returncode == 2 and "unknown check(s) bogus" in bogus.stderr
    nothing = run_layerhub("check", site=plugin_site())
    assert nothing.returncode == 2 and "no layerhub plugin is installed" in nothing.stderr
    code = """
import sys, json
import layerhub.checks, layerhub.checks.pytest_plugin
from layerhub.cli import build_parser
build_parser()
print(json.dumps(sorted(m for m in ("keras", "tensorflow", "jax") if m in sys.modules)))
"""
    assert last_json(run_python(code, site=seed_site).stdout) == []


# -- the seed plugin passes everything ------------------------------------------------------
@pytest.mark.slow
@pytest.mark.backends
def test_seed_and_a_wellformed_plugin_pass_every_check(plugin_site, seed_site):
    """One run over the seed and a well-formed third-party plugin (selected by
    distribution and by entry-point name), with the sloppy one installed alongside."""
    site = plugin_site("layerhub-seed", "layerhub-tidy", "layerhub-sloppy")
    returncode, full, stderr = check_json(
        "--plugin", "layerhub-seed", "--plugin", "tidy", site=site
    )
    assert returncode == 0, full
    assert full["ok"] is True
    assert {r["distribution"] for r in full["results"]} == {"layerhub-seed", "layerhub-tidy"}
    assert f"[1/{len(full['results'])}]" in stderr  # the progress display

    tidy = {
        (r["object"], r["check"]): r["status"]
        for r in full["results"]
        if r["distribution"] == "layerhub-tidy"
    }
    assert {s for (_, c), s in tidy.items() if c != "schema"} == {"passed"}
    assert tidy[("Tidy>RunningCenter", "schema")] == "passed"
    assert tidy[("Tidy>GatedSum", "save_load")] == "passed"  # a two-input layer
    assert tidy[("Tidy>TokenMean", "weights")] == "passed"  # an integer-input layer

    report = of_distribution(full, "layerhub-seed")
    listed = json.loads(run_layerhub("list", "--json", site=seed_site).stdout)
    table = by_object(report)
    assert set(table) == {o["name"] for o in listed["objects"]}
    for name, checks in table.items():
        for check, result in checks.items():
            if (
                check == "schema"
                and not next(o for o in listed["objects"] if o["name"] == name)["has_schema"]
            ):
                assert result["status"] == "skipped"
            else:
                assert result["status"] == "passed", result
    # Which checks run follows from each object's kind.
    kinds = {name: next(iter(checks.values()))["kind"] for name, checks in table.items()}
    assert kinds["MyLayers>KernelMult"] == "layer"
    assert kinds["LayerhubSeed>SubclassedModel"] == "model"
    assert kinds["my_package>custom_fn"] == "function"
    expected_kinds = {"loss", "metric", "regularizer", "initializer", "constraint"}
    assert expected_kinds | {"schedule", "optimizer"} <= set(kinds.values())
    for name, kind in kinds.items():
        if kind in ("layer", "model"):
            assert set(table[name]) == LAYER_CHECKS
        elif kind == "function":
            assert set(table[name]) == FUNCTION_CHECKS
        else:
            assert set(table[name]) == LAYER_CHECKS - {"layer_call", "weights"}


# -- the sloppy plugin fails each check for its documented reason ---------------------------
@pytest.mark.slow
def test_sloppy_plugin_fails_each_check_for_its_documented_reason(plugin_site):
    returncode, report, _ = check_json(site=plugin_site("layerhub-sloppy"))
    assert returncode == 1
    assert report["ok"] is False
    table = by_object(report)
    assert set(table) == set(SLOPPY)
    for name, expected in SLOPPY.items():
        failed = {c: r["message"] for c, r in table[name].items() if r["status"] == "failed"}
        assert set(failed) == set(expected), (name, failed)
        for check, reason in expected.items():
            assert reason in failed[check], (name, check, failed[check])
            assert "Fix:" in failed[check]
    skipped = {c: r["message"] for c, r in table["Sloppy>NoExample"].items()}
    assert "needs arguments (units)" in skipped["layer_call"]
    assert set(table["Sloppy>Missing"]) == {"imports"}


@pytest.mark.slow
def test_table_progress_and_strict_mode(plugin_site):
    proc = run_layerhub(
        "check",
        "--strict",
        "--check",
        "registered_name",
        "--check",
        "layer_call",
        site=plugin_site("layerhub-sloppy"),
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["object", "check", "result", "message"]
    rows = {tuple(line.split()[:3]) for line in lines[2:] if line.startswith("Sloppy>")}
    assert ("Sloppy>Unregistered", "registered_name", "FAILED") in rows
    assert ("Sloppy>NoExample", "layer_call", "FAILED") in rows  # strict: no example fails
    assert ("Sloppy>Forgetful", "layer_call", "PASSED") in rows
    assert "strict mode requires an example" in proc.stdout
    assert "[1/" in proc.stderr and "check(s) in" in proc.stderr


# -- the pytest plugin --------------------------------------------------------------------
AUTHOR_TESTS = """
from layerhub.checks import parametrize_with_checks


@parametrize_with_checks(
    "layerhub-sloppy",
    expected_failures={
        "Sloppy>GrowingTags": {"config_round_trip": "tags grow until 2.0"},
        "Sloppy>Forgetful": {"save_load": "factor lost", "layer_call": "wrongly expected"},
    },
)
def test_layerhub(layerhub_case):
    layerhub_case()
"""
TYPO_TESTS = """
from layerhub.checks import parametrize_with_checks


@parametrize_with_checks(
    "layerhub-sloppy", expected_failures={"Sloppy>Forgetful": {"saveload": "x"}}
)
def test_typo(layerhub_case):
    layerhub_case()
"""


OUTCOME = r"::test_\w+\[(.+?)\] (PASSED|FAILED|SKIPPED|XFAIL|XPASS)"


def pytest_outcomes(tmp_path: Path, site: Path, *args: str) -> tuple[int, dict[str, str], str]:
    """Run pytest in a fresh process over a plugin author's test file; id -> outcome."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-v", *args],
        cwd=tmp_path,
        env=child_env(site),
        capture_output=True,
        text=True,
        timeout=600,
    )
    outcomes = dict(
        re.findall(r"::test_\w+\[(.+?)\] (PASSED|FAILED|SKIPPED|XFAIL|XPASS)", proc.stdout)
    )
    return proc.returncode, outcomes, proc.stdout


@pytest.mark.slow
def test_pytest_plugin_expected_failures_and_strict_mode(tmp_path, plugin_site):
    site = plugin_site("layerhub-sloppy")
    (tmp_path / "test_conformance.py").write_text(textwrap.dedent(AUTHOR_TESTS))
    (tmp_path / "test_typo.py").write_text(textwrap.dedent(TYPO_TESTS))

    code, outcomes, out = pytest_outcomes(
        tmp_path, site, "test_conformance.py", "test_typo.py", "--continue-on-collection-errors"
    )
    assert code == 1
    assert outcomes["Sloppy>GrowingTags:config_round_trip"] == "XFAIL"
    assert outcomes["Sloppy>Forgetful:save_load"] == "XFAIL"
    assert outcomes["Sloppy>Forgetful:layer_call"] == "XPASS"
    assert outcomes["Sloppy>GrowingTags:serialization_round_trip"] == "FAILED"
    assert outcomes["Sloppy>SchemaMismatch:schema"] == "FAILED"
    assert outcomes["Sloppy>NoExample:layer_call"] == "SKIPPED"
    assert outcomes["Sloppy>Forgetful:config_round_trip"] == "PASSED"
    assert "tags grow until 2.0" in out
    assert "ERROR test_typo.py" in out and "unknown check(s) saveload" in out

    code, strict, out = pytest_outcomes(tmp_path, site, "test_conformance.py", "--layerhub-strict")
    assert code == 1
    assert strict["Sloppy>Forgetful:layer_call"] == "FAILED"  # XPASS(strict)
    assert strict["Sloppy>NoExample:layer_call"] == "FAILED"
    assert strict["Sloppy>GrowingTags:config_round_trip"] == "XFAIL"
    unchanged = {k: v for k, v in outcomes.items() if not k.startswith(("Sloppy>NoExample",))}
    assert {k: strict[k] for k in unchanged if k != "Sloppy>Forgetful:layer_call"} == {
        k: v for k, v in unchanged.items() if k != "Sloppy>Forgetful:layer_call"
    }
