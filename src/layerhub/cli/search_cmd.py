"""``layerhub search QUERY``: registered names from installed plugins, the trusted and
curated indexes and ``LAYERHUB_INDEX``, best match first
(:func:`layerhub.plugins.search.search`); exit 1 when nothing matches."""

from __future__ import annotations

import argparse

from .output import emit_json, table

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("search", help="find registered names by name, class or summary")
    parser.add_argument("query", metavar="QUERY", help="part of a name, class, module or summary")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..plugins.search import search

    matches = search(args.query)
    if args.json:
        emit_json({"query": args.query, "results": [m.as_dict() for m in matches]})
        return 0 if matches else 1
    if not matches:
        print(f"nothing matches {args.query!r}")
        return 1
    rows = [
        (
            m.name,
            m.kind or "?",
            m.distribution,
            "installed" if m.installed else m.source,
            m.conformance or "-",
            "" if m.installed else m.install,
        )
        for m in matches
    ]
    print(table(["name", "kind", "distribution", "from", "conformance", "install"], rows))
    return 0
