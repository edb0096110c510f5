"""Hostile KerasHub presets, each made by editing a copy of the committed benign one
(``tests/fixtures/keras/presets/bert_classifier``, saved by real keras-hub)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fixtures import KERAS
from hostile_corpus import function

__all__ = ["BENIGN", "HOSTILE", "SEVERITY", "SHARDED", "hostile", "lambda_model"]

PRESETS = KERAS / "presets"
BENIGN = PRESETS / "bert_classifier"
SHARDED = PRESETS / "bert_sharded"


def lambda_model() -> dict[str, Any]:
    """A functional model whose second layer is a Lambda with Python bytecode (the
    committed corpus fixture, saved by real Keras)."""
    with zipfile.ZipFile(KERAS / "corpus" / "lambda_layer.keras") as zf:
        return json.loads(zf.read("config.json"))


def edit_json(name: str, edit: Callable[[dict], Any]) -> Callable[[Path], None]:
    def apply(preset: Path) -> None:
        document = json.loads((preset / name).read_text())
        result = edit(document)
        (preset / name).write_text(json.dumps(document if result is None else result))

    return apply


def link_out(member: str) -> Callable[[Path], None]:
    """``member`` replaced by a symbolic link to a file outside the preset."""

    def apply(preset: Path) -> None:
        outside = preset.parent / f"outside-{member.replace('/', '-')}"
        shutil.copyfile(preset / member, outside)
        (preset / member).unlink()
        os.symlink(outside, preset / member)

    return apply


def nested_backbone(node: dict) -> Callable[[dict], None]:
    def edit(task: dict) -> None:
        task["config"]["backbone"] = copy.deepcopy(node)

    return edit


def backbone_activation(node: dict) -> Callable[[dict], None]:
    def edit(task: dict) -> None:
        task["config"]["backbone"]["config"]["activation"] = copy.deepcopy(node)

    return edit


def tokenizer_vocabulary_outside(preset: Path) -> None:
    """``tokenizer.json`` naming a vocabulary file outside the preset, by path."""
    outside = preset.parent / "outside-vocabulary.txt"
    shutil.copyfile(preset / "assets" / "tokenizer" / "vocabulary.txt", outside)
    edit_json("tokenizer.json", lambda doc: doc["config"].update(vocabulary=str(outside)))(preset)


def shard_index_naming(name: str) -> Callable[[Path], None]:
    def apply(preset: Path) -> None:
        index = json.loads((preset / "model.weights.json").read_text())
        first = next(iter(index["weight_map"]))
        index["weight_map"][first] = [name]
        (preset / "model.weights.json").write_text(json.dumps(index))

    return apply


#: name -> (the benign preset to start from, the edit, the finding it must raise, where)
HOSTILE: dict[str, tuple[Path, Callable[[Path], None], str, str]] = {
    "task_lambda_head": (
        BENIGN,
        edit_json("task.json", lambda task: lambda_model()["config"]["layers"][1]),
        "lambda",
        "task.json#/config/function",
    ),
    "task_backbone_lambda": (
        BENIGN,
        edit_json("task.json", nested_backbone(lambda_model())),
        "lambda",
        "task.json#/config/backbone/config/layers/1/config/function",
    ),
    "task_backbone_config_setter": (
        BENIGN,
        edit_json("task.json", backbone_activation(function("keras.config", "set_floatx"))),
        "non-modeling-api",
        "task.json#/config/backbone/config/activation",
    ),
    "tokenizer_asset_link": (
        BENIGN,
        link_out("assets/tokenizer/vocabulary.txt"),
        "symlink",
        "member:assets/tokenizer/vocabulary.txt",
    ),
    "tokenizer_vocabulary_path": (
        BENIGN,
        tokenizer_vocabulary_outside,
        "file-access",
        "tokenizer.json#/config/vocabulary",
    ),
    "weights_link": (BENIGN, link_out("task.weights.h5"), "symlink", "member:task.weights.h5"),
    "shard_traversal": (
        SHARDED,
        shard_index_naming("../x.weights.h5"),
        "path-traversal",
        "model.weights.json#/weight_map/~1layers~1reversible_embedding~1vars/0",
    ),
}

#: The severity of each case's finding, where it is not critical: KerasHub's word-piece
#: tokenizer refuses a vocabulary path under safe mode itself (data/keras_file_fields.json),
#: so scan rates it medium; load_model and from_preset refuse it first all the same.
SEVERITY = {"tokenizer_vocabulary_path": "medium"}


def hostile(name: str, directory: Path) -> Path:
    """The hostile preset ``name``, built in ``directory``."""
    source, edit, _, _ = HOSTILE[name]
    preset = directory / name
    shutil.copytree(source, preset)
    edit(preset)
    return preset
