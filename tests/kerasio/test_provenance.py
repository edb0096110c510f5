"""The provenance manifest ``layerhub.save_model`` adds to ``.keras`` archives."""

from __future__ import annotations

import hashlib
import json
import zipfile
from importlib import metadata
from pathlib import Path

import jsonschema
import pytest
from support import ROOT, last_json, run_layerhub, run_python

import layerhub
from layerhub.plugins.resolution import LOADER

pytestmark = pytest.mark.slow

MANIFEST_SCHEMA = json.loads((ROOT / "schemas" / "manifest.schema.json").read_text())
SEED_SCHEMAS = ROOT / "plugins" / "layerhub-seed" / "src" / "layerhub_seed" / "schemas"

# Saved with layerhub, then read back by plain Keras (the user imports the plugin's
# objects themselves, as they would without layerhub).
SAVE = """
import sys, numpy as np, keras, layerhub
from layerhub_seed import examples
out = sys.argv[1]
model = examples.build_model()
x, _ = examples.data()
layerhub.save_model(model, out + "/seed.keras")
plain = keras.saving.load_model(out + "/seed.keras")
np.testing.assert_array_equal(plain.predict(x, verbose=0), model.predict(x, verbose=0))
print("plain keras loaded it")
"""

MISSING = """
import json, sys, layerhub
try:
    layerhub.load_model(sys.argv[1])
except layerhub.MissingObjectsError as exc:
    print(json.dumps({m.name: m.requirement for m in exc.missing}))
except layerhub.LayerhubError as exc:
    print(json.dumps({"error": type(exc).__name__, "isvalueerror": isinstance(exc, ValueError),
                      "message": str(exc)}))
"""

# Two loads in one process: another major version warns, the same major does not.
MISMATCH = """
import json, sys, warnings, layerhub
result = {}
for name in sys.argv[1:]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layerhub.load_model(name)
    warned = [w for w in caught if w.category is layerhub.errors.ProvenanceWarning]
    result[name] = [str(w.message) for w in warned]
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def saved(seed_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("provenance")
    assert "plain keras loaded it" in run_python(SAVE, str(out), site=seed_site).stdout
    return out / "seed.keras"


def manifest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("layerhub.json"))


def with_manifest(source: Path, target: Path, edit) -> Path:
    """A copy of ``source`` whose manifest ``edit`` changed (every other member as is)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "layerhub.json":
                manifest = json.loads(data)
                edit(manifest)
                data = json.dumps(manifest).encode()
            zout.writestr(info, data)
    return target


def canonical_sha256(path: Path) -> str:
    schema = json.loads(path.read_text())
    return hashlib.sha256(
        json.dumps(schema, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def test_manifest_records_every_custom_object_and_its_provider(saved):
    manifest = manifest_of(saved)
    jsonschema.validate(manifest, MANIFEST_SCHEMA)
    assert manifest["layerhub_version"] == layerhub.__version__
    assert manifest["keras_version"] == metadata.version("keras")
    objects = {o["name"]: o for o in manifest["objects"]}
    assert len(objects) == 14  # every seed object the model uses (not SubclassedModel)
    assert "LayerhubSeed>SubclassedModel" not in objects
    assert {(o["distribution"], o["version"], o["source"]) for o in objects.values()} == {
        ("layerhub-seed", "1.0.0", "entry-point")
    }
    layer = objects["MyLayers>CustomLayer"]
    assert layer["target"] == "layerhub_seed.objects:CustomLayer"
    assert layer["schema_sha256"] == canonical_sha256(
        SEED_SCHEMAS / "mylayers_customlayer.schema.json"
    )
    assert objects["LayerhubSeed>scaled_mae"]["schema_sha256"] is None  # it has no schema


def test_missing_provider_error_names_the_exact_requirement(saved, tmp_path):
    missing = last_json(run_python(MISSING, str(saved)).stdout)
    assert len(missing) == 14
    assert set(missing.values()) == {"layerhub-seed==1.0.0"}
    resolve = run_layerhub("resolve", str(saved), "--json")
    assert resolve.returncode == 0, resolve.stderr
    report = json.loads(resolve.stdout)
    assert [r["requirement"] for r in report["requirements"]] == ["layerhub-seed==1.0.0", LOADER]
    assert len(report["requirements"][0]["names"]) == 14 and report["unresolved"] == []
    assert run_layerhub("resolve", str(saved)).stdout == f"layerhub-seed==1.0.0\n{LOADER}\n"

    def break_it(manifest):
        manifest["objects"] = "not a list"

    broken = with_manifest(saved, tmp_path / "broken.keras", break_it)
    error = last_json(run_python(MISSING, str(broken)).stdout)
    assert error["error"] == "CorruptArchiveError" and error["isvalueerror"]
    assert "layerhub.json" in error["message"] and "/objects" in error["message"]
    resolve_broken = run_layerhub("resolve", str(broken))
    assert resolve_broken.returncode == 2 and "layerhub.json" in resolve_broken.stderr


def test_provider_at_another_major_version_warns(saved, seed_site, tmp_path):
    def pin(version):
        def edit(manifest):
            for obj in manifest["objects"]:
                obj["version"] = version

        return edit

    older = with_manifest(saved, tmp_path / "older.keras", pin("0.4.0"))
    minor = with_manifest(saved, tmp_path / "minor.keras", pin("1.7.2"))
    result = last_json(run_python(MISMATCH, str(older), str(minor), site=seed_site).stdout)
    assert result[str(minor)] == []
    (warning,) = result[str(older)]  # one warning per provider, not per object
    assert "layerhub-seed==0.4.0 providing 14 object(s)" in warning
    assert "layerhub-seed 1.0.0 is installed" in warning
