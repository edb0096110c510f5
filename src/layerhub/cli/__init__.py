"""The ``layerhub`` command: one module per command group, wired here.

Every command takes ``--json``. Exit codes: 0 success, 1 the command found problems
(violations, findings, failed checks), 2 unusable input or arguments, 3 a bug in
layerhub (reported in one line; ``LAYERHUB_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from ..errors import LayerhubError
from . import list_cmd

COMMANDS = [list_cmd]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="layerhub", description="Keras custom objects from installed plugins."
    )
    parser.add_argument("--version", action="version", version=version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def version() -> str:
    from .. import __version__

    return f"layerhub {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    warnings.simplefilter("default")
    warnings.formatwarning = lambda message, category, *_: f"{category.__name__}: {message}\n"
    try:
        return int(args.run(args) or 0)
    except LayerhubError as exc:
        print(f"layerhub: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("layerhub: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("LAYERHUB_DEBUG"):
            raise
        print(
            f"layerhub: internal error: {type(exc).__name__}: {one_line(exc)} "
            "(set LAYERHUB_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return 3


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
