"""``layerhub show NAME``: provider, target, kind, schema and docstring of one name."""

from __future__ import annotations

import json

import pytest
from support import ROOT, run_layerhub

SEED_SCHEMAS = ROOT / "plugins" / "layerhub-seed" / "src" / "layerhub_seed" / "schemas"


@pytest.mark.slow  # a plugin object's kind and docstring need its import, and so keras
def test_show_a_plugin_object(seed_site):
    proc = run_layerhub("show", "MyLayers>KernelMult", "--json", site=seed_site)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["distribution"] == "layerhub-seed" and shown["version"] == "1.0.0"
    assert shown["source"] == "entry-point" and shown["installed"] is True
    assert shown["target"] == "layerhub_seed.objects:MyDense"
    assert shown["kind"] == "layer"
    assert shown["summary"] == (
        "A bias-free dense layer; ``nested_model`` is an optional layer applied first."
    )
    assert shown["schema"] == json.loads((SEED_SCHEMAS / "kernel_mult.json").read_text())
    text = run_layerhub("show", "LayerhubSeed>WarmupSchedule", site=seed_site).stdout
    assert "kind           schedule" in text


def test_show_an_unknown_name_says_what_to_install():
    curated = run_layerhub("show", "keras_rs>FeatureCross")
    assert curated.returncode == 1
    assert curated.stdout.strip() == (
        "'keras_rs>FeatureCross' is not provided by anything installed; "
        "pip install 'keras-rs' provides it"
    )
    unknown = json.loads(run_layerhub("show", "Nobody>Knows", "--json").stdout)
    assert unknown == {"name": "Nobody>Knows", "installed": False, "requirement": None}
