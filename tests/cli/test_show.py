"""``layerhub show NAME``: provider, target, kind, schema and docstring of one name."""

from __future__ import annotations

import json

import pytest
from support import ROOT, last_json, run_layerhub, run_python

SEED_SCHEMAS = ROOT / "plugins" / "layerhub-seed" / "src" / "layerhub_seed" / "schemas"


# Both forms in one process: a plugin object's kind and docstring need its import (keras).
SHOW = """
import contextlib, io, json
from layerhub.cli import main
outputs = []
for args in (["show", "MyLayers>KernelMult", "--json"], ["show", "LayerhubSeed>WarmupSchedule"]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(args) == 0
    outputs.append(out.getvalue())
print(json.dumps(outputs))
"""


@pytest.mark.slow
def test_show_a_plugin_object(seed_site):
    as_json, text = last_json(run_python(SHOW, site=seed_site).stdout)
    shown = json.loads(as_json)
    assert shown["distribution"] == "layerhub-seed" and shown["version"] == "1.0.0"
    assert shown["source"] == "entry-point" and shown["installed"] is True
    assert shown["target"] == "layerhub_seed.objects:MyDense"
    assert shown["kind"] == "layer"
    assert shown["summary"] == (
        "A bias-free dense layer; ``nested_model`` is an optional layer applied first."
    )
    assert shown["schema"] == json.loads(
        (SEED_SCHEMAS / "mylayers_kernelmult.schema.json").read_text()
    )
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
