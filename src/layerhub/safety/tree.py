"""The artifacts of a tree: what ``layerhub scan PATH...`` scans when a path is a folder.

A model zoo is a folder of folders. A directory that is itself a model (it holds a
``config.json``: an unzipped ``.keras``, a KerasHub preset, a Hub snapshot) is one
artifact; any other directory is walked for the files Keras reads (``.keras``, ``.h5``
and ``.hdf5``, ``.weights.h5``, ``.weights.json``, ``.npz``) and for model directories.
A path named on the command line is scanned whatever its suffix, as before.

Links are never followed out of the tree: a symbolic link whose target resolves outside
the directory being walked is skipped (and listed, so the report says so), a linked
directory is never descended (its target, when inside, is walked on its own), and a
directory that cannot be listed is listed as skipped: one unreadable folder never stops
the run. The order is deterministic (sorted names, depth first), so two runs over the
same tree report the same artifacts in the same order, whatever ``--jobs`` says.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from ..archive.layout import CONFIG_MEMBER, H5_SUFFIXES, METADATA_MEMBER
from ..archive.sources import is_hub
from ..archive.weights_file import WEIGHTS_SUFFIXES

__all__ = ["ARTIFACT_SUFFIXES", "Skipped", "Tree", "find_artifacts"]

#: The files a walk scans: models (``.keras``, legacy HDF5) and the weights-only files
#: ``scan`` reads (:data:`~layerhub.archive.weights_file.WEIGHTS_SUFFIXES`).
ARTIFACT_SUFFIXES = (".keras", *H5_SUFFIXES, *WEIGHTS_SUFFIXES)


class Skipped(NamedTuple):
    """A path a walk did not scan, and why."""

    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


class Tree(NamedTuple):
    """What the paths given to ``scan`` hold: the ``artifacts``, in order, and what was
    ``skipped`` (:class:`Skipped`: a ``path`` and its ``reason``).

    Added in version 0.2.0.
    """

    artifacts: list[str]
    skipped: list[Skipped]


def find_artifacts(paths: Iterable[str], *, changed: bool = False) -> Tree:
    """The artifacts under each of ``paths`` (each path that is not a walked directory is
    one artifact itself), without duplicates, in the order given and then walk order.

    ``changed=True`` reads ``paths`` as the files a commit changes (pre-commit hands
    them over one by one): a file inside a model directory stands for that directory
    (:func:`model_dir_of`), a file with a suffix scan reads is itself, and any other
    file is left out without a word (a repository's own JSON files are none of scan's
    business).

    Added in version 0.2.0.
    """
    artifacts: dict[str, None] = {}
    skipped: list[Skipped] = []
    for path in paths:
        if changed and os.path.isfile(path):
            owner = model_dir_of(path)
            if owner is not None:
                artifacts.setdefault(owner, None)
            elif path.lower().endswith(ARTIFACT_SUFFIXES):
                artifacts.setdefault(path, None)
            continue
        if is_hub(path) or not os.path.isdir(path) or is_model_dir(path):
            artifacts.setdefault(path, None)
            continue
        for found in walk(path, skipped):
            artifacts.setdefault(found, None)
    return Tree(list(artifacts), skipped)


def is_model_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, CONFIG_MEMBER))


def model_dir_of(path: str) -> str | None:
    """The nearest directory above the file ``path`` that Keras or KerasHub wrote: it
    holds a ``config.json`` and a ``metadata.json`` (an unzipped ``.keras``, a preset).
    A ``config.json`` alone says nothing: every kind of project has one."""
    for parent in Path(path).parents:
        if parent == Path(".") or parent == Path(parent.anchor):
            break
        if (parent / CONFIG_MEMBER).is_file() and (parent / METADATA_MEMBER).is_file():
            return str(parent)
    return None


def walk(root: str, skipped: list[Skipped]) -> list[str]:
    inside = Path(root).resolve()
    found: list[str] = []
    stack = [root]
    while stack:
        top = stack.pop()
        try:
            with os.scandir(top) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(top, f"unreadable directory ({exc.strerror or exc})"))
            continue
        subdirs: list[str] = []
        for entry in entries:
            path = os.path.join(top, entry.name)
            if entry.is_symlink():
                if not within(path, inside):
                    skipped.append(Skipped(path, "a symbolic link out of the tree"))
                    continue
                if entry.is_dir():  # its target, inside the tree, is walked on its own
                    skipped.append(Skipped(path, "a symbolic link to a directory in the tree"))
                    continue
            if entry.is_dir(follow_symlinks=False):
                if is_model_dir(path):
                    found.append(path)
                else:
                    subdirs.append(path)
            elif entry.name.lower().endswith(ARTIFACT_SUFFIXES):
                found.append(path)
        stack.extend(reversed(subdirs))  # depth first, in name order
    return found


def within(path: str, inside: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(inside)
    except (OSError, RuntimeError):  # a loop of links leads nowhere
        return False
