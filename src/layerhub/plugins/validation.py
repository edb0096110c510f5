"""Validating saved models and plugin schemas, without keras: what ``layerhub validate``
and ``layerhub schema check`` report.

It lives in ``plugins`` because both need the registry (which plugin's schema applies to
which object), and ``schemas`` sits below it. Discovery runs only when a file could be
read: an unreadable file costs no plugin import and no plugin warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..archive.layout import MANIFEST_MEMBER
from ..archive.reader import read_archive
from ..errors import CorruptArchiveError, SchemaViolation
from ..references.walk import custom_references
from ..schemas.plugin import Unchecked, check_references, schema_problem
from ..schemas.shipped import CONFIG_SCHEMA, MANIFEST_SCHEMA, METADATA_SCHEMA
from ..schemas.violations import check_document
from .discovery import get_registry

__all__ = ["FileResult", "SchemaStatus", "plugin_schemas", "validate_file"]

#: What each format calls the parts layerhub validates (``.h5`` keeps them in attributes).
MEMBERS = {"h5": ("model_config", "attributes")}
DEFAULT_MEMBERS = ("config.json", "metadata.json")


@dataclass
class FileResult:
    """What validating one file found; ``error`` says why it could not be read at all."""

    path: str
    format: str | None = None
    error: str | None = None
    checked: int = 0
    violations: list[SchemaViolation] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.error is None and not self.violations

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "valid": self.valid,
            "error": self.error,
            "checked": self.checked,
            "violations": [v.as_dict() for v in self.violations],
            "unchecked": [u._asdict() for u in self.unchecked],
        }


def validate_file(path: str) -> FileResult:
    """Check one saved model (``.keras``, ``.h5``, a directory or ``hf://``) against
    layerhub's schemas for its config, metadata and provenance manifest, and every plugin
    object's config against its plugin's schema. Reads no weights, imports no keras."""
    try:
        archive = read_archive(path, weights=False)
    except CorruptArchiveError as exc:
        return FileResult(path, error=str(exc))
    config_member, metadata_member = MEMBERS.get(archive.format, DEFAULT_MEMBERS)
    violations = check_document(CONFIG_SCHEMA, archive.config, config_member)
    if archive.metadata is not None:
        violations += check_document(METADATA_SCHEMA, archive.metadata, metadata_member)
    if archive.manifest is not None:
        violations += check_document(MANIFEST_SCHEMA, archive.manifest, MANIFEST_MEMBER)
    for member, document in archive.documents:  # a preset's task, tokenizer...
        violations += check_document(CONFIG_SCHEMA, document, member)
    report = check_references(
        custom_references(archive.config, archive.documents),
        get_registry(),
        member=config_member,
    )
    return FileResult(
        path,
        archive.format,
        checked=report.checked,
        violations=violations + report.violations,
        unchecked=report.unchecked,
    )


@dataclass(frozen=True)
class SchemaStatus:
    """One registered schema and what is wrong with it (``problem``, empty when usable)."""

    name: str
    distribution: str
    version: str
    file: str | None  # the packaged file a schema reference names; None for a dict
    problem: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def plugin_schemas() -> list[SchemaStatus]:
    """Every installed plugin's schema checked against the meta-schema now, by name."""
    return [
        SchemaStatus(
            entry.name,
            entry.provider.distribution,
            entry.provider.version,
            entry.schema if isinstance(entry.schema, str) else None,
            schema_problem(entry.schema),
        )
        for entry in sorted(get_registry(), key=lambda e: e.name)
        if entry.schema is not None
    ]
