"""Running a layerhub module in a child Python process and reading its one JSON reply.

Some work must not happen in the caller's process: importing a third-party package to
see what it registers with Keras (``layerhub trust``), running a wheel's hook without
installing it (``layerhub index build``), loading saved models where nothing was
imported beforehand (the conformance suite). Each runs ``python -m MODULE ARGS`` here,
and the child answers with :func:`reply`: one JSON document on the last line of its
standard output, so whatever a library prints before it does no harm.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from .signals import ChildFailed

__all__ = ["QUIET", "reply", "run"]

#: TensorFlow's C++ logs, unless the caller asked for them.
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3"}


def run(
    module: str,
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    path: Sequence[str] = (),
) -> Any:
    """Run ``python -m module args`` and return the JSON value it replied with.

    The child inherits this process's environment and ``sys.path`` (so packages found
    here are found there), with ``env`` on top and ``path`` before ``sys.path``. Raises
    :class:`~layerhub.signals.ChildFailed` (its message: the child's last line of standard
    error); callers turn it into the :class:`~layerhub.errors.LayerhubError` of their
    command.
    """
    import subprocess  # here: importing it costs start-up time, and children are rare

    environment = {**QUIET, **os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(p for p in [*path, *sys.path] if p)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", module, *args],
            capture_output=True,
            text=True,
            env=environment,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise ChildFailed(f"did not finish within {timeout:g} s") from None
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        detail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ChildFailed(f"exit {proc.returncode}: {detail}")
    try:
        return json.loads(lines[-1])
    except ValueError:
        raise ChildFailed(f"its last line is not a JSON reply: {lines[-1][:200]!r}") from None


def reply(value: Any) -> None:
    """Child side: answer with ``value``, alone on the last line of standard output."""
    sys.stdout.write("\n" + json.dumps(value) + "\n")
    sys.stdout.flush()
