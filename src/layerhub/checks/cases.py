"""Cases: one check on one object, with its expected-failure reason and strictness.

Shared by the pytest plugin (one test per case) and ``layerhub check`` (one table row per
case). Importing this module imports neither keras nor the checks themselves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import CheckConfigError, CheckFailure
from ..names import normalize_name
from ..plugins.discovery import Discovery, get_discovery
from ..signals import CheckSkipped
from .results import FAILED, PASSED, SKIPPED, XFAILED, XPASSED, Result
from .subject import Subject

if TYPE_CHECKING:
    from .catalog import Check

__all__ = ["Case", "build_cases", "select_subjects"]

#: ``{"Acme>Block": {"config_round_trip": "why it fails for now"}}``
ExpectedFailures = Mapping[str, Mapping[str, str]]


@dataclass(eq=False)
class Case:
    """One check on one object. Calling it (in a pytest test) passes, fails or skips.

    Added in version 0.1.0.
    """

    subject: Subject
    check: Check
    expected: str | None = None
    strict: bool = False

    @property
    def id(self) -> str:
        return f"{self.subject.name}:{self.check.name}"

    def outcome(self) -> tuple[str, str]:
        """``(status, message)`` of the check itself: passed, failed or skipped."""
        try:
            self.check.function(self.subject)
        except CheckSkipped as exc:
            if exc.needs_example and self.strict:
                return FAILED, f"{exc} (strict mode requires an example)"
            return SKIPPED, str(exc)
        except CheckFailure as exc:
            return FAILED, str(exc)
        except Exception as exc:
            return FAILED, (
                f"the check crashed on this object: {type(exc).__name__}: {exc}. Fix: the "
                "object must support what the check does; if it does, report a layerhub bug."
            )
        return PASSED, ""

    def run(self) -> Result:
        """The outcome with the expectation applied (what ``layerhub check`` reports)."""
        started = time.perf_counter()
        status, message = self.outcome()
        seconds = round(time.perf_counter() - started, 3)
        if self.expected is not None and status == FAILED:
            status, message = XFAILED, f"expected failure ({self.expected}): {message}"
        elif self.expected is not None and status == PASSED:
            status = FAILED if self.strict else XPASSED
            message = (
                f"expected to fail ({self.expected}) but passed. Fix: remove the expected failure."
            )
        try:
            kind = self.subject.kind
        except CheckFailure:
            kind = ""
        distribution = self.subject.entry.provider.distribution
        return Result(
            self.subject.name, self.check.name, status, message, kind, distribution, seconds
        )

    def __call__(self) -> None:
        """Run as a pytest test: a failure fails it (an xfail mark may expect that)."""
        import pytest

        status, message = self.outcome()
        if status == FAILED:
            pytest.fail(f"{self.id}: {message}", pytrace=False)
        if status == SKIPPED:
            pytest.skip(message)

    def __repr__(self) -> str:
        return f"Case({self.id})"


def select_subjects(
    plugins: Sequence[str] = (), discovery: Discovery | None = None
) -> list[Subject]:
    """The objects of the named plugins (entry-point or distribution names), or of all.

    A name that matches no installed plugin, or a plugin that failed to load, is a
    :class:`~layerhub.errors.CheckConfigError`: checking nothing must not pass.

    Added in version 0.1.0.
    """
    discovery = discovery or get_discovery()
    wanted = {normalize_name(p) for p in plugins}
    infos = [
        info
        for info in discovery.plugins
        if not wanted
        or {normalize_name(info.provider.plugin), normalize_name(info.provider.distribution)}
        & wanted
    ]
    found = {normalize_name(n) for i in infos for n in (i.provider.plugin, i.provider.distribution)}
    unknown = sorted(p for p in plugins if normalize_name(p) not in found)
    if unknown:
        installed = sorted({i.provider.distribution for i in discovery.plugins}) or ["none"]
        raise CheckConfigError(
            f"no installed layerhub plugin named {', '.join(map(repr, unknown))} "
            f"(installed: {', '.join(installed)})"
        )
    for info in infos:
        if info.status == "failed" or (wanted and info.status == "disabled"):
            raise CheckConfigError(
                f"layerhub plugin {info.provider.plugin!r} from {info.provider.requirement} "
                f"is {info.status}{': ' + info.error if info.error else ''}"
            )
    # A name another plugin won in a conflict is that plugin's object, not this one's.
    providers = {info.provider for info in infos}
    subjects = [Subject(entry) for entry in discovery.registry if entry.provider in providers]
    if not subjects:
        reason = (
            "the selected plugins register none (or lost every name in a conflict)"
            if infos
            else "no layerhub plugin is installed"
        )
        raise CheckConfigError(f"no registered objects to check: {reason}")
    return subjects


def build_cases(
    subjects: Iterable[Subject],
    expected_failures: ExpectedFailures | None = None,
    *,
    checks: Sequence[str] = (),
    strict: bool = False,
) -> list[Case]:
    """Every applicable (object, check) case, sharing one fresh-process batch.

    Added in version 0.1.0.
    """
    from .catalog import BY_NAME, applicable
    from .fresh import share

    subjects = list(subjects)
    expected = dict(expected_failures or {})
    unknown_checks = sorted(
        {c for c in checks if c not in BY_NAME}
        | {c for reasons in expected.values() for c in reasons if c not in BY_NAME}
    )
    if unknown_checks:
        raise CheckConfigError(
            f"unknown check(s) {', '.join(unknown_checks)} (the checks: {', '.join(BY_NAME)})"
        )
    unknown_objects = sorted(set(expected) - {s.name for s in subjects})
    if unknown_objects:
        raise CheckConfigError(
            f"expected failures name object(s) not under test: {', '.join(unknown_objects)}"
        )
    cases: list[Case] = []
    for subject in subjects:
        reasons = expected.get(subject.name, {})
        for check in applicable(subject):
            if not checks or check.name in checks:
                cases.append(Case(subject, check, reasons.get(check.name), strict))
    share(c.subject for c in cases if c.check.fresh)
    return cases
