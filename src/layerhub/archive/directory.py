"""Reading an unzipped ``.keras`` directory (what ``saving_lib`` writes for a directory path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import CorruptArchiveError, UnsafeArchiveError
from ..findings import Finding, Severity
from .hdf5_hazards import inspect_h5
from .jsondoc import parse_config
from .layout import (
    CONFIG_MEMBER,
    MANIFEST_MEMBER,
    METADATA_MEMBER,
    MISSING_WEIGHTS,
    NPZ_WEIGHTS_MEMBER,
    WEIGHTS_MEMBER,
    ModelArchive,
    StoredWeights,
)
from .limits import Limits, limit_error
from .npz import inspect_npz

__all__ = ["read_directory"]


def read_directory(p: Path, limits: Limits, *, links_within: Path | None = None) -> ModelArchive:
    """The config, metadata and manifest of the directory ``p``, and its weights' hazards.

    A symbolic link is refused unless it resolves inside ``links_within`` (the blobs a
    huggingface_hub cache snapshot links to).
    """

    def member(name: str) -> dict[str, Any] | None:
        file = p / name
        if not file.is_file():
            return None
        if file.is_symlink() and not linked_within(file, links_within):
            message = f"{file}: a symbolic link, which may point anywhere"
            raise UnsafeArchiveError(
                message, [Finding("symlink", Severity.CRITICAL, message, f"member:{name}")]
            )
        if file.stat().st_size > limits.max_config_bytes:
            raise limit_error(
                f"{file}: over the limit of {limits.max_config_bytes} bytes",
                "config-too-large",
                f"member:{name}",
                "MAX_CONFIG_BYTES",
            )
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CorruptArchiveError(f"{file}: unreadable ({exc})") from None
        return parse_config(data, str(file), limits)

    config = member(CONFIG_MEMBER)
    if config is None:
        raise CorruptArchiveError(f"{p}: not a Keras archive directory (no {CONFIG_MEMBER})")
    findings: list[Finding] = []
    weights = p / WEIGHTS_MEMBER
    if not weights.is_file() and not (p / NPZ_WEIGHTS_MEMBER).is_file():
        findings.append(MISSING_WEIGHTS)
    stored = None
    if weights.is_file():
        with open(weights, "rb") as fh:
            size = weights.stat().st_size
            stored = StoredWeights(size=size)
            findings += inspect_h5(fh, str(weights), size, limits, WEIGHTS_MEMBER, stored)
    elif (p / NPZ_WEIGHTS_MEMBER).is_file():
        npz = p / NPZ_WEIGHTS_MEMBER
        stored = StoredWeights(size=npz.stat().st_size)
        with open(npz, "rb") as fh:
            findings += inspect_npz(fh, str(npz), NPZ_WEIGHTS_MEMBER, stored)
    return ModelArchive(
        str(p),
        "keras-dir",
        config,
        member(METADATA_MEMBER),
        member(MANIFEST_MEMBER),
        tuple(findings),
        stored,
    )


def linked_within(file: Path, root: Path | None) -> bool:
    return root is not None and file.resolve().is_relative_to(root.resolve())
