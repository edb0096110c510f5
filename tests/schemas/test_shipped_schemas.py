"""The JSON Schemas layerhub ships: valid, addressed by their $id, and installed with the
package whether it is installed from a wheel or in editable mode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, install, run_python

SHIPPED = sorted(p.name for p in (ROOT / "schemas").glob("*.json"))


def test_shipped_schemas_are_valid_2020_12_and_named_by_their_id() -> None:
    from jsonschema import Draft202012Validator

    from layerhub.schemas import shipped as schema_shipped

    files = sorted(p.name for p in (ROOT / "schemas").glob("*.json"))
    assert set(schema_shipped.SHIPPED_NAMES) == set(files)  # the installed package sees them all
    for name in files:
        document = json.loads((ROOT / "schemas" / name).read_text())
        Draft202012Validator.check_schema(document)
        assert document["$id"] == schema_shipped.SHIPPED_BASE + name
        assert schema_shipped.shipped(name) == document


FIND_SCHEMAS = """
import json, sys
import layerhub
from layerhub.schemas import shipped as schema_shipped, violations as schema_violations
metadata = {"keras_version": "3.15.1", "date_saved": "2026-11-28@14:40:58"}
print(json.dumps({
    "package": layerhub.__file__,
    "names": schema_shipped.SHIPPED_NAMES,
    "documents": {n: schema_shipped.shipped(n) for n in schema_shipped.SHIPPED_NAMES},
    "valid_metadata": schema_violations.check_document(
        schema_shipped.METADATA_SCHEMA, metadata, "metadata.json"
    ),
    "keras": "keras" in sys.modules,
}))
"""


def check_install(proc: subprocess.CompletedProcess[str], package_root: Path) -> None:
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(found["package"]).is_relative_to(package_root), found["package"]
    assert found["names"] == SHIPPED
    for name in SHIPPED:
        assert found["documents"][name] == json.loads((ROOT / "schemas" / name).read_text())
    assert found["valid_metadata"] == [] and found["keras"] is False


def test_the_editable_install_finds_the_shipped_schemas() -> None:
    check_install(run_python(FIND_SCHEMAS), ROOT / "src")


@pytest.mark.slow
def test_a_wheel_install_carries_the_shipped_schemas(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "-q",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("layerhub-*.whl")
    site = install([wheel], tmp_path / "site")
    assert sorted(p.name for p in (site / "layerhub" / "schemas" / "json").iterdir()) == SHIPPED
    assert not (site / "layerhub" / "schemas").is_symlink()
    check_install(run_python(FIND_SCHEMAS, site=site), site)


def test_the_one_walk_yields_every_object_with_its_pointer_parents_first() -> None:
    from layerhub.pointer import pointer
    from layerhub.schemas.shipped import DATA_KEYWORDS, dicts, tokens

    document = {
        "properties": {"a/b": {"type": "integer"}, "c": {"default": {"$anchor": "x"}}},
        "anyOf": [{"const": 1}, [{"deep": {}}]],
    }
    found = {pointer(tokens(path)): node for path, node in dicts(document)}
    assert found[""] is document
    assert found["/properties/a~1b"] == {"type": "integer"}
    assert found["/properties/c/default"] == {"$anchor": "x"}
    assert found["/anyOf/1/0/deep"] == {}
    order = [pointer(tokens(path)) for path, _ in dicts(document)]
    assert order.index("/properties") < order.index("/properties/c")
    skipped = [pointer(tokens(path)) for path, _ in dicts(document, skip=DATA_KEYWORDS)]
    assert "/properties/c/default" not in skipped and "/properties/c" in skipped


def test_resolve_tells_a_null_from_nothing_and_names_the_broken_reference() -> None:
    from layerhub.schemas.shipped import first_unresolvable, resolve
    from layerhub.signals import UnresolvableReference

    document = {
        "$defs": {"none": None, "list": [{"type": "string"}], "x": {"$anchor": "here"}},
        "properties": {"ok": {"$ref": "#/$defs/list/0"}, "bad": {"$ref": "#/$defs/gone"}},
        "default": {"$anchor": "data"},
    }
    assert resolve("#/$defs/none", document) is None  # there, and null
    assert resolve("#/%24defs/list/0", document) == {"type": "string"}
    assert resolve("#here", document) == {"$anchor": "here"}
    for broken in ("#/$defs/gone", "#/$defs/list/1", "#/$defs/none/deeper", "#data"):
        with pytest.raises(UnresolvableReference):
            resolve(broken, document)
    assert first_unresolvable(document) == (
        "at /properties/bad: $ref '#/$defs/gone' resolves to nothing"
    )
