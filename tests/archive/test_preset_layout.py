"""The preset layout layerhub ships (``data/keras_hub_preset.json``) is KerasHub's, and a
preset real keras-hub saved scans clean when keras-hub is installed (slow: pip installs
keras-hub into a site directory)."""

from __future__ import annotations

import json

import pytest
from presets import BENIGN
from support import ROOT, last_json, run_layerhub, run_python

from layerhub import data

pytestmark = pytest.mark.slow


def test_the_shipped_preset_layout_is_what_keras_hub_defines(keras_hub_site):
    code = f"""
import json, sys
sys.path.insert(0, {str(ROOT / "scripts")!r})
from update_keras_hub_preset import collect
print(json.dumps(collect({str(keras_hub_site)!r})))
"""
    generated = last_json(run_python(code).stdout)
    shipped = json.loads(data.read("data/keras_hub_preset.json"))
    assert shipped == generated, (
        "src/layerhub/data/keras_hub_preset.json is stale: run "
        "scripts/update_keras_hub_preset.py SITE"
    )
    assert generated["keras_hub_version"] == "0.32.0"


def test_the_benign_task_preset_scans_clean_with_keras_hub_installed(keras_hub_site):
    proc = run_layerhub("scan", "--json", str(BENIGN), site=keras_hub_site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (report,) = json.loads(proc.stdout)["files"]
    assert (report["format"], report["findings"]) == ("preset", [])
