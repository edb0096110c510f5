"""``layerhub check``: the conformance suite over installed plugins, with a summary table."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from typing import Any

from ..checks.fresh import waits_for_batch
from .output import emit_json, table

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check",
        help="run the conformance checks over installed plugins",
        description="Run every conformance check on every object of the installed plugins "
        "(or of --plugin NAME). Exit 1 if any check fails.",
    )
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="NAME",
        help="check this plugin (entry-point or distribution name); repeatable",
    )
    parser.add_argument(
        "--check", action="append", default=[], metavar="CHECK", help="run only this check"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="objects without a needed example fail instead of skipping",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


class ProgressLine:
    """``[3/40] Acme>Block: save_load`` on stderr: rewritten in place on a terminal."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()

    def __call__(self, done: int, total: int, case: Any) -> None:
        text = f"[{done + 1}/{total}] {case.subject.name}: {case.check.name}"
        if case.check.fresh and waits_for_batch(case.subject):
            text += " (saving every model, then loading them in a fresh process)"
        if self.tty:
            sys.stderr.write(f"\r\033[K{text}")
        else:
            sys.stderr.write(f"{text}\n")
        sys.stderr.flush()

    def finish(self, total: int) -> None:
        end = "\r\033[K" if self.tty else ""
        elapsed = time.monotonic() - self.started
        sys.stderr.write(f"{end}ran {total} check(s) in {elapsed:.1f}s\n")


def quiet_libraries() -> None:
    """The table is the output: keep TensorFlow's logs and library deprecations out of it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def run(args: argparse.Namespace) -> int:
    from ..checks.cases import build_cases, select_subjects
    from ..checks.runner import run_cases, summary

    quiet_libraries()

    subjects = select_subjects(args.plugin)
    cases = build_cases(subjects, checks=args.check, strict=args.strict)
    progress = ProgressLine()
    results = run_cases(cases, progress)
    progress.finish(len(results))
    counts = summary(results)
    ok = all(r.ok for r in results)
    if args.json:
        emit_json(
            {
                "ok": ok,
                "summary": counts,
                "results": [r.to_json() for r in results],
            }
        )
        return 0 if ok else 1
    rows = [(r.object, r.check, r.status.upper(), r.message) for r in results]
    if rows:
        print(table(["object", "check", "result", "message"], rows))
    objects = len({r.object for r in results})
    totals = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"\n{objects} object(s), {len(results)} check(s): {totals or 'nothing to check'}")
    return 0 if ok else 1
