"""The second hostile corpus (``tests/hostile_gadgets.py``), judged file by file.

- ``layerhub scan`` flags every file, without importing keras;
- ``layerhub.load_model`` refuses every file with :class:`~layerhub.UnsafeArchiveError`
  before keras is even imported;
- with keras imported first, loading the corpus runs nothing (a canary file stays
  absent), fetches nothing (a counting stub at the network boundary of
  ``keras.utils.get_file``) and changes nothing (``keras.config`` before and after),
  and each instrument is shown to catch what it watches for;
- across both hostile corpora and the benign models, ``load_model(safe_mode=True)``
  refuses exactly the files ``scan`` rates high or critical.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import hostile_gadgets
import pytest
from fixtures import KERAS, committed
from hostile_corpus import CANARY_VAR, case_rows, cases_from_rows
from support import last_json, run_layerhub, run_python, shared_build

pytestmark = pytest.mark.slow


def build_gadgets(directory: Path, seed_models: Path) -> dict[str, Any]:
    canary = directory / "canary"
    real = KERAS / "gadgets"
    files = hostile_gadgets.build(seed_models, real, directory / "corpus", str(canary))
    return {
        "files": case_rows(files),
        "canary": str(canary),
    }


@pytest.fixture(scope="session")
def gadgets(tmp_path_factory: pytest.TempPathFactory, seed_models: Path) -> dict[str, Any]:
    built = shared_build(tmp_path_factory, "gadgets", lambda d: build_gadgets(d, seed_models))
    built["cases"] = cases_from_rows(built["files"])
    return built


SCAN = """
import json, sys
from layerhub.safety.scan import scan_file
reports = {path: scan_file(path).to_json() for path in sys.argv[1:]}
print(json.dumps({
    "reports": reports,
    "imported": sorted(m for m in ("keras", "tensorflow", "h5py") if m in sys.modules),
}))
"""


def test_scan_flags_every_gadget_without_importing_keras(gadgets, seed_site):
    files = gadgets["cases"]
    result = last_json(run_python(SCAN, *map(str, files), site=seed_site).stdout)
    assert "keras" not in result["imported"] and "tensorflow" not in result["imported"]
    missing = {}
    for path, case in files.items():
        report = result["reports"][str(path)]
        codes = {f["code"] for f in report["findings"]}
        if not case.codes <= codes or report["worst"] not in ("high", "critical"):
            missing[case.name] = report
    assert missing == {}
    nested = result["reports"][
        str(next(p for p in files if p.name == "gadget_in_plugin_config.keras"))
    ]
    gadget = [f for f in nested["findings"] if f["code"] == "non-modeling-api"]
    assert gadget[0]["location"] == "/config/layers/4/config/sublayer/config/function"
    assert "keras.layers.TFSMLayer" in gadget[0]["message"]


REFUSE_WITHOUT_KERAS = """
import json, sys, layerhub
results = {}
for path in sys.argv[1:]:
    try:
        layerhub.load_model(path)
        results[path] = None
    except layerhub.LayerhubError as exc:
        results[path] = [type(exc).__name__, [f.code for f in exc.findings]]
print(json.dumps({"results": results, "keras": "keras" in sys.modules}))
"""


def test_load_refuses_every_gadget_before_keras_is_imported(gadgets, seed_site):
    files = gadgets["cases"]
    result = last_json(run_python(REFUSE_WITHOUT_KERAS, *map(str, files), site=seed_site).stdout)
    assert result["keras"] is False
    wrong = {
        case.name: result["results"][str(path)]
        for path, case in files.items()
        if result["results"][str(path)] is None
        or result["results"][str(path)][0] != case.error
        or not case.codes & set(result["results"][str(path)][1])
    }
    assert wrong == {}


WATCHED = """
import json, os, sys, urllib.request
import keras
import numpy as np
from keras.src.utils import file_utils

fetches = []

def counting_urlretrieve(url, *args, **kwargs):  # the network boundary of get_file
    fetches.append(url)
    raise OSError("the test blocks the network")

