"""``layerhub show NAME``: provider, target, kind, schema and docstring of one name."""

from __future__ import annotations

import json

import pytest
from support import ROOT, last_json, run_layerhub, run_python

SEED_SCHEMAS = ROOT / "plugins" / "layerhub-seed" / "src" / "layerhub_seed" / "schemas"


# The seed declares its objects statically: kind and docstring are read from its source.
SHOW = """
import contextlib, io, json, sys
from layerhub.cli import main
outputs = []
for args in (["show", "MyLayers>KernelMult", "--json"], ["show", "LayerhubSeed>WarmupSchedule"]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(args) == 0
    outputs.append(out.getvalue())
imported = sorted(m for m in sys.modules if m.split(".")[0] in ("keras", "layerhub_seed"))
print(json.dumps({"outputs": outputs, "imported": imported}))
"""


def test_show_a_static_plugin_object_without_importing_it(seed_site):
    result = last_json(run_python(SHOW, site=seed_site).stdout)
    assert result["imported"] == []
    as_json, text = result["outputs"]
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


# What the import says of every seed object, against what its source says.
AGREE = """
import json
from layerhub.plugins.describe import kind_of, summary_of
from layerhub.plugins.discovery import get_registry
from layerhub.plugins.source_reading import read_description
rows = []
for entry in get_registry():
    obj = entry.load()
    rows.append([entry.name, read_description(entry.target_path), [kind_of(obj), summary_of(obj)]])
print(json.dumps(rows))
"""


@pytest.mark.slow
def test_the_source_reading_agrees_with_the_import_for_every_seed_object(seed_site):
    rows = last_json(run_python(AGREE, site=seed_site).stdout)
    assert len(rows) == 15
    for name, read, imported in rows:
        assert read == imported, name


def test_show_an_unknown_name_says_what_to_install():
    curated = run_layerhub("show", "keras_rs>FeatureCross")
    assert curated.returncode == 1
    assert curated.stdout.strip() == (
        "'keras_rs>FeatureCross' is not provided by anything installed; "
        "pip install 'keras-rs' provides it"
    )
    unknown = json.loads(run_layerhub("show", "Nobody>Knows", "--json").stdout)
    assert unknown == {"name": "Nobody>Knows", "installed": False, "requirement": None}
