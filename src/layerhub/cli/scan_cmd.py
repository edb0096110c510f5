"""``layerhub scan PATH... [--format text|json|jsonl|sarif] [--output FILE] [--jobs N]``.

Reads each artifact with the safe archive reader and reports what ``load_model`` would
refuse or fail on, without importing keras, tensorflow or any plugin target. A path that
is a folder but not itself a model is walked for models (:mod:`layerhub.safety.tree`);
``--jobs N`` scans in N processes with the same reports in the same order. Exit 0 when
no finding reaches ``--fail-on`` (default medium), 1 when one does, 2 when an argument
is unusable (a path that does not exist, a bad severity), 3 when layerhub failed on an
artifact (a bug: reported as an ``internal-error`` finding, and the run goes on).

The results go to stdout (or ``--output FILE``); the summary line (artifacts, findings
by severity, time) ends the text output, and goes to stderr for the machine formats. A
progress bar appears on stderr for a long run at a terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..archive.sources import is_hub
from ..atomic import write_text
from ..findings import Severity
from ..plugins.allowlist import AllowList
from ..safety.bulk import scan_all
from ..safety.scan import ScanReport
from ..safety.tree import Skipped, find_artifacts
from .progress import Progress

__all__ = ["register", "run", "summary"]

FORMATS = ("text", "json", "jsonl", "sarif")
INTERNAL_ERROR = "internal-error"  # a bug in layerhub on one artifact (safety.bulk.scan_artifact)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "scan", help="report unsafe or broken content in saved models, or trees of them"
    )
    parser.add_argument(
        "files",
        nargs="+",
        metavar="PATH",
        help=".keras, .h5, model dir, preset, hf://owner/name[@REV], or a folder to walk",
    )
    parser.add_argument("--format", choices=FORMATS, help="output format (default: text)")
    parser.add_argument("--json", action="store_true", help="the same as --format json")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the results to FILE")
    parser.add_argument(
        "--jobs", "-j", type=jobs_count, default=1, metavar="N", help="scan in N processes"
    )
    parser.add_argument(
        "--fail-on",
        default="medium",
        choices=[str(s) for s in Severity],
        help="exit 1 when a finding is at or above this severity (default: medium)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="a broken or conflicting plugin is an error"
    )
    parser.add_argument(
        "--changed-files",
        action="store_true",
        help="the PATHs are files a commit changes (pre-commit): a file inside a model "
        "directory stands for the directory, files scan does not read are left out",
    )
    parser.set_defaults(run=run)


def jobs_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    fmt = args.format or ("json" if args.json else "text")
    if args.json and fmt != "json":
        print(f"layerhub: error: --json contradicts --format {fmt}", file=sys.stderr)
        return 2
    missing = [f for f in args.files if not (is_hub(f) or os.path.lexists(f))]
    if missing:
        print(f"layerhub: error: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    threshold = Severity.parse(args.fail_on)
    registry = None  # discovered by the analysis, and only for a file that needs plugins
    if args.strict:  # a broken plugin is an error even where no file needs it
        from ..plugins.discovery import discover

        registry = discover(strict=True).registry
    AllowList.load()  # an unusable allow-list file is an error before anything is scanned
    start = time.monotonic()
    tree = find_artifacts(args.files, changed=args.changed_files)
    progress = Progress(len(tree.artifacts))
    stream = open_output(args.output)
    try:
        each = jsonl_writer(stream, threshold) if fmt == "jsonl" else None
        reports = []
        scanned = scan_all(tree.artifacts, jobs=args.jobs, registry=registry, progress=progress)
        for report in scanned:
            reports.append(report)
            if each is not None:
                each(report)
        progress.close()
        totals = summary_json(reports, time.monotonic() - start)
        line = summary(totals)
        if fmt == "text":
            print_reports(reports, tree.skipped, threshold, stream)
            print(line, file=stream)
        else:
            write_machine(fmt, reports, tree.skipped, threshold, totals, stream)
            print(line, file=sys.stderr)
    finally:
        progress.close()
    if args.output:
        try:
            write_text(Path(args.output), stream.getvalue())  # type: ignore[attr-defined]
        except OSError as exc:
            print(f"layerhub: error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return 2
    bugs = [r for r in reports if any(f.code == INTERNAL_ERROR for f in r.findings)]
    if bugs:  # reported, and the run went on; still a bug, as for every other command
        first = next(f.message for f in bugs[0].findings if f.code == INTERNAL_ERROR)
        where = (
            f" on {len(bugs)} artifact(s), the first {bugs[0].path}:" if len(reports) > 1 else ""
        )
        print(
            f"layerhub: internal error:{where} {first} (set LAYERHUB_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return 3
    return 1 if any(r.at_or_above(threshold) for r in reports) else 0


def open_output(path: str | None) -> TextIO:
    if path is None:
        return sys.stdout
    import io

    return io.StringIO()  # written atomically once complete: never a half report


def jsonl_writer(stream: TextIO, threshold: Severity) -> Callable[[ScanReport], None]:
    """One line per artifact as it is scanned, in order: a pipe sees results at once."""

    def write(report: ScanReport) -> None:
        line = {**report.to_json(), "failed": bool(report.at_or_above(threshold))}
        stream.write(json.dumps(line) + "\n")
        stream.flush()

    return write


def write_machine(
    fmt: str,
    reports: list[ScanReport],
    skipped: list[Skipped],
    threshold: Severity,
    totals: dict[str, Any],
    stream: TextIO,
) -> None:
    if fmt == "jsonl":
        for skip in skipped:
            stream.write(json.dumps({"skipped": skip.to_json()}) + "\n")
        stream.write(json.dumps({"summary": totals}) + "\n")
        return
    document: dict[str, Any]
    if fmt == "sarif":
        from .sarif import sarif_log

        document = sarif_log(reports)
    else:
        document = {
            "fail_on": str(threshold),
            "failed": [r.path for r in reports if r.at_or_above(threshold)],
            "files": [r.to_json() for r in reports],
            "skipped": [s.to_json() for s in skipped],
            "summary": totals,
        }
    json.dump(document, stream, indent=2)
    stream.write("\n")


def summary_json(reports: list[ScanReport], seconds: float) -> dict[str, Any]:
    """The run's totals, as the machine formats carry them (seconds to the hundredth,
    as :func:`summary` prints them)."""
    by = Counter(f.severity for r in reports for f in r.findings)
    return {
        "artifacts": len(reports),
        "with_findings": sum(1 for r in reports if r.findings),
        "findings": {str(s): by[s] for s in sorted(Severity, reverse=True)},
        "seconds": round(seconds, 2),
    }


def summary(totals: dict[str, Any]) -> str:
    """``12 artifacts, 5 with findings: 3 critical, 1 high, 2 medium, 0 low, 0 info (0.41 s)``."""
    severities = ", ".join(f"{n} {s}" for s, n in totals["findings"].items())
    return (
        f"{totals['artifacts']} artifacts, {totals['with_findings']} with findings: "
        f"{severities} ({totals['seconds']:.2f} s)"
    )


def print_reports(
    reports: list[ScanReport], skipped: list[Skipped], threshold: Severity, stream: TextIO
) -> None:
    for report in reports:
        if not report.findings:
            print(f"{report.path}: clean", file=stream)
            continue
        print(
            f"{report.path}: {len(report.findings)} finding(s), worst {report.worst}", file=stream
        )
        for finding in sorted(report.findings, key=lambda f: -f.severity):
            print(f"  {finding.describe()}", file=stream)
    for skip in skipped:
        print(f"{skip.path}: skipped, {skip.reason}", file=stream)
    failed = sum(1 for r in reports if r.at_or_above(threshold))
    print(f"{failed} of {len(reports)} file(s) with findings at or above {threshold}", file=stream)
