"""``layerhub validate`` and ``layerhub schema check`` on real archives, in fresh processes.

The archives are saved by Keras (fixtures), then edited the way a hand-edit would break
them; the expected violations are derived from the edits, not written down twice.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import h5py
import pytest
from schema_archives import edit_archive, layer_index, read_config
from support import run_layerhub, run_python


def violations_of(stdout: str) -> list[tuple]:
    data = json.loads(stdout)
    return sorted(
        (v["name"], v["pointer"], v["path"], v["keyword"], json.dumps(v["value"]))
        for f in data["files"]
        for v in f["violations"]
    )


def expected(*rows: tuple) -> list[tuple]:
    return sorted((*row[:4], json.dumps(row[4])) for row in rows)


@pytest.fixture(scope="module")
def broken_seed(seed_models: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """seed.keras with six violations: wrong type, extra key, missing required key, out of
    range, and two plugin objects nested in a plugin layer's config."""
    source = seed_models / "seed.keras"
    config = read_config(source)
    scale, dense = layer_index(config, "scale"), layer_index(config, "kernel_mult")
    rows = (
        ("MyLayers>CustomLayer", f"/config/layers/{scale}", "/factor", "type", "big"),
        ("MyLayers>CustomLayer", f"/config/layers/{scale}", "/bogus", "additionalProperties", 1),
        ("MyLayers>KernelMult", f"/config/layers/{dense}", "", "required", "units"),
        (
            "LayerhubSeed>ScaledL2",
            f"/config/layers/{dense}/config/kernel_regularizer",
            "/scale",
            "minimum",
            -1.0,
        ),
        (
            "MyLayers>KernelMult",
            f"/config/layers/{dense}/config/nested_model",
            "/units",
            "minimum",
            0,
        ),
        (
            "LayerhubSeed>WarmupSchedule",
            "/compile_config/optimizer/config/learning_rate",
            "/warmup_steps",
            "minimum",
            0,
        ),
    )

    def edit(c: dict[str, Any]) -> None:
        layers = c["config"]["layers"]
        layers[scale]["config"].update(factor="big", bogus=1)
        kernel_mult = layers[dense]["config"]
        del kernel_mult["units"]
        kernel_mult["kernel_regularizer"]["config"]["scale"] = -1.0
        kernel_mult["nested_model"]["config"]["units"] = 0
        c["compile_config"]["optimizer"]["config"]["learning_rate"]["config"]["warmup_steps"] = 0

    target = tmp_path_factory.mktemp("broken") / "seed-broken.keras"
    return edit_archive(source, target, edit), expected(*rows)