urllib.request.urlretrieve = file_utils.urlretrieve = counting_urlretrieve

def settings():
    c = keras.config
    return {"floatx": c.floatx(), "epsilon": c.epsilon(), "backend": c.backend(),
            "image_data_format": c.image_data_format(), "max_epochs": repr(c.max_epochs()),
            "max_steps_per_epoch": repr(c.max_steps_per_epoch()),
            "dtype_policy": c.dtype_policy().name,
            "unsafe": bool(keras.src.saving.serialization_lib.in_safe_mode() is False)}

import layerhub
before = settings()
canary = os.environ["HOSTILE_CANARY"]
refused = {}
for path in json.loads(sys.argv[1]):
    try:
        layerhub.load_model(path)
        refused[path] = False
    except layerhub.UnsafeArchiveError:
        refused[path] = True
after = settings()
report = {"refused": refused, "fetches": len(fetches), "changed": before != after,
          "ran": os.path.exists(canary)}

# Each instrument catches what it watches for.
try:
    keras.datasets.mnist.load_data(path="layerhub-test-mnist.npz")  # under KERAS_HOME
except Exception:
    pass
report["stub_counts"] = len(fetches)
keras.config.set_max_epochs(3)
report["settings_differ"] = settings() != before
keras.config.set_max_epochs(None)
with np.load(sys.argv[2], allow_pickle=True) as weights:
    weights["evil"]  # what a careless reader does with the npz: the pickle runs
report["canary_works"] = os.path.exists(canary)
print(json.dumps(report))
"""


def test_loading_gadgets_runs_fetches_and_changes_nothing(gadgets, seed_site, tmp_path):
    files = gadgets["cases"]
    npz = next(p for p in files if p.name == "npz_pickle.keras")
    import zipfile

    weights = tmp_path / "model.weights.npz"
    weights.write_bytes(zipfile.ZipFile(npz).read("model.weights.npz"))
    args = (json.dumps([str(p) for p in files]), str(weights))
    # The npz payload touches the canary its builder was given; point both at one file.
    env = {CANARY_VAR: gadgets["canary"], "KERAS_HOME": str(tmp_path / "keras-home")}
    if os.path.exists(gadgets["canary"]):
        os.remove(gadgets["canary"])
    result = last_json(run_python(WATCHED, *args, site=seed_site, env=env).stdout)
    assert all(result["refused"].values()), result["refused"]
    assert result["ran"] is False
    assert result["fetches"] == 0
    assert result["changed"] is False
    assert result["stub_counts"] == 1
    assert result["settings_differ"] is True
    assert result["canary_works"] is True


@pytest.fixture(scope="session")
def benign(tmp_path_factory, seed_models):
    """One small model per Keras layer family (committed), and the seed plugin's model."""
    directory = committed("benign", tmp_path_factory)
    files = sorted(str(p) for p in directory.iterdir())
    return {"files": [*files, str(seed_models / "seed.keras"), str(seed_models / "seed.h5")]}


BENIGN_LOAD = """
import json, sys, layerhub
from layerhub.archive.limits import Limits
from layerhub.archive.reader import read_archive
from layerhub.plugins.discovery import get_registry
from layerhub.references.walk import walk
from layerhub.safety.budget import declared_weights
from layerhub.safety.scan import scan_file
out = {}
for path in sys.argv[1:]:
    findings = [f.describe() for f in scan_file(path).findings if f.severity > 1]
    model = layerhub.load_model(path)
    archive = read_archive(path)
    declared = declared_weights(archive, list(walk(archive.config)), get_registry(), Limits())
    actual = sum(int(v.numpy().size) for v in model.weights) if model.built else None
    out[path] = [findings, declared.weights, actual]
print(json.dumps(out))
"""


