"""The conformance suite for plugin authors: does every registered object save and load?

One small function per check (:mod:`~layerhub.checks.catalog` lists them and the kinds
each applies to); each failure says what is wrong and how to fix it. Run it with
``layerhub check`` or, in a plugin's own test suite, with :func:`parametrize_with_checks`.
Importing this package imports neither keras nor the checks (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import CheckFailure
from ..lazy import attach
from ..signals import CheckSkipped
from .results import Result

__all__ = [
    "CHECKS",
    "Case",
    "CheckFailure",
    "CheckSkipped",
    "Result",
    "build_cases",
    "parametrize_with_checks",
    "run_cases",
    "select_subjects",
]

_LAZY = {
    "CHECKS": "layerhub.checks.catalog",
    "Case": "layerhub.checks.cases",
    "build_cases": "layerhub.checks.cases",
    "select_subjects": "layerhub.checks.cases",
    "run_cases": "layerhub.checks.runner",
    "parametrize_with_checks": "layerhub.checks.pytest_plugin",
}

if TYPE_CHECKING:
    from .cases import Case, build_cases, select_subjects
    from .catalog import CHECKS
    from .pytest_plugin import parametrize_with_checks
    from .runner import run_cases


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
