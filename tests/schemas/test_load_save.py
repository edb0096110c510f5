"""Validation inside ``layerhub.load_model`` and ``layerhub.save_model``, end to end.

Each test runs one fresh interpreter (TensorFlow costs seconds to import) that does
every load or save of its scenario and prints what happened as JSON.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from schema_archives import edit_archive, layer_index, read_config
from support import last_json, run_python

pytestmark = pytest.mark.slow

LOAD = """
import json, sys
import numpy as np
import layerhub

paths = dict(arg.split("=", 1) for arg in sys.argv[1:])
out = {}

def attempt(key, path, **kwargs):
    try:
        model = layerhub.load_model(path, **kwargs)
    except layerhub.SchemaViolationError as error:
        out[key] = {
            "raised": [c.__name__ for c in type(error).__mro__],
            "violations": [v.as_dict() for v in error.violations],
            "message": str(error),
        }
        return None
    except Exception as error:  # what Keras itself makes of the file
        out[key] = {"raised": [type(error).__name__]}
        return None
    out[key] = {"loaded": True}
    return model

def predicts(model, x, expected):
    return bool(np.allclose(model.predict(np.load(x), verbose=0), np.load(expected)))

attempt("broken", paths["broken"])
attempt("broken_unvalidated", paths["broken"], validate=False)
attempt("lenient", paths["lenient"])
model = attempt("lenient_unvalidated", paths["lenient"], validate=False)
out["lenient_unvalidated"]["predicts"] = predicts(model, paths["x"], paths["expected"])
from layerhub_seed.objects import ScaledL2
attempt("lenient_user_object", paths["lenient"], custom_objects={"LayerhubSeed>ScaledL2": ScaledL2})
attempt("nested_broken", paths["nested_broken"])
model = attempt("nested", paths["nested"])
out["nested"]["predicts"] = predicts(model, paths["nested_x"], paths["nested_expected"])
print(json.dumps(out))
"""


def found(result: dict[str, Any]) -> list[tuple]:
    return sorted((v["name"], v["pointer"], v["path"], v["keyword"]) for v in result["violations"])


def test_load_refuses_violating_archives_before_keras_builds_anything(
    seed_models: Path, schema_models: Path, nested_site: Path, tmp_path: Path
) -> None:
    seed = seed_models / "seed.keras"
    config = read_config(seed)
    scale, dense = layer_index(config, "scale"), layer_index(config, "kernel_mult")

    def broken(c: dict[str, Any]) -> None:
        c["config"]["layers"][scale]["config"]["factor"] = "big"
        del c["config"]["layers"][dense]["config"]["units"]

    def lenient(c: dict[str, Any]) -> None:  # Keras takes a negative L2 scale without a word
        c["config"]["layers"][dense]["config"]["kernel_regularizer"]["config"]["scale"] = -1.0

    nested = schema_models / "nested.keras"
    block = layer_index(read_config(nested), "block")

    def nested_broken(c: dict[str, Any]) -> None:
        c["config"]["layers"][block]["config"]["gates"][0]["config"]["rate"] = -0.5

    paths = {
        "broken": edit_archive(seed, tmp_path / "broken.keras", broken),
        "lenient": edit_archive(seed, tmp_path / "lenient.keras", lenient),
        "nested_broken": edit_archive(nested, tmp_path / "nested-broken.keras", nested_broken),
        "nested": nested,
        "x": seed_models / "x.npy",
        "expected": seed_models / "expected.npy",
        "nested_x": schema_models / "nested_x.npy",
        "nested_expected": schema_models / "nested_expected.npy",
    }
    proc = run_python(LOAD, *(f"{k}={v}" for k, v in paths.items()), site=nested_site)
    out = last_json(proc.stdout)

    refused = out["broken"]
    assert refused["raised"][:3] == ["SchemaViolationError", "LayerhubError", "ValueError"]
    assert found(refused) == [
        ("MyLayers>CustomLayer", f"/config/layers/{scale}", "/factor", "type"),
        ("MyLayers>KernelMult", f"/config/layers/{dense}", "", "required"),
    ]
    assert f"in {paths['broken']}" in refused["message"]
    assert (
        f"'MyLayers>CustomLayer' at config.json:/config/layers/{scale}, config /factor"
        in (refused["message"])
    )
    # Without validation the same file reaches Keras, which fails in its own way.
    assert "SchemaViolationError" not in out["broken_unvalidated"]["raised"]

    assert found(out["lenient"]) == [
        (
            "LayerhubSeed>ScaledL2",
            f"/config/layers/{dense}/config/kernel_regularizer",
            "/scale",
            "minimum",
        )
    ]
    assert out["lenient_unvalidated"] == {"loaded": True, "predicts": True}
    assert out["lenient_user_object"] == {"loaded": True}  # the user's object, not the plugin's

    assert found(out["nested_broken"]) == [
        ("SchemaNested>Gate", f"/config/layers/{block}/config/gates/0", "/rate", "minimum")
    ]
    assert out["nested"] == {"loaded": True, "predicts": True}


SAVE = """
import json, os, sys
from pathlib import Path
import layerhub
from layerhub_seed import examples
from schema_nested.objects import build_model as build_nested