def test_benign_models_of_every_family_load_without_findings_above_low(benign, seed_site):
    result = last_json(run_python(BENIGN_LOAD, *benign["files"], site=seed_site).stdout)
    assert {Path(p).name: f for p, (f, _, _) in result.items() if f} == {}
    assert len(result) == len(benign["files"]) >= 18
    # The estimates are lower bounds of what Keras builds, exact for most families.
    counts = {Path(p).name: (declared, actual) for p, (_, declared, actual) in result.items()}
    assert all(d <= a for d, a in counts.values() if a is not None), counts
    exact = {n for n, (d, a) in counts.items() if d == a}
    assert {
        "dense.keras",
        "conv1d.keras",
        "conv2d.keras",
        "conv3d.keras",
        "recurrent.keras",
        "conv_lstm.keras",
        "embedding.keras",
        "normalization.keras",
    } <= exact, counts


def test_scan_discovers_plugins_only_for_a_file_that_names_one(benign, plugin_site, tmp_path):
    """A file of built-ins is judged without the installed plugins: the scan runs no
    discovery (no record written, the broken plugin never imported, so no warning about
    it). A file that names a plugin object discovers them, and reports it clean."""
    site = plugin_site("layerhub-seed", "broken-import")
    cache = tmp_path / "cache"
    env = {"LAYERHUB_CACHE_DIR": str(cache)}
    builtins_only = [f for f in benign["files"] if Path(f).name in ("dense.keras", "legacy.h5")]
    scanned = run_layerhub("scan", "--json", *builtins_only, site=site, env=env)
    assert scanned.returncode == 0, scanned.stderr
    assert "broken" not in scanned.stderr
    assert not cache.exists() or not any(cache.iterdir()), "a built-in file ran discovery"
    seed = next(f for f in benign["files"] if Path(f).name == "seed.keras")
    scanned = run_layerhub("scan", "--json", seed, site=site, env=env)
    assert scanned.returncode == 0, scanned.stderr
    assert "broken" in scanned.stderr  # discovery ran, and said so about the broken plugin
    assert json.loads(scanned.stdout)["files"][0]["findings"] == []
    assert any(cache.iterdir())


#: A load that gets past layerhub's checks stops where it would hand the file to Keras
#: (the benign test above shows that those loads then succeed), so no bomb is built.
CONSISTENCY = """
import json, sys

import layerhub
from layerhub.kerasio import fastload


class ReachedKeras(BaseException):  # past layerhub's own "except Exception"
    pass


def stop(*args, **kwargs):  # a load that gets past layerhub's checks stops here
    raise ReachedKeras


fastload.fast_load_model = stop
from layerhub.safety.scan import scan_file
out = {}
for path in json.loads(sys.argv[1]):
    worst = scan_file(path).worst
    try:
        layerhub.load_model(path, safe_mode=True)
        verdict = "loaded"
    except (layerhub.UnsafeArchiveError, layerhub.CorruptArchiveError) as exc:
        verdict = "refused"
    except layerhub.LayerhubError as exc:
        verdict = type(exc).__name__
    except ReachedKeras:
        verdict = "reached keras"
    out[path] = [str(worst) if worst is not None else None, verdict]
print(json.dumps(out))
"""


def test_load_refuses_exactly_what_scan_rates_high(corpus, gadgets, benign, seed_site):
    """scan high or critical <=> load_model(safe_mode=True) refuses the file (as unsafe,
    or as not a readable archive), across both hostile corpora and the benign models."""
    paths = [*map(str, corpus["cases"]), *map(str, gadgets["cases"]), *benign["files"]]
    env = {CANARY_VAR: str(Path(corpus["canaries"]) / "canary-consistency")}
    inherited = os.environ.get("PYTHONPATH", "")  # the layerhub under test
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(seed_site), corpus["payload"], inherited) if p
    )
    result = last_json(run_python(CONSISTENCY, json.dumps(paths), env=env).stdout)
    inconsistent = {
        Path(path).name: verdicts
        for path, verdicts in result.items()
        if (verdicts[0] in ("high", "critical")) != (verdicts[1] == "refused")
    }
    assert inconsistent == {}
    assert sum(v[1] == "refused" for v in result.values()) > 60  # the rule has cases
    assert "loaded" not in {v[1] for v in result.values()}
    benign_verdicts = {result[p][1] for p in benign["files"]}
    assert benign_verdicts == {"reached keras"}
