"""Reading a model directory: an unzipped ``.keras`` (what ``saving_lib`` writes for a
directory path), a KerasHub preset (:mod:`.preset`), or a Hub snapshot of either.

One reader for every directory source, so each gets every check:

- the whole tree is walked first (at most ``max_members`` files and directories) and
  any symbolic link that resolves outside the directory (for a Hub snapshot, outside
  its repository's ``blobs/``) is refused, assets and weights included: Keras and
  KerasHub would read whatever it points at;
- every JSON member goes through :func:`member` (size limit, ``parse_config``'s depth
  limit): ``config.json``, ``metadata.json``, layerhub's manifest and, in a preset, the
  task, preprocessor, tokenizer and converter configs (``ModelArchive.documents``);
- every weights file is inspected for HDF5 hazards and counted in ``StoredWeights``:
  ``model.weights.h5`` (or ``.npz``), ``task.weights.h5``, and the shards a sharded
  ``model.weights.json`` lists (each a plain file name beside it, and present).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import CorruptArchiveError, UnsafeArchiveError
from ..findings import Finding, Severity
from .hdf5_hazards import inspect_h5
from .jsondoc import read_config_file
from .layout import (
    CONFIG_MEMBER,
    MANIFEST_MEMBER,
    METADATA_MEMBER,
    MISSING_WEIGHTS,
    NPZ_WEIGHTS_MEMBER,
    TASK_WEIGHTS_MEMBER,
    WEIGHTS_MEMBER,
    ModelArchive,
    StoredWeights,
)
from .limits import Limits, limit_error
from .npz import inspect_npz
from .preset import document_members, is_preset, listed_shards, shard_index_member

__all__ = ["read_directory", "refuse_links"]


def read_directory(p: Path, limits: Limits, *, links_within: Path | None = None) -> ModelArchive:
    """The configs, metadata and manifest of the directory ``p``, and its weights' hazards.

    A symbolic link is refused unless it resolves inside ``p`` or, when given,
    ``links_within`` (the blobs a huggingface_hub cache snapshot links to).
    """
    refuse_links(p, limits, links_within or p)

    def member(name: str) -> dict[str, Any] | None:
        file = p / name
        if not file.is_file():
            return None
        return read_config_file(file, name, limits)

    config = member(CONFIG_MEMBER)
    if config is None:
        raise CorruptArchiveError(f"{p}: not a Keras archive directory (no {CONFIG_MEMBER})")
    metadata = member(METADATA_MEMBER)
    preset = is_preset(p, metadata)
    documents: list[tuple[str, dict[str, Any]]] = []
    for name in document_members() if preset else ():
        document = member(name)
        if document is not None:
            documents.append((name, document))
    findings: list[Finding] = []
    files = [name for name in (WEIGHTS_MEMBER, TASK_WEIGHTS_MEMBER) if (p / name).is_file()]
    index_name = shard_index_member()
    if (p / index_name).is_file():
        shards, refused = listed_shards(p / index_name, limits)
        findings += refused
        files += shards
    stored = None
    if files:
        stored = StoredWeights()
        for name in files:
            findings += inspect_weights(p / name, name, limits, stored)
    elif (p / NPZ_WEIGHTS_MEMBER).is_file():
        npz = p / NPZ_WEIGHTS_MEMBER
        stored = StoredWeights(size=npz.stat().st_size)
        with open(npz, "rb") as fh:
            findings += inspect_npz(fh, str(npz), NPZ_WEIGHTS_MEMBER, stored)
    if not any((p / name).is_file() for name in (WEIGHTS_MEMBER, index_name, NPZ_WEIGHTS_MEMBER)):
        findings.insert(0, MISSING_WEIGHTS)
    return ModelArchive(
        str(p),
        "preset" if preset else "keras-dir",
        config,
        metadata,
        member(MANIFEST_MEMBER),
        tuple(findings),
        stored,
        tuple(documents),
    )


def inspect_weights(file: Path, name: str, limits: Limits, stored: StoredWeights) -> list[Finding]:
    """The HDF5 hazards of one weights file; its weights and bytes added to ``stored``."""
    size = file.stat().st_size
    own = StoredWeights(size=size)  # the pure reader starts over when h5py takes over
    with open(file, "rb") as fh:
        findings = inspect_h5(fh, str(file), size, limits, name, own)
    stored.elements += own.elements
    stored.bytes += own.bytes
    return findings


def refuse_links(root: Path, limits: Limits, within: Path) -> None:
    """Refuse every symbolic link under ``root`` (files and directories, at any depth)
    that resolves outside ``within``, in one UnsafeArchiveError with a ``symlink``
    finding each, located ``member:<relative path>``. Links are listed, never followed."""
    inside = within.resolve()
    findings: list[Finding] = []
    count = 0
    for top, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            count += 1
            if count > limits.max_members:
                raise limit_error(
                    f"{root}: over {limits.max_members} files and directories",
                    "too-many-members",
                    "member:",
                    "MAX_MEMBERS",
                )
            path = Path(top, name)
            if path.is_symlink() and not linked_within(path, inside):
                relative = path.relative_to(root).as_posix()
                message = f"{path}: a symbolic link to {os.readlink(path)!r}, outside {within}"
                location = f"member:{relative}"
                findings.append(Finding("symlink", Severity.CRITICAL, message, location))
    if findings:
        listing = "; ".join(f.message for f in findings)
        raise UnsafeArchiveError(f"{root}: refused {len(findings)} link(s): {listing}", findings)


def linked_within(file: Path, root: Path) -> bool:
    try:
        return file.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop of links leads nowhere
        return False
