"""``layerhub doctor [--json]``: every problem with the plugin environment.

Exit 0 when there is none, 1 when there is any (notes such as disabled plugins do not
count). Never imports keras or a plugin target.
"""

from __future__ import annotations

import argparse

from ..findings import Severity
from ..plugins.doctor import diagnose
from .output import emit_json

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "doctor", help="report broken or conflicting plugins, shadowed names, stale trust"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    discovery, findings = diagnose()
    problems = [f for f in findings if f.severity > Severity.INFO]
    if args.json:
        emit_json(
            {
                "plugins": len(discovery.plugins),
                "names": len(discovery.registry),
                "problems": [f.to_json() for f in findings],
            }
        )
    else:
        print(f"{len(discovery.plugins)} plugin(s), {len(discovery.registry)} name(s)")
        for finding in sorted(findings, key=lambda f: -f.severity):
            print(f"  {finding.describe()}")
        print(f"{len(problems)} problem(s)" if problems else "no problems")
    return 1 if problems else 0
