"""``layerhub new NAME``: scaffold a plugin project (static declaration, one layer, its
schema and example, conformance tests, pre-commit, README) that passes ``layerhub
check`` and builds a wheel as generated."""

from __future__ import annotations

import argparse
from pathlib import Path

from .output import emit_json

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("new", help="scaffold a plugin project in ./NAME")
    parser.add_argument("name", metavar="NAME", help="the distribution name, e.g. acme-layers")
    parser.add_argument(
        "--directory", type=Path, default=Path("."), help="where to create it (default: here)"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..publish.scaffold import scaffold

    written = scaffold(args.name, args.directory)
    if args.json:
        emit_json({"project": str(written[0].parent), "files": [str(p) for p in written]})
        return 0
    root = written[0].parent
    for path in written:
        print(f"wrote {path}")
    print(f"\nnext: cd {root} && pip install -e '.[test]' && layerhub check --plugin {root.name}")
    return 0