def test_valid_archives_exit_0_and_say_what_was_checked(
    seed_models: Path, schema_models: Path, nested_site: Path
) -> None:
    files = [seed_models / "seed.keras", seed_models / "seed.h5", schema_models / "nested.keras"]
    files.append(schema_models / "sub.keras")
    proc = run_layerhub("validate", *map(str, files), site=nested_site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    for file in files:
        assert any(line.startswith(f"{file}: valid (") for line in lines), proc.stdout
    assert "unchecked: 'LayerhubSeed>scaled_mae'" in proc.stdout  # registered without schema
    data = json.loads(run_layerhub("validate", "--json", *map(str, files), site=nested_site).stdout)
    assert data["valid"] is True and [f["path"] for f in data["files"]] == list(map(str, files))
    nested = data["files"][2]
    # Block, both Gates nested in its config, and the squash function are all checked.
    assert nested["checked"] == 4 and nested["unchecked"] == [] and nested["format"] == "keras"


def test_a_broken_archive_exits_1_with_every_violation(broken_seed: tuple, seed_site: Path) -> None:
    path, rows = broken_seed
    proc = run_layerhub("validate", "--json", str(path), site=seed_site)
    assert proc.returncode == 1, proc.stderr
    assert violations_of(proc.stdout) == rows
    data = json.loads(proc.stdout)
    assert data["valid"] is False
    (file,) = data["files"]
    assert set(file) == {"path", "format", "valid", "error", "checked", "violations", "unchecked"}
    assert all(v["member"] == "config.json" and v["message"] for v in file["violations"])

    human = run_layerhub("validate", str(path), site=seed_site)
    assert human.returncode == 1 and "Traceback" not in human.stderr
    assert human.stdout.startswith(f"{path}: 6 violation(s) (")
    (missing,) = [row for row in rows if row[3] == "required"]
    line = f"  'MyLayers>KernelMult' at config.json:{missing[1]}, config /: 'units' is a required"
    assert line in human.stdout


def test_plugin_objects_inside_a_plugin_layer_are_validated(
    schema_models: Path, nested_site: Path, tmp_path: Path
) -> None:
    source = schema_models / "nested.keras"
    block = layer_index(read_config(source), "block")

    def edit(c: dict[str, Any]) -> None:
        config = c["config"]["layers"][block]["config"]
        config["activation"] = "gelu"
        config["gates"][1]["config"]["rate"] = 2.5

    path = edit_archive(source, tmp_path / "nested.keras", edit)
    proc = run_layerhub("validate", "--json", str(path), site=nested_site)
    assert proc.returncode == 1, proc.stderr
    at = f"/config/layers/{block}"
    assert violations_of(proc.stdout) == expected(
        ("SchemaNested>Block", at, "/activation", "enum", "gelu"),
        ("SchemaNested>Gate", f"{at}/config/gates/1", "/rate", "maximum", 2.5),
    )


def test_a_plugin_written_by_someone_else_is_held_to_its_schema(
    schema_models: Path, acme_site: Path, tmp_path: Path
) -> None:
    source = schema_models / "acme.keras"
    assert run_layerhub("validate", str(source), site=acme_site).returncode == 0
    gated = layer_index(read_config(source), "gated")
    path = edit_archive(
        source,
        tmp_path / "acme.keras",
        lambda c: c["config"]["layers"][gated]["config"].pop("units"),
    )
    proc = run_layerhub("validate", "--json", str(path), site=acme_site)
    assert proc.returncode == 1
    assert violations_of(proc.stdout) == expected(
        ("Acme>GatedResidual", f"/config/layers/{gated}", "", "required", "units")
    )


def test_the_model_itself_as_plugin_object_sits_at_the_root(
    schema_models: Path, seed_site: Path, tmp_path: Path
) -> None:
    path = edit_archive(
        schema_models / "sub.keras",
        tmp_path / "sub.keras",
        lambda c: c["config"].update(output_dim=0),
    )
    proc = run_layerhub("validate", "--json", str(path), site=seed_site)
    assert violations_of(proc.stdout) == expected(
        ("LayerhubSeed>SubclassedModel", "", "/output_dim", "minimum", 0)
    )


def test_legacy_h5_files_are_validated_too(seed_models: Path, seed_site: Path, tmp_path: Path):
    path = tmp_path / "seed.h5"
    shutil.copy(seed_models / "seed.h5", path)
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        scale = layer_index(config, "scale")
        config["config"]["layers"][scale]["config"]["factor"] = [1, 2]
        f.attrs["model_config"] = json.dumps(config)
    proc = run_layerhub("validate", "--json", str(path), site=seed_site)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["files"][0]["format"] == "h5"
    assert violations_of(proc.stdout) == expected(
        ("MyLayers>CustomLayer", f"/config/layers/{scale}", "/factor", "type", [1, 2])
    )
    assert data["files"][0]["violations"][0]["member"] == "model_config"


def test_archive_files_are_checked_against_layerhubs_own_schemas(
    seed_models: Path, tmp_path: Path
) -> None:
    source = seed_models / "seed.keras"

    def edit(c: dict[str, Any]) -> None:
        c["compile_config"]["steps_per_execution"] = 0
        del c["config"]["layers"][0]["class_name"]

    broken = edit_archive(source, tmp_path / "a.keras", edit)
    broken = edit_archive(
        broken, tmp_path / "b.keras", lambda m: m.pop("keras_version"), member="metadata.json"
    )
    proc = run_layerhub("validate", "--json", str(broken))  # no plugin installed at all
    assert proc.returncode == 1
    found = [
        (v["name"], v["member"], v["path"], v["keyword"])
        for v in json.loads(proc.stdout)["files"][0]["violations"]
    ]
    assert sorted(found) == [
        ("config.schema.json", "config.json", "/compile_config/steps_per_execution", "minimum"),
        ("config.schema.json", "config.json", "/config/layers/0", "required"),
        ("metadata.schema.json", "metadata.json", "", "required"),
    ]
    unchecked = json.loads(proc.stdout)["files"][0]["unchecked"]
    assert unchecked and {u["reason"] for u in unchecked} == {"no installed plugin provides it"}


ADD_MANIFEST = """
import sys
from pathlib import Path
from layerhub.kerasio.provenance import add_manifest
add_manifest(Path(sys.argv[1]))
"""


@pytest.mark.slow  # add_manifest reads the model with Keras
def test_the_provenance_manifest_is_checked_against_its_schema(
    seed_models: Path, seed_site: Path, tmp_path: Path
) -> None:
    path = tmp_path / "with-manifest.keras"
    shutil.copy(seed_models / "seed.keras", path)
    run_python(ADD_MANIFEST, str(path), site=seed_site)  # what layerhub.save_model appends
    assert run_layerhub("validate", str(path), site=seed_site).returncode == 0
    broken = edit_archive(
        path,
        tmp_path / "broken.keras",
        lambda m: m["objects"][0].pop("name"),
        member="layerhub.json",
    )
    proc = run_layerhub("validate", "--json", str(broken), site=seed_site)
    assert proc.returncode == 1
    found = [
        (v["name"], v["member"], v["path"], v["keyword"], v["value"])
        for v in json.loads(proc.stdout)["files"][0]["violations"]
    ]
    assert found == [("manifest.schema.json", "layerhub.json", "/objects/0", "required", "name")]


def test_unusable_input_exits_2_and_the_other_files_are_still_reported(
    seed_models: Path, seed_site: Path, broken_seed: tuple, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    files = [str(seed_models / "seed.keras"), str(broken_seed[0]), str(junk)]
    proc = run_layerhub("validate", "--json", *files, site=seed_site)
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    assert [f["valid"] for f in data["files"]] == [True, False, False]
    assert "not a readable zip archive" in data["files"][2]["error"]
    assert violations_of(proc.stdout) == broken_seed[1]
    human = run_layerhub("validate", files[0], str(tmp_path / "missing.keras"), site=seed_site)
    assert human.returncode == 2 and "Traceback" not in human.stderr
    assert f"{tmp_path / 'missing.keras'}: unusable" in human.stdout


VALIDATE_WITHOUT_KERAS = """
import sys, json, io, contextlib
from layerhub.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["validate", "--json", *sys.argv[1:]])
heavy = sorted(m for m in sys.modules
               if m.split(".")[0] in {"keras", "tensorflow", "jax", "torch"}
               or m.endswith(".objects"))
checked = json.loads(out.getvalue())["files"][0]["checked"]
print(json.dumps({"code": code, "heavy": heavy, "checked": checked}))
"""


def test_validate_imports_neither_keras_nor_plugin_objects(
    broken_seed: tuple, seed_site: Path
) -> None:
    proc = run_python(VALIDATE_WITHOUT_KERAS, str(broken_seed[0]), site=seed_site)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"code": 1, "heavy": [], "checked": 14}


@pytest.fixture(scope="module")
def broken_bad(schema_models: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bad.keras with the one well-schema'd object (SchemaBad>Good) out of range."""
    source = schema_models / "bad.keras"
    good = layer_index(read_config(source), "good")
    target = tmp_path_factory.mktemp("bad") / "bad.keras"
    return edit_archive(
        source, target, lambda c: c["config"]["layers"][good]["config"].update(factor=3.0)
    )


BAD_SCHEMAS = ["Absent", "BadPattern", "Dangling", "Remote", "Truncated", "Typo", "Untyped"]


def test_malformed_plugin_schemas_are_warnings_naming_the_plugin(
    broken_bad: Path, bad_site: Path
) -> None:
    proc = run_layerhub("validate", "--json", str(broken_bad), site=bad_site)
    assert proc.returncode == 1, proc.stderr  # the good schema still holds its object
    assert [v[0] for v in violations_of(proc.stdout)] == ["SchemaBad>Good"]
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("PluginWarning")]
    named = {
        name for name in [*BAD_SCHEMAS, "BadForm"] for w in warnings if f"SchemaBad>{name}'" in w
    }
    assert named == {*BAD_SCHEMAS, "BadForm"}, proc.stderr
    assert len(warnings) == len(named)  # each once
    assert all("'bad' from schema-bad==0.2.0" in w for w in warnings)
    assert "Traceback" not in proc.stderr
    unchecked = {u["name"]: u["reason"] for u in json.loads(proc.stdout)["files"][0]["unchecked"]}
    assert unchecked.pop("SchemaBad>BadForm") == "its plugin declares no schema"
    assert sorted(unchecked) == [f"SchemaBad>{n}" for n in BAD_SCHEMAS]
    assert all(r.startswith("its schema is invalid: ") for r in unchecked.values())


def test_strict_mode_makes_a_malformed_schema_an_error(broken_bad: Path, bad_site: Path) -> None:
    proc = run_layerhub("validate", str(broken_bad), site=bad_site, env={"LAYERHUB_STRICT": "1"})
    assert proc.returncode == 2
    assert proc.stderr.startswith("layerhub: error: layerhub plugin 'bad' from schema-bad==0.2.0")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_schema_check_lists_every_invalid_schema(bad_site: Path, nested_site: Path) -> None:
    proc = run_layerhub("schema", "check", "--json", site=bad_site)
    assert proc.returncode == 1
    rows = {r["name"]: r for r in json.loads(proc.stdout)["schemas"]}
    assert sorted(n for n, r in rows.items() if r["problem"]) == [
        f"SchemaBad>{n}" for n in BAD_SCHEMAS
    ]
    assert rows["SchemaBad>Good"]["problem"] is None
    assert rows["SchemaBad>Truncated"]["file"] == "schema_bad:schemas/truncated.json"
    assert "not valid JSON" in rows["SchemaBad>Truncated"]["problem"]
    assert "https://example.com/remote.schema.json" in rows["SchemaBad>Remote"]["problem"]
    human = run_layerhub("schema", "check", site=bad_site)
    assert human.returncode == 1 and human.stdout.startswith("8 schema(s) checked, 7 invalid")
    ok = run_layerhub("schema", "check", site=nested_site)
    assert ok.returncode == 0 and "0 invalid" in ok.stdout, ok.stdout + ok.stderr


def test_validate_needs_a_file() -> None:
    proc = run_layerhub("validate")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_scan_reports_the_same_violations_as_findings(broken_seed: tuple, seed_site: Path) -> None:
    path, rows = broken_seed
    proc = run_layerhub("scan", "--json", str(path), site=seed_site)
    assert proc.returncode == 1, proc.stderr
    (file,) = json.loads(proc.stdout)["files"]
    schema = [f for f in file["findings"] if f["code"] == "schema"]
    assert sorted(f["location"] for f in schema) == sorted(row[1] for row in rows)
    assert all(f["severity"] == "medium" for f in schema)
    # Load validates as a step of its own: the safety policy does not refuse on schemas.
    clean = run_layerhub("scan", "--json", "--fail-on", "high", str(path), site=seed_site)
    assert clean.returncode == 0, clean.stdout
