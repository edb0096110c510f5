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


@pytest.mark.slow
def test_function_lists_match_installed_keras():
    """The allow-list of pure functions, the hazards and the classes are regenerated
    from the installed Keras and compared with the shipped file."""
    code = f"""
import json, sys
sys.path.insert(0, {str(ROOT / "scripts")!r})
from update_keras_functions import collect
print(json.dumps(collect()))
"""
    installed = json.loads(run_python(code).stdout.strip().splitlines()[-1])
    shipped = json.loads((ROOT / "src/layerhub/data/keras_functions.json").read_text())
    assert shipped == installed, (
        "src/layerhub/data/keras_functions.json is stale: run scripts/update_keras_functions.py"
    )


@pytest.mark.parametrize(
    ("module", "name", "code"),
    [
        ("builtins", "relu", None),
        ("keras.activations", "gelu", None),
        ("keras.ops", "matmul", None),
        ("builtins", "mean_squared_error", None),
        ("keras.layers", "TFSMLayer", "non-modeling-api"),
        ("keras.src.export.tfsm_layer", "TFSMLayer", "non-modeling-api"),
        ("keras.config", "set_floatx", "non-modeling-api"),
        ("keras.datasets.mnist", "load_data", "non-modeling-api"),
        ("keras.utils", "get_file", "non-modeling-api"),
        ("keras.layers", "Dense", "class-as-function"),
        ("builtins", "Adam", "class-as-function"),
        ("keras.src.layers.core.dense", "Dense", "class-as-function"),
        ("keras_hub.src.models.backbone", "Backbone", "class-as-function"),
        ("keras.ops", "cond", "function-not-allowed"),
        ("keras.random", "normal", "function-not-allowed"),
        ("builtins", "get", "function-not-allowed"),
        ("builtins", "no_such_function", None),
        ("my_plugin.activations", "swish2", None),
        ("keras.layers", "Acme>TFSMLayer", None),
    ],
)
def test_a_function_reference_is_judged_by_what_keras_would_resolve(module, name, code):
    from layerhub.references.keras_names import judge_function

    verdict = judge_function(module, name)
    assert (verdict.code if verdict else None) == code
