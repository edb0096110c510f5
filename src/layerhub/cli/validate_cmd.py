"""``layerhub validate FILE...``: check saved models against every schema, without keras.

Each file's config is read (never its weights) and checked against layerhub's schemas
for ``config.json``, ``metadata.json`` and layerhub's provenance manifest
(``layerhub.json``), and every plugin object's config against its plugin's schema.
Exit 0 when every file is valid, 1 when any has a violation, 2 when any file cannot be
read at all (that file is reported, the others are still checked).
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..archive.layout import MANIFEST_MEMBER
from ..archive.reader import read_archive
from ..errors import CorruptArchiveError, SchemaViolation
from ..plugins.discovery import get_registry
from ..references.walk import custom_references
from ..schemas.plugin import Unchecked, check_references
from ..schemas.shipped import CONFIG_SCHEMA, MANIFEST_SCHEMA, METADATA_SCHEMA
from ..schemas.violations import check_document
from .output import emit_json

__all__ = ["register", "run"]

#: What each format calls the parts layerhub validates (``.h5`` keeps them in attributes).
MEMBERS = {"h5": ("model_config", "attributes")}
DEFAULT_MEMBERS = ("config.json", "metadata.json")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate",
        help="check saved models against layerhub's and the plugins' schemas",
        description=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help=".keras, .h5, model dir or hf://..."
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


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
    report = check_references(
        custom_references(archive.config), get_registry(), member=config_member
    )
    return FileResult(
        path,
        archive.format,
        checked=report.checked,
        violations=violations + report.violations,
        unchecked=report.unchecked,
    )


def run(args: argparse.Namespace) -> int:
    results = [validate_file(path) for path in args.files]
    if args.json:
        emit_json({"valid": all(r.valid for r in results), "files": [r.as_dict() for r in results]})
    else:
        for result in results:
            print_result(result)
    if any(r.error for r in results):
        return 2
    return 0 if all(r.valid for r in results) else 1


def print_result(result: FileResult) -> None:
    if result.error:
        print(f"{result.path}: unusable\n  {result.error}")
        return
    counts = f"{result.checked} plugin object(s) checked, {len(result.unchecked)} unchecked"
    verdict = "valid" if result.valid else f"{len(result.violations)} violation(s)"
    print(f"{result.path}: {verdict} ({counts})")
    for violation in result.violations:
        print(f"  {violation.describe()}")
    reasons = Counter((u.name, u.reason) for u in result.unchecked)
    for (name, reason), count in reasons.items():
        times = f" ({count} places)" if count > 1 else ""
        print(f"  unchecked: {name!r}{times}: {reason}")
