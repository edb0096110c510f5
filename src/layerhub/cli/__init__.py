"""The ``layerhub`` command: one module per command group, wired here.

Every command takes ``--json``. Exit codes: 0 success, 1 the command found problems
(violations, findings, failed checks), 2 unusable input or arguments, 3 a bug in
layerhub (reported in one line; ``LAYERHUB_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Sequence

from .. import settings
from ..errors import LayerhubError

__all__ = ["build_parser", "main", "one_line", "version"]


def command_modules(command: str | None = None) -> list:
    """The ``cli/*_cmd.py`` modules; each defines ``register(subparsers)``.

    With ``command``, only the module named after it, when there is one: a command
    imports what it needs and nothing else (``layerhub scan`` must start in a few tens
    of milliseconds). Command modules stay light (no keras at import) so ``layerhub
    --help``, which needs them all, is fast too.
    """
    if command and command.isidentifier():
        try:
            return [importlib.import_module(f"{__name__}.{command}_cmd")]
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{command}_cmd":
                raise
    import pkgutil  # here: one command's start-up never lists the others

    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.endswith("_cmd"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``command`` alone when it has its own module."""
    parser = argparse.ArgumentParser(
        prog="layerhub", description="Keras custom objects from installed plugins."
    )
    parser.add_argument("--version", action="version", version=version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in command_modules(command):
        module.register(sub)
    if command is not None and command not in sub.choices:
        return build_parser()  # a command defined in another command's module
    return parser


def version() -> str:
    from ..version import __version__

    return f"layerhub {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    args = build_parser(command).parse_args(argv)
    warnings.simplefilter("default")
    warnings.formatwarning = lambda message, category, *_: f"{category.__name__}: {message}\n"
    try:
        status = int(args.run(args) or 0)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
        return status
    except LayerhubError as exc:
        print(f"layerhub: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("layerhub: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return stdout_closed()
    except Exception as exc:
        if settings.flag(settings.DEBUG):
            raise
        print(
            f"layerhub: internal error: {type(exc).__name__}: {one_line(exc)} "
            "(set LAYERHUB_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return 3


def stdout_closed() -> int:
    """The reader of our output went away (``layerhub list | head``): stop quietly, as
    ``cat`` does, with the status a shell gives a process killed by SIGPIPE. Python
    still flushes stdout at exit, so it is pointed at ``/dev/null`` first (what the
    ``signal`` module's documentation recommends)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
