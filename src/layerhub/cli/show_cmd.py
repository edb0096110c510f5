"""``layerhub show NAME``: who provides a registered name, its target, kind, schema and the
first line of its docstring (:func:`layerhub.plugins.describe.describe`); exit 1 with what
to install when nothing installed provides it."""

from __future__ import annotations

import argparse

from .output import emit_json

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("show", help="details of one registered name")
    parser.add_argument("name", metavar="NAME", help='a Keras registered name, e.g. "Pkg>Layer"')
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..plugins.describe import describe

    description = describe(args.name)
    if args.json:
        emit_json(description.as_dict())
        return 0 if description.installed else 1
    if not description.installed:
        requirement = description.requirement
        hint = f"; pip install '{requirement}' provides it" if requirement else ""
        print(f"{args.name!r} is not provided by anything installed{hint}")
        return 1
    import json

    fields = description.fields()
    width = max(len(k) for k in fields)
    for key, value in fields.items():
        if key == "schema":
            value = json.dumps(value) if value is not None else "none"
        print(f"{key.ljust(width)}  {value}")
    return 0