folder = Path(sys.argv[1])
out = {}

def save(key, model, path, **kwargs):
    try:
        layerhub.save_model(model, path, **kwargs)
        out[key] = {"saved": True}
    except layerhub.SchemaViolationError as error:
        out[key] = {"violations": [v.as_dict() for v in error.violations], "message": str(error)}

model = examples.build_model()
target = folder / "seed.keras"
save("first", model, target)
before = target.read_bytes()
model.get_layer("scale").factor = "big"
model.get_layer("kernel_mult").nested_model.hidden_units = 0
save("violating", model, target)
out["unchanged"] = target.read_bytes() == before
out["files"] = sorted(os.listdir(folder))
save("violating_h5", model, folder / "seed.h5")
save("unvalidated", model, target, validate=False)
out["rewritten"] = target.read_bytes() != before

nested = build_nested()
nested.get_layer("block").gates[1].rate = 2.0
save("nested", nested, folder / "nested.keras")
out["files_after"] = sorted(os.listdir(folder))

# A plugin with broken schemas: warned about, never a failed save.
import re, warnings
import schema_bad.objects
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    save("bad_plugin", schema_bad.objects.build_model(), folder / "bad.keras")
out["bad_plugin_warned"] = sorted(
    {n for w in caught for n in re.findall(r"schema of '(SchemaBad>[A-Za-z]+)'", str(w.message))}
)
print(json.dumps(out))
"""


def test_save_refuses_violating_models_and_leaves_the_old_file_byte_identical(
    schema_models: Path, nested_site: Path, bad_site: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    sites = os.pathsep.join(map(str, [nested_site, bad_site]))
    out = last_json(run_python(SAVE, str(folder), env={"PYTHONPATH": sites}).stdout)
    assert out["first"] == {"saved": True}
    assert out["unchanged"] is True and out["files"] == ["seed.keras"]  # no temporary left

    # Where the objects sit: in the file the explicitly unvalidated save wrote.
    seed = read_config(folder / "seed.keras")
    scale, dense = layer_index(seed, "scale"), layer_index(seed, "kernel_mult")
    assert seed["config"]["layers"][scale]["config"]["factor"] == "big"
    expected = [
        ("MyLayers>CustomLayer", f"/config/layers/{scale}", "/factor", "type"),
        ("MyLayers>KernelMult", f"/config/layers/{dense}/config/nested_model", "/units", "minimum"),
    ]
    assert found(out["violating"]) == expected
    assert f"in {folder / 'seed.keras'}" in out["violating"]["message"]
    assert found(out["violating_h5"]) == expected  # the format does not matter
    assert out["unvalidated"] == {"saved": True} and out["rewritten"] is True

    block = layer_index(read_config(schema_models / "nested.keras"), "block")
    assert found(out["nested"]) == [
        ("SchemaNested>Gate", f"/config/layers/{block}/config/gates/1", "/rate", "maximum")
    ]
    assert out["files_after"] == ["seed.keras"]  # neither refused save wrote anything
    assert out["bad_plugin"] == {"saved": True}
    assert out["bad_plugin_warned"] == [
        f"SchemaBad>{n}"
        for n in ["Absent", "BadPattern", "Dangling", "Remote", "Truncated", "Typo", "Untyped"]
    ]
