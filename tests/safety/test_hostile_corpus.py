"""The hostile corpus, judged file by file: ``layerhub scan`` flags every file without
importing keras, ``layerhub.load_model`` refuses every file with the expected
``LayerhubError``, and no code from any file runs (a canary file stays absent)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hostile_corpus import CANARY_VAR
from support import last_json, run_layerhub, run_python, shared_build

pytestmark = pytest.mark.slow


def child_env(seed_site: Path, corpus: dict[str, Any], canary: str) -> dict[str, str]:
    """Each child its own canary: the opt-out check touches one on purpose."""
    return {
        CANARY_VAR: str(Path(corpus["canaries"]) / canary),
        # the layerhub under test stays importable (support.child_env keeps it otherwise)
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(seed_site), corpus["payload"], os.environ.get("PYTHONPATH")) if p
        ),
    }


SCAN = """
import contextlib, io, json, os, sys
from layerhub.cli import main

out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["scan", "--json", *sys.argv[1:]])
report = json.loads(out.getvalue())
report["exit"] = code
report["imported"] = sorted(
    m for m in ("keras", "tensorflow", "jax", "torch", "hostile_payload", "layerhub_seed.objects")
    if m in sys.modules
)
report["canary"] = os.path.exists(os.environ["HOSTILE_CANARY"])
print(json.dumps(report))
"""


def test_scan_flags_every_file_without_importing_keras(corpus, seed_site):
    files = corpus["cases"]
    env = child_env(seed_site, corpus, "canary-scan")
    result = last_json(run_python(SCAN, *map(str, files), env=env).stdout)
    assert result["imported"] == []
    assert result["canary"] is False
    assert result["exit"] == 1
    by_path = {Path(f["path"]): f for f in result["files"]}
    unflagged = []
    for path, case in files.items():
        codes = {f["code"] for f in by_path[path]["findings"]}
        assert case.codes <= codes, f"{case.name}: expected {sorted(case.codes)}, got {codes}"
        if case.codes and str(path) not in result["failed"]:
            unflagged.append(case.name)
        for finding in by_path[path]["findings"]:
            assert finding["message"] and "\n" not in finding["message"]
    assert unflagged == []
    # The one file scan cannot flag is a built-in layer with a bad config (schema work).
    assert [c.name for c in files.values() if not c.codes] == ["bad_layer_config.keras"]


def test_scan_points_at_the_config_path_of_nested_hazards(corpus, seed_site):
    files = corpus["cases"]
    env = child_env(seed_site, corpus, "canary-scan-nested")
    wanted = {
        "lambda_nested_model.keras": "lambda",
        "lambda_activation.keras": "lambda",
        "lambda_deep_in_optimizer.keras": "lambda",
        "non_modeling_enable_unsafe.keras": "non-modeling-api",
        "string_lookup_path.keras": "file-access",
    }
    paths = [p for p, c in files.items() if c.name in wanted]
    result = last_json(run_python(SCAN, *map(str, paths), env=env).stdout)
    locations = {
        Path(f["path"]).name: [
            x["location"] for x in f["findings"] if x["code"] == wanted[Path(f["path"]).name]
        ]
        for f in result["files"]
    }
    # the Lambda inside the nested Sequential, not just a top-level layer
    assert any(
        loc.startswith("/config/layers/1/config/layers/")
        for loc in locations["lambda_nested_model.keras"]
    )
    assert locations["lambda_activation.keras"] == ["/config/layers/1/config/activation/value/0"]
    assert locations["lambda_deep_in_optimizer.keras"] == [
        "/compile_config/optimizer/config/learning_rate"
    ]
    assert locations["non_modeling_enable_unsafe.keras"][0].endswith("/config/activation")
    assert locations["string_lookup_path.keras"][0].endswith("/config/vocabulary")


LOAD = """
import json, os, sys
import numpy as np
import layerhub

files = json.loads(sys.argv[1])
seed_dir = sys.argv[2]
results = {}
for path in files:
    try:
        layerhub.load_model(path)
        results[path] = {"error": None}
    except layerhub.LayerhubError as exc:
        results[path] = {"error": type(exc).__name__, "message": str(exc),
                         "value_error": isinstance(exc, ValueError),
                         "findings": [f.code for f in getattr(exc, "findings", ())]}
    except BaseException as exc:
        results[path] = {"error": "LEAKED " + type(exc).__name__, "message": str(exc)}

