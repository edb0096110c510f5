"""``layerhub trust DIST...`` and ``layerhub untrust DIST...``: the user's trusted index of
third-party packages that register Keras objects but declare no layerhub entry point."""

from __future__ import annotations

import argparse

from .output import emit_json

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    trust = sub.add_parser(
        "trust",
        help="record the Keras objects installed distributions register (imports them once, "
        "in a subprocess)",
    )
    trust.add_argument("distributions", nargs="+", metavar="DIST")
    trust.add_argument("--json", action="store_true", help="machine-readable output")
    trust.set_defaults(run=run_trust)
    untrust = sub.add_parser("untrust", help="forget distributions recorded by trust")
    untrust.add_argument("distributions", nargs="+", metavar="DIST")
    untrust.add_argument("--json", action="store_true", help="machine-readable output")
    untrust.set_defaults(run=run_untrust)


def run_trust(args: argparse.Namespace) -> int:
    from ..index.trusted import store_path, trust

    records = trust(args.distributions)
    empty = [r["name"] for r in records if not r["objects"]]
    if args.json:
        emit_json({"index": str(store_path()), "distributions": records, "untrusted": empty})
        return 1 if empty else 0
    for record in records:
        objects = record["objects"]
        if not objects:
            print(f"{record['name']} {record['version']} registers nothing with Keras: not trusted")
            continue
        print(f"trusted {record['name']} {record['version']}: {len(objects)} name(s)")
        for obj in objects:
            print(f"  {obj['name']}  ->  {obj['target']}  ({obj['kind']})")
        for module, error in record["import_errors"].items():
            print(f"  note: could not import {module}: {error}")
    print(f"saved in {store_path()}")
    return 1 if empty else 0


def run_untrust(args: argparse.Namespace) -> int:
    from ..index.trusted import untrust
    from ..names import normalize_name

    removed = untrust(args.distributions)
    known = {normalize_name(name) for name in removed}
    unknown = [d for d in args.distributions if normalize_name(d) not in known]
    if args.json:
        emit_json({"removed": removed, "not_trusted": unknown})
    else:
        for name in removed:
            print(f"untrusted {name}")
        for name in unknown:
            print(f"{name} was not trusted")
    return 1 if unknown else 0
