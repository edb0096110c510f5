"""The entry points of layerhub's groups, read straight from the installed metadata.

Why not ``importlib.metadata.entry_points()``: it parses every installed distribution's
``entry_points.txt`` into ``EntryPoint`` objects, hundreds of which are not layerhub's,
and the static declaration (``layerhub.objects``) promised a first discovery within
1.5 times that bare scan (issue 26). This reads the same files the same way (every
``sys.path`` entry in order, the first distribution of each normalised name wins, as
``importlib.metadata`` and imports decide), but skips a file without ``[layerhub`` in it
before parsing, and takes a wheel's name and version from its ``.dist-info`` directory's
name.

It answers only for the plain layout: ``sys.path`` entries that are directories, and no
import finder but the path finder that provides distributions. Anything else (a zip on
``sys.path``, a custom finder) gets ``None``, and discovery asks ``importlib_metadata``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection
from importlib.machinery import PathFinder
from typing import NamedTuple

from ..names import normalize_name
from ..signals import MalformedMetadata

__all__ = ["Declared", "Metadata", "read_entry_points"]

SUFFIXES = (".dist-info", ".egg-info")


class Declared(NamedTuple):
    """One entry point of one of the wanted groups, and where its distribution lives."""

    path: str  # the metadata directory
    normalized: str  # the distribution's normalised name
    group: str
    name: str
    value: str


class Metadata(NamedTuple):
    """What one read of the installed metadata found."""

    declared: list[Declared]
    #: Metadata directories whose ``entry_points.txt`` does not parse.
    broken: list[str]
    #: Every installed distribution: normalised name -> its metadata directory (what
    #: discovery asks of the trusted and curated indexes' distributions, for free).
    installed: dict[str, str]


def plain_layout() -> bool:
    """Whether distributions can only come from directories on ``sys.path``."""
    for finder in sys.meta_path:
        if finder is PathFinder or not hasattr(finder, "find_distributions"):
            continue
        module = getattr(finder, "__module__", "") or type(finder).__module__
        if not module.startswith(("importlib_metadata", "importlib.metadata")):
            return False
    return True


def read_entry_points(groups: Collection[str]) -> Metadata | None:
    """The entry points of ``groups`` of every installed distribution; ``None`` when the
    layout is not plain (see the module's docstring)."""
    if not plain_layout():
        return None
    seen: dict[str, str] = {}
    found: list[Declared] = []
    broken: list[str] = []
    for entry in sys.path:
        if not isinstance(entry, str):
            continue
        directory = entry or os.curdir
        try:
            names = os.listdir(directory)
        except NotADirectoryError:
            return None  # a zip or an egg file: importlib_metadata reads those
        except OSError:
            continue
        for name in names:
            if not name.endswith(SUFFIXES):
                continue
            normalized = normalize_name(name.rpartition(".")[0].partition("-")[0])
            if normalized in seen:
                continue
            path = seen[normalized] = os.path.join(directory, name)
            try:
                with open(os.path.join(path, "entry_points.txt"), encoding="utf-8") as file:
                    text = file.read()
            except (OSError, ValueError):
                continue
            if "[layerhub" not in text:
                continue
            try:
                found += [Declared(path, normalized, *row) for row in parse(text, groups)]
            except MalformedMetadata:
                broken.append(path)
    return Metadata(found, broken, seen)


def parse(text: str, groups: Collection[str]) -> list[tuple[str, str, str]]:
    """``(group, name, value)`` of ``groups``, as ``importlib.metadata`` reads the file."""
    rows = []
    group = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip()
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise MalformedMetadata(line)
        if group in groups:
            rows.append((group, name.strip(), value.strip()))
    return rows
