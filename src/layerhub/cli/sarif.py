"""``layerhub scan --format sarif``: the reports as a SARIF 2.1.0 log, for code scanning.

GitHub and GitLab code scanning read SARIF (OASIS, version 2.1.0). The log has one run
of the ``layerhub`` tool with one rule per finding code (its help from
:mod:`layerhub.safety.rules`) and one result per finding:

- ``level`` from the severity: critical and high are ``error``, medium ``warning``, low
  and info ``note``; the severity itself is in the result's ``properties`` and, as
  GitHub's ``security-severity`` score, in the rule's;
- the physical location is the file as a URI relative to the working directory
  (``uriBaseId`` ``%SRCROOT%``), or absolute outside it; inside a model directory, the
  member the finding is about when it is a file of its own (``task.json``);
- the logical location is the member and JSON pointer, ``config.json#/config/layers/3``
  (``model_config#/...`` in a legacy ``.h5``), named after the object the config holds
  there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..archive.layout import CONFIG_MEMBER
from ..findings import Finding, Severity
from ..safety.rules import help_for
from ..safety.scan import ScanReport
from ..version import __version__

__all__ = ["SARIF_SCHEMA", "sarif_log"]

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
#: GitHub's ``security-severity`` (CVSS-like, 0.0-10.0) per severity.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def sarif_log(reports: Sequence[ScanReport], root: str | None = None) -> dict[str, Any]:
    """The SARIF log of ``reports``; URIs are relative to ``root`` (the working directory)."""
    base = Path(os.path.abspath(root or os.getcwd()))
    worst: dict[str, Severity] = {}  # each code's worst severity, in one pass
    for finding in (f for r in reports for f in r.findings):
        worst[finding.code] = max(worst.get(finding.code, finding.severity), finding.severity)
    codes = sorted(worst)
    index = {code: i for i, code in enumerate(codes)}
    results = [
        result(report, finding, index[finding.code], base)
        for report in reports
        for finding in report.findings
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "layerhub",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [rule(code, worst[code]) for code in codes],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri() + "/"}},
                "invocations": [{"executionSuccessful": True}],
                "results": results,
            }
        ],
    }


def rule(code: str, worst: Severity) -> dict[str, Any]:
    text = help_for(code)
    return {
        "id": code,
        "name": "".join(part.capitalize() for part in code.split("-")),
        "shortDescription": {"text": text.split(": ")[0].rstrip(".") + "."},
        "fullDescription": {"text": text},
        "help": {"text": f"{text} See docs/security.md, code {code}."},
        "defaultConfiguration": {"level": LEVELS[worst]},
        "properties": {"tags": ["security"], "security-severity": SECURITY_SEVERITY[worst]},
    }


def result(report: ScanReport, finding: Finding, rule_index: int, base: Path) -> dict[str, Any]:
    member, pointer = member_and_pointer(report.format, finding.location)
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": uri(report, member, base)}}
    if member or pointer:
        qualified = member + (f"#{pointer}" if pointer else "")
        logical: dict[str, Any] = {"fullyQualifiedName": qualified, "kind": "object"}
        logical["name"] = finding.object or qualified
        logical["properties"] = {"member": member, "pointer": pointer}
        location["logicalLocations"] = [logical]
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.describe()},
        "locations": [location],
        "properties": {"severity": str(finding.severity), "object": finding.object},
    }


def member_and_pointer(fmt: str | None, location: str) -> tuple[str, str]:
    """The member a finding's location names and its JSON pointer ("" when none)."""
    if location.startswith("/"):
        return ("model_config" if fmt == "h5" else CONFIG_MEMBER), location
    if location.startswith("member:"):
        return location.removeprefix("member:"), ""
    member, hash_, pointer = location.partition("#")
    if hash_ and pointer.startswith("/"):
        return member, pointer
    return location, ""


def uri(report: ScanReport, member: str, base: Path) -> dict[str, str]:
    """The file of a finding: the artifact, or the member inside a model directory."""
    if "://" in report.path:
        return {"uri": report.path}
    path = Path(report.path)
    if member and path.is_dir() and (path / member).is_file():
        path = path / member
    absolute = Path(os.path.abspath(path))  # a link inside the tree is reported where it is
    try:
        relative = absolute.relative_to(base)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}
