"""The ``layerhub`` command: one module per command group, wired here.

Every command takes ``--json``. Exit codes: 0 success, 1 the command found problems
(violations, findings, failed checks), 2 unusable input or arguments, 3 a bug in
layerhub (reported in one line; ``LAYERHUB_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import warnings
from collections.abc import Sequence

from ..errors import LayerhubError


def command_modules() -> list:
    """Every ``cli/*_cmd.py`` module; each defines ``register(subparsers)``.

    Command modules stay light (no keras at import) so ``layerhub --help`` is instant.
    """
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.endswith("_cmd"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="layerhub", description="Keras custom objects from installed plugins."
    )
    parser.add_argument("--version", action="version", version=version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in command_modules():
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
