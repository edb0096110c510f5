"""layerhub's pytest plugin (entry point ``pytest11``): conformance checks as tests.

A plugin author's test suite needs one decorated test::

    from layerhub.checks import parametrize_with_checks

    @parametrize_with_checks("acme-blocks")
    def test_layerhub_conformance(layerhub_case):
        layerhub_case()

This plugin adds ``--layerhub-strict`` (or ``layerhub_strict = true`` in the ini file):
expected failures that pass fail the run, and objects that need an example but have none
fail instead of skipping. Loaded into every pytest session, it imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

import pytest

from .cases import Case

__all__ = [
    "layerhub_case",
    "parametrize_with_checks",
    "pytest_collection_modifyitems",
    "pytest_configure",
]

MARKER = "layerhub_check"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("layerhub", "layerhub conformance checks")
    group.addoption(
        "--layerhub-strict",
        action="store_true",
        default=None,
        help="expected failures that pass, and objects without a needed example, fail",
    )
    parser.addini("layerhub_strict", "strict mode for layerhub conformance checks", type="bool")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: a layerhub conformance check case")


def strict_mode(config: pytest.Config) -> bool:
    option = config.getoption("layerhub_strict")
    return bool(option if option is not None else config.getini("layerhub_strict"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    strict = strict_mode(config)
    for item in items:
        case = layerhub_case(item)
        if case is None:
            continue
        item.add_marker(MARKER)
        if strict:
            case.strict = True
            if case.expected is not None:
                item.add_marker(pytest.mark.xfail(reason=case.expected, strict=True), append=False)


def layerhub_case(item: pytest.Item) -> Case | None:
    callspec: Any = getattr(item, "callspec", None)
    params = getattr(callspec, "params", {})
    return next((v for v in params.values() if isinstance(v, Case)), None)


def parametrize_with_checks(
    *plugins: str,
    expected_failures: dict[str, dict[str, str]] | None = None,
    checks: tuple[str, ...] = (),
    strict: bool = False,
    argname: str = "layerhub_case",
) -> pytest.MarkDecorator:
    """Parametrize a test over every (object, check) of the named installed plugins.

    ``plugins`` are entry-point or distribution names (none: every installed plugin).
    ``expected_failures`` maps an object's registered name to ``{check: reason}``; those
    cases are marked ``xfail`` with the reason. ``strict=True`` is ``--layerhub-strict``
    for these cases. Test ids read ``"Package>Name:check"``.

    Added in version 0.1.0.
    """
    from .cases import build_cases, select_subjects

    cases = build_cases(select_subjects(plugins), expected_failures, checks=checks, strict=strict)
    # Without strict=..., pytest's own ``xfail_strict`` ini option applies.
    strictness = {"strict": True} if strict else {}
    params = [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(reason=case.expected, **strictness)]
            if case.expected is not None
            else [],
        )
        for case in cases
    ]
    return pytest.mark.parametrize(argname, params)
