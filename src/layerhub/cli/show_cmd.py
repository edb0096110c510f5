"""``layerhub show NAME``: who provides a registered name, its target, kind, schema and the
first line of its docstring. Kind and docstring of a plugin object need its import (and so
keras); trusted and curated objects answer from their index record."""

from __future__ import annotations

import argparse
from typing import Any

from .output import emit_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("show", help="details of one registered name")
    parser.add_argument("name", metavar="NAME", help='a Keras registered name, e.g. "Pkg>Layer"')
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def describe(name: str) -> dict[str, Any] | None:
    from ..index import record_of
    from ..plugins import get_registry
    from ..provenance import entry_record, schema_dict

    entry = get_registry().get(name)
    if entry is None:
        return None
    record = record_of(entry)
    if record is None:
        from ..introspect import kind_of, summary_of

        obj = entry.load()
        kind, summary = kind_of(obj), summary_of(obj)
    else:
        kind, summary = record.get("kind", ""), record.get("summary", "")
    return {
        **entry_record(name, entry),
        "kind": kind,
        "summary": summary,
        "schema": schema_dict(entry.schema),
    }


def run(args: argparse.Namespace) -> int:
    info = describe(args.name)
    if info is None:
        from ..index import requirements_for

        requirement = requirements_for([args.name]).get(args.name)
        if args.json:
            emit_json({"name": args.name, "installed": False, "requirement": requirement})
        else:
            hint = f"; pip install '{requirement}' provides it" if requirement else ""
            print(f"{args.name!r} is not provided by anything installed{hint}")
        return 1
    if args.json:
        emit_json({**info, "installed": True})
        return 0
    import json

    width = max(len(k) for k in info)
    for key, value in info.items():
        if key == "schema":
            value = json.dumps(value) if value is not None else "none"
        print(f"{key.ljust(width)}  {value}")
    return 0
