"""The safe archive reader on real Keras archives: every limit, every member-name hazard,
every way to be corrupt -- each a one-line LayerhubError naming the file and member."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hostile_corpus import nest, rewrite_zip

from layerhub.archive.jsondoc import parse_json
from layerhub.archive.limits import Limits
from layerhub.archive.reader import read_archive
from layerhub.archive.zipped import member_name_findings
from layerhub.errors import ConfigurationError, CorruptArchiveError, UnsafeArchiveError


@pytest.fixture(scope="module")
def seed(seed_models: Path) -> Path:
    return seed_models / "seed.keras"


def refused(path: Path, limits: Limits, code: str) -> UnsafeArchiveError:
    with pytest.raises(UnsafeArchiveError) as info:
        read_archive(path, limits)
    assert [f.code for f in info.value.findings] == [code]
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    return info.value


def test_the_seed_archive_reads_within_the_default_limits(seed):
    archive = read_archive(seed)
    assert archive.format == "keras" and archive.findings == ()
    assert archive.config["class_name"] == "Functional"


def test_member_count_limit(seed):
    error = refused(seed, Limits(max_members=2), "too-many-members")
    assert "3 members, over the limit of 2" in str(error)
    assert "LAYERHUB_MAX_MEMBERS" in str(error)


def test_member_size_limit_names_the_member(seed):
    error = refused(seed, Limits(max_member_bytes=20_000), "member-too-large")
    assert "model.weights.h5" in str(error)


def test_total_size_limit(seed):
    refused(seed, Limits(max_total_bytes=50_000), "archive-too-large")


def test_compression_ratio_limit(seed, tmp_path):
    bomb = rewrite_zip(
        seed,
        tmp_path / "bomb.keras",
        extra=(("assets/zeros", bytes(2_000_000)),),
        compression=zipfile.ZIP_DEFLATED,
    )
    refused(bomb, Limits(ratio_floor_bytes=1_000_000), "zip-bomb")
    # Below the floor a high ratio is harmless: the same file reads with the defaults.
    assert read_archive(bomb).config


def test_config_size_limit(seed):
    error = refused(seed, Limits(max_config_bytes=1000), "config-too-large")
    assert "config.json" in str(error) and "LAYERHUB_MAX_CONFIG_BYTES" in str(error)


def test_json_depth_limit_never_raises_recursion_error(seed, tmp_path):
    for depth in (150, 1_000_000):
        data = nest(depth)
        deep = rewrite_zip(seed, tmp_path / f"deep{depth}.keras", config=lambda c, d=data: d)
        refused(deep, Limits(), "json-depth")
    with pytest.raises(UnsafeArchiveError):
        parse_json(b"[" * 10_000_000, "x")


def test_limits_come_from_the_environment(monkeypatch, seed):
    monkeypatch.setenv("LAYERHUB_MAX_MEMBERS", "2")
    monkeypatch.setenv("LAYERHUB_MAX_RATIO", "2.5")
    monkeypatch.setenv("LAYERHUB_ALLOWED_MEMBERS", "extra/*, notes.txt")
    limits = Limits.from_env()
    assert limits.max_members == 2 and limits.max_ratio == 2.5
    assert limits.allowed_members == ("extra/*", "notes.txt")
    with pytest.raises(UnsafeArchiveError):
        read_archive(seed)
    monkeypatch.setenv("LAYERHUB_MAX_MEMBERS", "lots")
    with pytest.raises(ConfigurationError, match="LAYERHUB_MAX_MEMBERS: expected a number"):
        read_archive(seed)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("../evil.py", "path-traversal"),
        ("assets/../../evil.py", "path-traversal"),
        ("/etc/cron.d/evil", "absolute-member"),
        ("C:/evil", "absolute-member"),
        ("assets\\evil", "backslash-member"),
        ("assets/a\x01b", "control-character-member"),
        ("payload.py", "unknown-member"),
        ("config.json", "duplicate-member"),
    ],
)
def test_member_name_hazards_in_a_real_archive(seed, tmp_path, name, code):
    path = rewrite_zip(seed, tmp_path / "hazard.keras", extra=((name, b"{}"),))
    findings = read_archive(path).findings
    assert [(f.code, f.location) for f in findings] == [(code, f"member:{name}")]


def test_allowed_members_are_not_findings(seed, tmp_path):
    path = rewrite_zip(seed, tmp_path / "extra.keras", extra=(("notes/readme.txt", b"x"),))
    assert read_archive(path, Limits(allowed_members=("notes/*",))).findings == ()
    # an allow-list never excuses traversal
    assert member_name_findings(["notes/../../x"], Limits(allowed_members=("notes/*",)))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (dict(drop=("config.json",)), "not a Keras archive (no config.json)"),
        (dict(config=lambda c: b"{"), "config.json: not valid JSON"),
        (dict(config=lambda c: b'"text"'), "config.json: expected a JSON object, got str"),
        (dict(config=lambda c: b"\xff\xfe"), "config.json: not valid JSON"),
        (dict(replace={"metadata.json": b"[]"}), "metadata.json: expected a JSON object"),
        (dict(replace={"model.weights.h5": b"not hdf5"}), "model.weights.h5: not a readable"),
    ],
)
def test_broken_members_are_corrupt_archives(seed, tmp_path, edit, message):
    path = rewrite_zip(seed, tmp_path / "broken.keras", **edit)
    with pytest.raises(CorruptArchiveError) as info:
        read_archive(path)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)


def test_non_zip_and_truncated_files_are_corrupt_not_file_not_found(seed, tmp_path):
    data = seed.read_bytes()
    cases = {
        "text.keras": b"hello",
        "empty.keras": b"",
        "truncated.keras": data[: len(data) - 100],
        "head.keras": data[:64],
        "hdf5.keras": (seed.parent / "seed.h5").read_bytes(),
        "zip.h5": data,
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(CorruptArchiveError) as info:
            read_archive(path)
        assert str(path) in str(info.value) and "no such file" not in str(info.value)
    with pytest.raises(CorruptArchiveError, match="no such file or directory"):
        read_archive(tmp_path / "absent.keras")


def test_an_unzipped_archive_directory_reads_and_is_checked(seed, tmp_path):
    directory = tmp_path / "model_dir"
    with zipfile.ZipFile(seed) as zf:
        zf.extractall(directory)
    archive = read_archive(directory)
    assert archive.format == "keras-dir" and archive.config["class_name"] == "Functional"
    config = (directory / "config.json").read_bytes()
    (directory / "config.json").write_bytes(nest(500))
    with pytest.raises(UnsafeArchiveError, match="nested deeper than 100"):
        read_archive(directory)
    (directory / "config.json").write_bytes(config)
    (directory / "model.weights.h5").unlink()
    assert [f.code for f in read_archive(directory).findings] == ["missing-weights"]


def test_an_archive_without_weights_reads_but_is_a_finding(seed, tmp_path):
    path = rewrite_zip(seed, tmp_path / "no_weights.keras", drop=("model.weights.h5",))
    assert [f.code for f in read_archive(path).findings] == ["missing-weights"]


def overlapping(seed: Path, out: Path) -> Path:
    """A real archive plus a second central-directory entry pointing at the same data as
    ``assets/a``: the building block of non-recursive zip bombs."""
    rewrite_zip(seed, out, extra=(("assets/a", b"x" * 1000),))
    data = bytearray(out.read_bytes())
    record_at = data.rfind(b"PK\x01\x02")  # the last central record: assets/a
    eocd_at = data.rfind(b"PK\x05\x06")
    record = bytes(data[record_at:eocd_at]).replace(b"assets/a", b"assets/b")
    eocd = bytearray(data[eocd_at:])
    for offset in (8, 10):  # entries on this disk, entries in all
        count = int.from_bytes(eocd[offset : offset + 2], "little") + 1
        eocd[offset : offset + 2] = count.to_bytes(2, "little")
    size = int.from_bytes(eocd[12:16], "little") + len(record)
    eocd[12:16] = size.to_bytes(4, "little")
    out.write_bytes(bytes(data[:eocd_at]) + record + bytes(eocd))
    return out


def test_overlapping_members_are_refused(seed, tmp_path):
    path = overlapping(seed, tmp_path / "overlap.keras")
    with zipfile.ZipFile(path) as zf:  # a valid central directory: both names listed
        assert zf.namelist()[-2:] == ["assets/a", "assets/b"]
    error = refused(path, Limits(), "overlapping-members")
    assert "assets/a" in str(error)
