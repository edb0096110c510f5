"""``layerhub adopt DIST [--write PYPROJECT]``: the ``layerhub.objects`` declaration (and
starter schemas) for an installed package that registers Keras objects without layerhub."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .output import emit_json

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "adopt",
        help="print (or --write) the pyproject.toml declaration of what an installed package "
        "registers with Keras (imports it once, in a subprocess)",
    )
    parser.add_argument("distribution", metavar="DIST")
    parser.add_argument(
        "--write",
        type=Path,
        metavar="PYPROJECT",
        help="add the declaration to this pyproject.toml (formatting kept) and write the "
        "starter schemas into its packages",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..publish.adoption import adopt

    adoption = adopt(args.distribution)
    written = adoption.write(args.write) if args.write else []
    if args.json:
        emit_json({**adoption.as_dict(), "written": [str(p) for p in written]})
        return 0
    print(f"# {adoption.distribution} {adoption.version}: {len(adoption.objects)} object(s)")
    print(adoption.block())
    for name, notes in adoption.as_dict()["notes"].items():
        for note in notes:
            print(f"# note: {name}: {note}")
    if written:
        for path in written:
            print(f"# wrote {path}")
        return 0
    for path, schema in adoption.schema_files.values():
        print(f"\n# starter schema: {path} (--write puts it there)")
        print(json.dumps(schema, indent=2))
    return 0
