"""``layerhub index build WHEEL_DIR -o SITE_DIR``: publish wheels as a pip-installable site
with a layerhub index of the names they provide (see :mod:`layerhub.publish.site`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .output import emit_json, table

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("index", help="build a package index of plugin wheels")
    commands = parser.add_subparsers(dest="index_command", metavar="COMMAND", required=True)
    build = commands.add_parser(
        "build", help="write a PEP 503 repository and a layerhub index of WHEEL_DIR's wheels"
    )
    build.add_argument("wheel_dir", type=Path, nargs="?", metavar="WHEEL_DIR")
    build.add_argument(
        "--curated",
        action="store_true",
        help="write the catalog of layerhub's curated index instead (no WHEEL_DIR)",
    )
    build.add_argument("-o", "--output", type=Path, required=True, metavar="SITE_DIR")
    build.add_argument("--json", action="store_true", help="print the index document")
    build.set_defaults(run=run_build)


def run_build(args: argparse.Namespace) -> int:
    from ..errors import IndexBuildError
    from ..publish.site import build, build_curated

    if args.curated != (args.wheel_dir is None):
        raise IndexBuildError("give either WHEEL_DIR or --curated")
    doc = build_curated(args.output) if args.curated else build(args.wheel_dir, args.output)
    if args.json:
        emit_json(doc)
        return 0
    rows = [(d["name"], d["version"], d["source"], len(d["objects"])) for d in doc["distributions"]]
    rows = [] if args.curated else rows
    what = "the catalog" if args.curated else "simple/ (PEP 503), layerhub-index.json, the catalog"
    print(f"wrote {args.output}: {what} (index.html)")
    if rows:
        print(table(["distribution", "version", "names from", "names"], rows))
    print(f"{len(doc['names'])} registered name(s)")
    return 0
