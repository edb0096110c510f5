"""KerasHub presets read as directory sources: their documents, every weights file, and
symbolic links refused anywhere in a directory source (fast tier: no Keras process; the
presets were saved by real keras-hub, ``tests/fixtures/saves/presets.py``)."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from fixtures import KERAS
from presets import BENIGN, SHARDED, lambda_model

from layerhub.archive.limits import Limits
from layerhub.archive.reader import read_archive
from layerhub.archive.weights import read_weights
from layerhub.errors import CorruptArchiveError, UnsafeArchiveError
from layerhub.references.walk import walk_documents
from layerhub.safety.scan import analyze


def copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def unzipped(archive: Path, tmp_path: Path) -> Path:
    """A ``.keras`` zip unpacked as the directory Keras also loads."""
    target = tmp_path / archive.stem
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(target)
    return target


def test_a_task_preset_is_read_with_every_document_and_weights_file():
    archive = read_archive(BENIGN)
    assert archive.format == "preset"
    assert [name for name, _ in archive.documents] == [
        "task.json",
        "preprocessor.json",
        "tokenizer.json",
    ]
    assert archive.config["registered_name"] == "keras_hub>BertBackbone"
    held = [read_weights(BENIGN / name) for name in ("model.weights.h5", "task.weights.h5")]
    assert archive.stored.elements == sum(w.size for weights in held for w in weights)
    sizes = (BENIGN / "model.weights.h5").stat().st_size + (
        BENIGN / "task.weights.h5"
    ).stat().st_size
    assert archive.stored.bytes == sizes
    assert archive.findings == ()


def test_sharded_weights_are_counted_shard_by_shard():
    archive = read_archive(SHARDED)
    assert archive.format == "preset"  # metadata.json names keras_hub_version
    shards = sorted(SHARDED.glob("model_*.weights.h5"))
    assert len(shards) == 3
    assert archive.stored.bytes == sum(s.stat().st_size for s in shards)
    assert archive.stored.elements == sum(w.size for w in read_weights(SHARDED))
    assert archive.findings == ()  # not "missing-weights": the index stands for them


def test_an_unzipped_keras_archive_stays_a_keras_directory(tmp_path):
    directory = unzipped(KERAS / "benign" / "dense.keras", tmp_path)
    archive = read_archive(directory)
    assert (archive.format, archive.documents) == ("keras-dir", ())


def test_every_reference_location_leads_back_to_its_object():
    archive = read_archive(BENIGN)
    references = list(walk_documents(archive.config, archive.documents))
    assert {r.pointer.partition("#")[0] for r in references if "#" in r.pointer} == {
        "task.json",
        "preprocessor.json",
        "tokenizer.json",
    }
    for ref in references:
        node = archive.resolve(ref.pointer)
        if ref.kind == "class":
            assert node["class_name"] == ref.class_name, ref
    assert archive.resolve("task.json#/config/backbone/config/num_layers") == 1
    assert archive.resolve("nothing.json#/config") is None


def test_the_budget_judges_a_task_document_against_what_the_preset_stores(tmp_path):
    preset = copy(BENIGN, tmp_path)
    task = json.loads((preset / "task.json").read_text())
    backbone = lambda_model()
    backbone["config"]["layers"][2]["config"]["units"] = 10**9  # the Dense after the Lambda
    task["config"]["backbone"] = backbone
    (preset / "task.json").write_text(json.dumps(task))
    found = {(f.code, f.location) for f in analyze(read_archive(preset))}
    assert ("weights-over-stored", "task.json#/config/backbone/config/layers/2") in found


def test_a_shard_index_naming_a_missing_shard_is_corrupt(tmp_path):
    preset = copy(SHARDED, tmp_path)
    (preset / "model_00001.weights.h5").unlink()
    with pytest.raises(CorruptArchiveError, match=r"lists the shard model_00001\.weights\.h5"):
        read_archive(preset)


def test_a_shard_index_naming_a_path_is_a_finding_and_nothing_outside_is_read(tmp_path):
    preset = copy(SHARDED, tmp_path)
    (tmp_path / "x.weights.h5").write_bytes(b"not read")
    index = json.loads((preset / "model.weights.json").read_text())
    index["weight_map"]["/layers/embedding/vars"] = "../x.weights.h5"
    (preset / "model.weights.json").write_text(json.dumps(index))
    archive = read_archive(preset)  # not corrupt: the stray bytes are never opened
    (finding,) = archive.findings
    assert (finding.code, finding.location) == (
        "path-traversal",
        "model.weights.json#/weight_map/~1layers~1embedding~1vars",
    )


@pytest.mark.parametrize(
    "member", ["assets/tokenizer/vocabulary.txt", "task.weights.h5", "tokenizer.json", "assets"]
)
def test_a_link_out_of_a_preset_is_refused_wherever_it_is(tmp_path, member):
    preset = copy(BENIGN, tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir() if member == "assets" else outside.write_text("x")
    target = preset / member
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    os.symlink(outside, target)
    with pytest.raises(UnsafeArchiveError) as caught:
        read_archive(preset)
    assert [(f.code, f.location) for f in caught.value.findings] == [
        ("symlink", f"member:{member}")
    ]


def test_a_link_under_assets_of_an_unzipped_keras_archive_is_refused(tmp_path):
    directory = unzipped(KERAS / "benign" / "dense.keras", tmp_path)
    (directory / "assets").mkdir(exist_ok=True)
    os.symlink("/etc/hostname", directory / "assets" / "vocabulary.txt")
    with pytest.raises(UnsafeArchiveError, match="symbolic link") as caught:
        read_archive(directory)
    (finding,) = caught.value.findings
    assert (finding.code, finding.location) == ("symlink", "member:assets/vocabulary.txt")


def test_a_link_that_stays_inside_the_directory_is_read_through(tmp_path):
    preset = copy(BENIGN, tmp_path)
    (preset / "assets" / "copy").mkdir()
    os.symlink("../tokenizer/vocabulary.txt", preset / "assets" / "copy" / "vocabulary.txt")
    assert read_archive(preset).format == "preset"


def test_a_directory_walk_is_bounded_by_the_member_limit(tmp_path):
    preset = copy(BENIGN, tmp_path)
    with pytest.raises(UnsafeArchiveError, match="over 5 files and directories") as caught:
        read_archive(preset, Limits(max_members=5))
    assert caught.value.findings[0].code == "too-many-members"
