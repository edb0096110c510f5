"""The Keras 3 archive layout (``saving_lib``), and what the reader returns for a file."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..findings import Finding, Severity
from ..pointer import resolve

__all__ = [
    "ASSETS_DIR",
    "CONFIG_MEMBER",
    "H5_SUFFIXES",
    "KNOWN_MEMBERS",
    "MANIFEST_MEMBER",
    "METADATA_MEMBER",
    "MISSING_WEIGHTS",
    "NPZ_WEIGHTS_MEMBER",
    "TASK_WEIGHTS_MEMBER",
    "WEIGHTS_MEMBER",
    "ModelArchive",
    "StoredWeights",
]

CONFIG_MEMBER = "config.json"
METADATA_MEMBER = "metadata.json"
WEIGHTS_MEMBER = "model.weights.h5"
NPZ_WEIGHTS_MEMBER = "model.weights.npz"
#: A KerasHub task's own weights, beside the backbone's (:mod:`.preset`).
TASK_WEIGHTS_MEMBER = "task.weights.h5"
MANIFEST_MEMBER = "layerhub.json"
ASSETS_DIR = "assets/"
H5_SUFFIXES = (".h5", ".hdf5")
#: Members Keras 3 writes (``saving_lib``) plus layerhub's own manifest.
KNOWN_MEMBERS = frozenset(
    {CONFIG_MEMBER, METADATA_MEMBER, WEIGHTS_MEMBER, NPZ_WEIGHTS_MEMBER, MANIFEST_MEMBER}
)
#: Keras cannot load an archive without weights; reading its config is still useful
#: (``resolve``, ``validate``), so this is a finding rather than an error.
MISSING_WEIGHTS = Finding(
    "missing-weights",
    Severity.HIGH,
    f"no {WEIGHTS_MEMBER} or {NPZ_WEIGHTS_MEMBER}: Keras cannot load this archive",
    f"member:{WEIGHTS_MEMBER}",
)


class StoredWeights:
    """What the weights of a file hold, tallied while their hazards are inspected:
    ``elements`` over every dataset (or array) declared, ``bytes`` of the weights file
    itself. The resource budget (:mod:`layerhub.safety.budget`) compares a config's
    declared weights with these."""

    __slots__ = ("bytes", "elements")

    def __init__(self, elements: int = 0, size: int = 0) -> None:
        self.elements, self.bytes = elements, size

    def __repr__(self) -> str:
        return f"StoredWeights(elements={self.elements}, bytes={self.bytes})"


class ModelArchive(NamedTuple):
    """What layerhub needs from a saved model, read once: its config and metadata."""

    path: str
    format: str  # "keras" (zip), "keras-dir", "preset" (KerasHub) or "h5"
    config: dict[str, Any]
    metadata: dict[str, Any] | None = None
    manifest: dict[str, Any] | None = None
    #: hazards found while reading (member names, HDF5 links and shapes).
    findings: tuple[Finding, ...] = ()
    #: what the weights hold; None when the file has no weights to count.
    stored: StoredWeights | None = None
    #: the other serialized objects of a KerasHub preset, member name -> parsed JSON
    #: (``task.json``, ``preprocessor.json``, ``tokenizer.json``, the converters), in the
    #: order of ``data/keras_hub_preset.json``; ``config.json`` stays in :attr:`config`.
    documents: tuple[tuple[str, dict[str, Any]], ...] = ()

    def resolve(self, location: str, default: Any = None) -> Any:
        """The value at ``location``: a JSON pointer into :attr:`config`, or
        ``<member>#<pointer>`` into one of the :attr:`documents` (how
        :func:`layerhub.references.walk.walk_documents` names what it finds there)."""
        if location and not location.startswith("/"):
            name, _, inner = location.partition("#")
            for member, document in self.documents:
                if member == name:
                    return resolve(document, inner, default)
            return default
        return resolve(self.config, location, default)
