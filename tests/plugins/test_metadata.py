"""plugins.metadata reads layerhub's entry points as importlib_metadata does, faster:
the same distributions win on a path with duplicates, the same values, and a broken
file is named only when it has a layerhub group."""

from __future__ import annotations

import sys
from pathlib import Path

import importlib_metadata

from layerhub.plugins.discovery import list_entry_points
from layerhub.plugins.metadata import read_entry_points
from layerhub.plugins.registry import ENTRY_POINT_GROUP, STATIC_GROUPS

GROUPS = {ENTRY_POINT_GROUP, *STATIC_GROUPS}


def distribution(site: Path, dirname: str, name: str, entry_points: str) -> Path:
    info = site / dirname
    info.mkdir(parents=True)
    metadata = "METADATA" if dirname.endswith(".dist-info") else "PKG-INFO"
    (info / metadata).write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)
    return info


def test_the_same_entry_points_as_importlib_metadata(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    distribution(first, "Acme_Blocks-1.0.dist-info", "Acme-Blocks", "[layerhub.objects]\n"
                 "Acme>A = acme.layers:A\n# a comment\n  Acme>B=acme.layers:B  \n")  # fmt: skip
    # The same distribution later on the path: hidden, as for imports.
    distribution(second, "acme_blocks-2.0.dist-info", "acme-blocks", "[layerhub]\nx = y\n")
    distribution(second, "hooked-1.0.dist-info", "hooked", "[layerhub]\nhook = hooked.plugin\n"
                 "[console_scripts]\nhooked = hooked:main\n")  # fmt: skip
    distribution(second, "old.egg-info", "old", "[layerhub.schemas]\nOld>A = old:a.schema.json\n")
    distribution(second, "other-1.0.dist-info", "other", "[console_scripts]\nno equals sign\n")
    monkeypatch.setattr(sys, "path", [str(first), str(second)])

    read = read_entry_points(GROUPS)
    assert read is not None and read.broken == []  # "other" has no layerhub group
    mine = sorted((d.group, d.name, d.value) for d in read.declared)
    assert mine == [
        ("layerhub", "hook", "hooked.plugin"),
        ("layerhub.objects", "Acme>A", "acme.layers:A"),
        ("layerhub.objects", "Acme>B", "acme.layers:B"),
        ("layerhub.schemas", "Old>A", "old:a.schema.json"),
    ]
    # importlib_metadata gives up on every entry point for "other"; without it, it agrees.
    (second / "other-1.0.dist-info" / "entry_points.txt").unlink()
    theirs = sorted(
        (ep.group, ep.name, ep.value)
        for ep in importlib_metadata.entry_points()
        if ep.group in GROUPS
    )
    assert mine == theirs
    assert set(read.installed) == {"acme-blocks", "hooked", "old", "other"}
    assert read.installed["acme-blocks"].startswith(str(first))

    points = list_entry_points()
    assert [(p.distribution, p.version) for p in points if p.group != "layerhub"][:2] == [
        ("acme-blocks", "1.0"),
        ("acme-blocks", "1.0"),
    ]


def test_a_broken_layerhub_file_is_named(tmp_path, monkeypatch):
    distribution(tmp_path, "junk-1.0.dist-info", "junk", "[layerhub.objects]\nno equals\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    read = read_entry_points(GROUPS)
    assert read is not None and read.declared == []
    assert read.broken == [str(tmp_path / "junk-1.0.dist-info")]


def test_another_layout_is_left_to_importlib_metadata(tmp_path, monkeypatch):
    archive = tmp_path / "plugins.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip on sys.path
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert read_entry_points(GROUPS) is None
