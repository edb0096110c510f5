"""The committed Keras fixtures (``tests/fixtures/keras/``) are what the installed Keras
writes: each set is saved again by ``tests/fixtures/make_keras_fixtures.py`` and every
model's config must equal the committed one. When Keras changes what it writes, this
fails: run ``python tests/fixtures/make_keras_fixtures.py`` and commit the result."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import h5py
import pytest
from fixtures import KERAS, make_keras_fixtures

pytestmark = pytest.mark.slow


def model_config(path: Path) -> Any:
    if path.suffix == ".keras":
        with zipfile.ZipFile(path) as zf:
            config = json.loads(zf.read("config.json"))
    else:
        with h5py.File(path, "r") as f:
            config = json.loads(f.attrs["model_config"])
    return numbered_shared_objects(config, {})


def numbered_shared_objects(node: Any, seen: dict[int, int]) -> Any:
    """Keras writes ``id()`` of a shared object as its ``shared_object_id``: numbered in
    order of appearance, two saves of one model compare equal."""
    if isinstance(node, dict):
        return {
            k: seen.setdefault(v, len(seen))
            if k == "shared_object_id"
            else numbered_shared_objects(v, seen)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [numbered_shared_objects(v, seen) for v in node]
    return node


def test_every_committed_fixture_is_what_keras_writes_today(tmp_path: Path) -> None:
    sets = list(make_keras_fixtures.SETS)
    make_keras_fixtures.make(sets, tmp_path)
    for name in sets:
        committed = sorted(p.name for p in (KERAS / name).iterdir())
        assert committed == sorted(p.name for p in (tmp_path / name).iterdir()), name
        for file in committed:
            if file.endswith((".keras", ".h5")):
                expected = model_config(KERAS / name / file)
                assert model_config(tmp_path / name / file) == expected, f"{name}/{file}"
            elif (KERAS / name / file).is_dir():  # a KerasHub preset, sharded weights
                assert json_members(tmp_path / name / file) == json_members(KERAS / name / file)


def json_members(directory: Path) -> dict[str, Any]:
    """Every file's path under ``directory``, with the parsed JSON of each ``.json`` but
    ``metadata.json`` (which dates the save)."""
    return {
        path.relative_to(directory).as_posix(): json.loads(path.read_text())
        if path.suffix == ".json" and path.name != "metadata.json"
        else None
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
