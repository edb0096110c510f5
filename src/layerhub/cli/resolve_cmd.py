"""``layerhub resolve FILE [--index PATH_OR_URL] [--install] [--json]``: the requirement
lines a saved model needs, one per line, usable as a requirements file: from its
provenance manifest, else what installed provides each name (``dist==version``), else the
trusted and curated indexes, else ``--index`` / ``LAYERHUB_INDEX``, and layerhub itself
(:func:`layerhub.plugins.resolution.resolve`: the lines :func:`layerhub.requirements`
returns); ``--install`` hands the ones not installed to pip (using the index's own
repository). Running pip is the command's own action, with its output on stderr, so it
stays here."""

from __future__ import annotations

import argparse
import subprocess
import sys

from .output import emit_json

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("resolve", help="print (or install) the packages a model file needs")
    parser.add_argument(
        "file", metavar="FILE", help="a .keras, .h5, unzipped .keras model or hf://owner/name[@REV]"
    )
    parser.add_argument(
        "--index",
        metavar="PATH_OR_URL",
        help="a layerhub index: JSON file, site directory or URL (default: $LAYERHUB_INDEX)",
    )
    parser.add_argument("--install", action="store_true", help="pip install the requirements")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..plugins.resolution import resolve

    resolution = resolve(args.file, args.index)
    report = resolution.as_dict(install=args.install)
    if not args.json:
        if resolution.commit:
            print(f"layerhub: {resolution.file}", file=sys.stderr)
        for line in resolution.lines:
            print(line)
        for name, missing in resolution.unresolved.items():
            print(f"layerhub: {name!r}: {missing.reason}", file=sys.stderr)
    status = 1 if resolution.unresolved else 0
    if args.install and resolution.to_install:
        command = resolution.pip_command
        if not args.json:
            print("running: " + " ".join(command), file=sys.stderr)
        proc = subprocess.run(command, stdout=sys.stderr)
        report["pip_exit"] = proc.returncode
        if proc.returncode != 0:
            print(f"layerhub: pip failed (exit {proc.returncode})", file=sys.stderr)
            status = 1
    if args.json:
        emit_json(report)
    return status
