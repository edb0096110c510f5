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
    from ..index.document import curated_index
    from ..index.trusted import trusted
    from ..kerasio.provenance import entry_record
    from ..plugins.discovery import get_registry
    from ..plugins.registry import ProviderSource
    from ..schemas.refs import load_schema

    entry = get_registry().get(name)
    if entry is None:
        return None
    indexes = {ProviderSource.TRUSTED: trusted, ProviderSource.CURATED: curated_index}
    index = indexes.get(entry.provider.source)
    record = index().record(entry.provider.distribution, name) if index else None
    if record is None:
        from ..kerasio.introspect import kind_of, summary_of

        obj = entry.load()
        kind, summary = kind_of(obj), summary_of(obj)
    else:
        kind, summary = record.get("kind", ""), record.get("summary", "")
    return {
        **entry_record(name, entry),
        "kind": kind,
        "summary": summary,
        "schema": load_schema(entry.schema) if entry.schema is not None else None,
    }


def run(args: argparse.Namespace) -> int:
    info = describe(args.name)
    if info is None:
        from ..index.requirements import requirements_for

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
