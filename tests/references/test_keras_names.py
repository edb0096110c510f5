"""The shipped list of Keras built-in names matches the installed Keras."""

from __future__ import annotations

import json

import pytest
from support import ROOT, run_python

from layerhub.references.keras_names import builtin_names, keras_libraries


@pytest.mark.slow
def test_builtin_names_match_installed_keras():
    code = f"""
import json, sys
sys.path.insert(0, {str(ROOT / "scripts")!r})
from update_keras_builtins import collect
print(json.dumps(collect()["names"]))
"""
    installed = set(json.loads(run_python(code).stdout.strip().splitlines()[-1]))
    shipped = builtin_names()
    assert shipped == installed, (
        "src/layerhub/data/keras_builtins.json is stale: run scripts/update_keras_builtins.py "
        f"(missing {sorted(installed - shipped)[:10]}, extra {sorted(shipped - installed)[:10]})"
    )


@pytest.mark.slow
def test_keras_libraries_match_what_installed_keras_imports_by_itself():
    """The shipped list is what Keras's source tests, and Keras really behaves so: for a
    module under one of these packages it tries the import; for any other it does not."""
    code = f"""
import json, sys
sys.path.insert(0, {str(ROOT / "scripts")!r})
from update_keras_builtins import libraries
import keras

def attempt(package):
    config = {{"module": package + ".layerhub_probe", "class_name": "Probe", "config": {{}}}}
    try:
        keras.saving.deserialize_keras_object(config)
    except Exception as exc:
        return "cannot be imported" in str(exc)
    return True

print(json.dumps({{
    "source": libraries(),
    "imports": sorted(p for p in [*libraries(), "keras_hubx", "tcn", "kimm"] if attempt(p)),
}}))
"""
    found = json.loads(run_python(code).stdout.strip().splitlines()[-1])
    assert set(found["source"]) == keras_libraries() | {"keras"}
    assert found["imports"] == sorted(found["source"])
