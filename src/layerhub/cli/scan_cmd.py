"""``layerhub scan FILE... [--json] [--fail-on SEVERITY] [--strict]``: static findings.

Reads each file with the safe archive reader and reports what ``load_model`` would
refuse or fail on, without importing keras, tensorflow or any plugin target. Exit 0 when
no finding reaches ``--fail-on`` (default medium), 1 when one does, 2 when an argument
is unusable (a path that does not exist, a bad severity).
"""

from __future__ import annotations

import argparse
import os
import sys

from ..archive.sources import is_hub
from ..findings import Severity
from ..plugins.allowlist import AllowList
from ..safety.scan import ScanReport, scan_file
from .output import emit_json

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "scan", help="report unsafe or broken content in .keras/.h5 files (no keras import)"
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help=".keras, .h5, model dir or hf://owner/name[@REV]"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--fail-on",
        default="medium",
        choices=[str(s) for s in Severity],
        help="exit 1 when a finding is at or above this severity (default: medium)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="a broken or conflicting plugin is an error"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    missing = [f for f in args.files if not (is_hub(f) or os.path.exists(f))]
    if missing:
        print(f"layerhub: error: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    threshold = Severity.parse(args.fail_on)
    registry = None  # discovered by the analysis, and only for a file that needs plugins
    if args.strict:  # a broken plugin is an error even where no file needs it
        from ..plugins.discovery import discover

        registry = discover(strict=True).registry
    policy = AllowList.load()
    reports = [scan_file(f, registry=registry, policy=policy) for f in args.files]
    failed = [r for r in reports if r.at_or_above(threshold)]
    if args.json:
        emit_json(
            {
                "fail_on": str(threshold),
                "failed": [r.path for r in failed],
                "files": [r.to_json() for r in reports],
            }
        )
    else:
        print_reports(reports, threshold)
    return 1 if failed else 0


def print_reports(reports: list[ScanReport], threshold: Severity) -> None:
    for report in reports:
        if not report.findings:
            print(f"{report.path}: clean")
            continue
        print(f"{report.path}: {len(report.findings)} finding(s), worst {report.worst}")
        for finding in sorted(report.findings, key=lambda f: -f.severity):
            print(f"  {finding.describe()}")
    failed = sum(1 for r in reports if r.at_or_above(threshold))
    print(f"{failed} of {len(reports)} file(s) with findings at or above {threshold}")