# Positive control: the genuine seed model still loads under the same policy.
x = np.load(seed_dir + "/x.npy")
model = layerhub.load_model(seed_dir + "/seed.keras")
np.testing.assert_array_equal(model.predict(x, verbose=0), np.load(seed_dir + "/expected.npy"))

# 8 threads at once, hostile and genuine files mixed: the same verdict for every file.
from concurrent.futures import ThreadPoolExecutor

def verdict(path):
    try:
        layerhub.load_model(path)
        return None
    except layerhub.LayerhubError as exc:
        return type(exc).__name__

mixed = files + [seed_dir + "/seed.keras"] * 8
with ThreadPoolExecutor(8) as pool:
    threaded = dict(zip(mixed, pool.map(verdict, mixed)))
threads_agree = all(threaded[p] == results[p]["error"] for p in files)
threads_agree = threads_agree and threaded[seed_dir + "/seed.keras"] is None

canary = os.environ["HOSTILE_CANARY"]
imported = sorted(m for m in ("hostile_payload", "torch") if m in sys.modules)
ran = os.path.exists(canary)

# The canary works: the explicit opt-out runs the Lambda, which touches it.
opted = layerhub.load_model(sys.argv[3], safe_mode=False)
opted.predict(x, verbose=0)

from keras.src.saving import serialization_lib
print(json.dumps({
    "results": results, "ran": ran, "imported": imported, "threads_agree": threads_agree,
    "opt_out_ran": os.path.exists(canary),
    "non_modeling_apis": sorted(serialization_lib.NON_MODELING_APIS),
}))
"""


@pytest.fixture(scope="session")
def loaded(tmp_path_factory, corpus, seed_site, seed_models):
    files = corpus["cases"]
    lambda_file = next(p for p, c in files.items() if c.name == "lambda_layer.keras")
    args = (json.dumps([str(p) for p in files]), str(seed_models), str(lambda_file))
    env = child_env(seed_site, corpus, "canary-load")
    return shared_build(
        tmp_path_factory, "loaded", lambda _: last_json(run_python(LOAD, *args, env=env).stdout)
    )


def test_load_refuses_every_file_with_a_layerhub_error(corpus, loaded):
    files = corpus["cases"]
    wrong = {
        case.name: loaded["results"][str(path)]
        for path, case in files.items()
        if loaded["results"][str(path)]["error"] != case.error
    }
    assert wrong == {}
    for path, case in files.items():
        result = loaded["results"][str(path)]
        assert "\n" not in result["message"]
        if case.error == "UnsafeArchiveError":
            assert result["value_error"]
            assert case.codes & set(result["findings"]), case.name  # refused for its hazard


def test_eight_threads_reach_the_same_verdicts(loaded):
    assert loaded["threads_agree"] is True


def test_no_code_from_any_file_runs(loaded):
    assert loaded["ran"] is False
    assert loaded["imported"] == []
    assert loaded["opt_out_ran"] is True  # proves the canary would have caught it


def test_shipped_non_modeling_list_matches_installed_keras(loaded):
    from layerhub.references.keras_names import non_modeling_apis

    assert sorted(non_modeling_apis()) == loaded["non_modeling_apis"]


def test_scan_cli_exit_codes(corpus, seed_models, seed_site):
    files = corpus["cases"]
    by_name = {c.name: p for p, c in files.items()}
    clean = run_layerhub("scan", str(seed_models / "seed.keras"), site=seed_site)
    assert clean.returncode == 0, clean.stderr
    assert "clean" in clean.stdout
    hostile = run_layerhub("scan", str(by_name["lambda_layer.keras"]), site=seed_site)
    assert hostile.returncode == 1
    assert "[critical] lambda at /config/layers/1" in hostile.stdout
    medium_only = str(by_name["unknown_name.keras"])
    assert run_layerhub("scan", medium_only, site=seed_site).returncode == 1
    relaxed = run_layerhub("scan", "--fail-on", "high", medium_only, site=seed_site)
    assert relaxed.returncode == 0
    missing = run_layerhub("scan", str(seed_models / "nope.keras"), site=seed_site)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad_option = run_layerhub("scan", "--fail-on", "dire", medium_only, site=seed_site)
    assert bad_option.returncode == 2
