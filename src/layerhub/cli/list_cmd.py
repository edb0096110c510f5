"""``layerhub list``: every plugin (ok, failed or disabled) and every registered name."""

from __future__ import annotations

import argparse
from typing import Any

from ..plugins.discovery import get_discovery
from .output import emit_json, table

__all__ = ["register", "report", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("list", help="list installed plugins and the names they provide")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def report() -> dict[str, Any]:
    discovery = get_discovery()
    aliases = discovery.registry.aliases
    return {
        "plugins": [
            {
                "name": info.provider.plugin,
                "distribution": info.provider.distribution,
                "version": info.provider.version,
                "entry_point": info.value,
                "status": info.status,
                "error": info.error or None,
                "names": list(info.names),
            }
            for info in discovery.plugins
        ],
        "indexed": [
            {
                "distribution": d.distribution,
                "version": d.version,
                "source": d.source,
                "indexed_version": d.indexed_version,
                "names": list(d.names),
            }
            for d in discovery.indexed
        ],
        "objects": [
            {
                "name": entry.name,
                "target": entry.target_path,
                "distribution": entry.provider.distribution,
                "version": entry.provider.version,
                "has_schema": entry.schema is not None,
                "aliases": sorted(old for old, new in aliases.items() if new == entry.name),
            }
            for entry in sorted(discovery.registry, key=lambda e: e.name)
        ],
        "conflicts": [
            {
                "name": c.name,
                "chosen": c.chosen.requirement,
                "others": [p.requirement for p in c.others],
            }
            for c in discovery.registry.conflicts
        ],
    }


def run(args: argparse.Namespace) -> int:
    data = report()
    if args.json:
        emit_json(data)
        return 0
    plugins = [
        (
            p["name"],
            f"{p['distribution']} {p['version']}",
            p["entry_point"],
            p["status"],
            p["error"] or "",
        )
        for p in data["plugins"]
    ]
    print(f"{len(plugins)} plugin(s)")
    if plugins:
        print(table(["plugin", "distribution", "entry point", "status", "error"], plugins))
    indexed = [
        (d["distribution"], d["version"], d["source"], d["indexed_version"], len(d["names"]))
        for d in data["indexed"]
    ]
    if indexed:
        print(f"\n{len(indexed)} trusted or curated distribution(s) (no entry point)")
        print(table(["distribution", "version", "source", "indexed at", "names"], indexed))
    objects = [
        (
            o["name"] + "".join(f" (was {old})" for old in o["aliases"]),
            o["target"],
            f"{o['distribution']} {o['version']}",
        )
        for o in data["objects"]
    ]
    print(f"\n{len(objects)} registered name(s)")
    if objects:
        print(table(["name", "target", "provided by"], objects))
    for conflict in data["conflicts"]:
        others = ", ".join(conflict["others"])
        print(f"\nconflict: {conflict['name']}: using {conflict['chosen']} over {others}")
    return 0
