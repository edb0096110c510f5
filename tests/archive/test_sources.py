"""Which inputs ``load_model`` reads itself, and Keras's own errors for the rest (no keras)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from layerhub import CorruptArchiveError, LayerhubError
from layerhub.archive.sources import Source, classify_source


def test_local_archives_are_read_by_layerhub(tmp_path: Path):
    archive = tmp_path / "m.keras"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("config.json", "{}")
    unzipped = tmp_path / "unzipped"
    unzipped.mkdir()
    (unzipped / "config.json").write_text("{}")
    for path in (archive, str(archive), unzipped, str(unzipped), tmp_path / "m.h5"):
        assert classify_source(path) is Source.ARCHIVE, path


@pytest.mark.parametrize("path", ["gs://bucket/m.keras", "/gcs/b/m.keras", "https://x/m.keras"])
def test_remote_sources_are_left_to_keras(path: str):
    assert classify_source(path) is Source.KERAS_ONLY


@pytest.mark.parametrize("path", ["hf://org/model", "hf://org/model@v1"])
def test_hub_repositories_are_fetched_then_read(path: str):
    assert classify_source(path) is Source.HUB


def test_a_directory_without_config_may_be_an_orbax_checkpoint(tmp_path: Path):
    assert classify_source(tmp_path) is Source.KERAS_ONLY


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.keras", None, "File not found: filepath="),
        ("not_a_zip.keras", b"plain text", "not a zip archive"),
        ("model.pkl", b"\x80\x04", "File format not supported: filepath="),
        ("missing.pkl", None, "File format not supported: filepath="),
    ],
)
def test_what_keras_rejects_is_rejected_in_its_words(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CorruptArchiveError, match=message) as info:
        classify_source(path)
    assert isinstance(info.value, LayerhubError) and isinstance(info.value, ValueError)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("path", ["gs://bucket/m.keras", "https://x/m.keras"])
def test_sources_layerhub_cannot_analyse_are_refused_in_safe_mode(path: str):
    import layerhub

    with pytest.raises(layerhub.UnsafeArchiveError, match="safe_mode=False"):
        layerhub.load_model(path)
