"""The KerasHub preset layout, as data: which member of a preset directory is what.

A preset is the directory KerasHub's ``save_to_preset`` writes: ``config.json`` (the
backbone) and ``metadata.json`` as in an unzipped ``.keras`` directory, plus the configs
of the task, preprocessor, tokenizer and converters, the task's weights, sharded
weights (``model.weights.json`` and the shards it lists) and ``assets/``. The member
names are KerasHub's own constants, shipped in ``data/keras_hub_preset.json``
(``scripts/update_keras_hub_preset.py``), so reading a preset imports neither keras
nor keras_hub. :mod:`.directory` reads presets like every directory source.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from .. import data
from ..errors import CorruptArchiveError
from ..findings import Finding, Severity
from ..pointer import child
from .jsondoc import read_config_file
from .limits import Limits

__all__ = [
    "document_members",
    "is_preset",
    "listed_shards",
    "members",
    "shard_index_member",
    "shard_names",
]

#: The roles whose members are serialized Keras objects, besides ``config.json``: read
#: and walked like it (``ModelArchive.documents``).
DOCUMENT_ROLES = (
    "task-config",
    "preprocessor-config",
    "tokenizer-config",
    "audio-converter-config",
    "image-converter-config",
    "video-converter-config",
)
#: Roles an unzipped ``.keras`` directory has too, which therefore say nothing.
SHARED_ROLES = frozenset({"backbone-config", "metadata", "weights", "assets-dir"})
SHARD_INDEX_ROLE = "sharded-weights-index"


@functools.cache
def members() -> dict[str, str]:
    """Every member name of a preset and its role (``"task.json": "task-config"``)."""
    return json.loads(data.read("data/keras_hub_preset.json"))["members"]


def role_members(*roles: str) -> tuple[str, ...]:
    return tuple(name for name, role in members().items() if role in roles)


def document_members() -> tuple[str, ...]:
    """The JSON members holding serialized objects besides ``config.json``, in walk order."""
    return role_members(*DOCUMENT_ROLES)


def shard_index_member() -> str:
    """``model.weights.json``: the index of a preset's sharded weights."""
    return role_members(SHARD_INDEX_ROLE)[0]


def is_preset(directory: Path, metadata: dict[str, Any] | None) -> bool:
    """Whether a directory with a ``config.json`` is a KerasHub preset: it holds a member
    only presets have, or its metadata names the KerasHub version that wrote it."""
    if isinstance(metadata, dict) and "keras_hub_version" in metadata:
        return True
    return any(
        (directory / name).exists() for name, role in members().items() if role not in SHARED_ROLES
    )


def shard_names(index: Any, where: str, member: str) -> tuple[list[str], list[Finding]]:
    """The shard files a sharded-weights index (Keras's ``ShardedH5IOStore``: a
    ``weight_map`` from variable paths to a file name or a list of them) lists, in order,
    and a finding for each name that is not a plain file name beside the index."""
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict):
        raise CorruptArchiveError(f"{where}: not a sharded weights index (no weight_map)")
    names: dict[str, None] = {}
    findings: list[Finding] = []
    for key, value in weight_map.items():
        listed = value if isinstance(value, list) else [value]
        for i, name in enumerate(listed):
            at = child("/weight_map", key) + (f"/{i}" if isinstance(value, list) else "")
            if not isinstance(name, str) or not name:
                raise CorruptArchiveError(f"{where}: {at} is not a shard file name")
            if name in names:
                continue
            if "/" in name or "\\" in name or name in (".", "..") or ":" in name:
                message = f"{where}: shard {name!r} at {at} is not a file beside the index"
                findings.append(
                    Finding("path-traversal", Severity.CRITICAL, message, f"{member}#{at}")
                )
                continue
            names[name] = None
    return list(names), findings


def listed_shards(index: Path, limits: Limits) -> tuple[list[str], list[Finding]]:
    """The shards the sharded-weights index ``index`` lists (:func:`shard_names`, the
    index read like every JSON file of a directory source), each checked to be beside it,
    and a finding for each name that is not a plain file name."""
    names, refused = shard_names(
        read_config_file(index, index.name, limits), str(index), index.name
    )
    for name in names:
        if not (index.parent / name).is_file():
            raise CorruptArchiveError(
                f"{index}: lists the shard {name}, which is not in {index.parent}"
            )
    return names, refused
