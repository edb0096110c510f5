"""Editing real Keras archives: what a hand-edit or an attacker can do to a saved file."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def read_config(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("config.json"))


def edit_archive(
    source: Path, target: Path, edit: Callable[[dict[str, Any]], None], member: str = "config.json"
) -> Path:
    """Copy a .keras archive, with ``edit`` applied to one JSON member (weights untouched)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == member:
                document = json.loads(data)
                edit(document)
                data = json.dumps(document).encode()
            zout.writestr(info, data)
    return target


def layer_index(config: dict[str, Any], name: str) -> int:
    """Where the layer called ``name`` sits in a functional model's layer list."""
    names = [layer["config"]["name"] for layer in config["config"]["layers"]]
    return names.index(name)
