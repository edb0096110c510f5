"""``layerhub schema``: write and check plugin schemas.

- ``layerhub schema infer module:Object [--kwargs JSON]`` prints a starter schema built
  from the constructor signature and the ``get_config()`` of a real instance (imports
  the object, so keras too).
- ``layerhub schema check`` checks every installed plugin's schemas against the
  meta-schema now (load, save and validate check each one the first time they need
  it); exit 1 when any is invalid. Made for a plugin's CI.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import SchemaError
from .output import emit_json, table

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("schema", help="write and check plugin schemas")
    commands = parser.add_subparsers(dest="schema_command", metavar="SUBCOMMAND", required=True)

    infer = commands.add_parser(
        "infer", help="print a starter schema for a class or function (imports it)"
    )
    infer.add_argument("target", metavar="module:Object")
    infer.add_argument(
        "--kwargs",
        default=None,
        metavar="JSON",
        help="constructor arguments for the instance whose get_config() is read, "
        "e.g. '{\"units\": 8}'",
    )
    infer.add_argument("--json", action="store_true", help="machine-readable output")
    infer.set_defaults(run=run_infer)

    check = commands.add_parser("check", help="check every installed plugin schema now")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(run=run_check)


def parse_kwargs(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        kwargs = json.loads(text)
    except ValueError as exc:
        raise SchemaError(f"--kwargs is not valid JSON: {exc}") from None
    if not isinstance(kwargs, dict):
        raise SchemaError(f"--kwargs must be a JSON object, got {type(kwargs).__name__}")
    return kwargs


def run_infer(args: argparse.Namespace) -> int:
    from ..kerasio.schema_infer import infer

    inferred = infer(args.target, parse_kwargs(args.kwargs))
    if args.json:
        emit_json({"target": inferred.target, "schema": inferred.schema, "notes": inferred.notes})
    else:
        emit_json(inferred.schema)
        for note in inferred.notes:
            print(f"note: {note}", file=sys.stderr)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from ..plugins.validation import plugin_schemas

    schemas = plugin_schemas()
    bad = [s for s in schemas if s.problem]
    if args.json:
        emit_json({"valid": not bad, "schemas": [s.as_dict() for s in schemas]})
    else:
        print(f"{len(schemas)} schema(s) checked, {len(bad)} invalid")
        if bad:
            rows = [(s.name, f"{s.distribution} {s.version}", s.file or "(dict)", s.problem)
                    for s in bad]  # fmt: skip
            print(table(["name", "provided by", "file", "problem"], rows))
    return 1 if bad else 0
