"""Plugin schemas: checked against the meta-schema, compiled once, applied to configs.

Every plugin schema must satisfy ``plugin-meta.schema.json``: draft 2020-12, a declared
top-level ``type`` (``object`` for classes, ``string`` for functions, whose config is
their registered name), and ``$ref`` only inside the schema or to the schemas layerhub
ships, so validation never touches the network.

Why the check is split in two: importing jsonschema costs ~80 ms and checking one
schema against the meta-schema a few milliseconds, while discovery of fifty plugins
must stay a small fraction of ``import keras``. So discovery only checks the *form* of
a schema reference (:func:`~layerhub.schemas.refs.ref_problem`). The full check runs the
first time a schema is needed, once per process: :func:`compiled` checks and compiles
it and caches the result, and a bad schema becomes one
:class:`~layerhub.errors.PluginWarning` naming the plugin, after which that object's
configs go unchecked (``layerhub schema check`` runs every check up front, for CI).

Two engines validate configs: jsonschema_rs first, as a fast pre-filter that may only
say "valid" (:mod:`layerhub.schemas.prefilter`), then jsonschema, the authority, on
every config the pre-filter rejects: it decides whether there is a violation and builds
the reports, so they read the same with or without the pre-filter.

An entry of the registry is known here only by what :class:`SchemaOwner` says it holds,
so the registry can build on this package.
"""

from __future__ import annotations

import functools
import threading
import warnings
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from .. import settings
from ..errors import PluginError, PluginWarning, SchemaError, SchemaViolation, SchemaViolationError
from ..pointer import pointer
from .prefilter import Prefilter, prefilter, schema_accepted
from .refs import SchemaRef, load_schema
from .shipped import META_SCHEMA, first_unresolvable, shipped
from .violations import find_violations, new_validator, shorten

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

    from ..references.walk import Reference

__all__ = [
    "Unchecked",
    "check_references",
    "checked_schema",
    "compiled",
    "config_of",
    "raise_for_violations",
    "schema_document_problem",
    "schema_problem",
]


class SchemaOwner(Protocol):
    """What this package needs of a registry entry: its name, its schema, and who
    provides it (named in the warning about a bad schema)."""

    @property
    def name(self) -> str: ...

    @property
    def schema(self) -> SchemaRef | None: ...

    def describe_provider(self) -> str: ...


class Catalogue(Protocol):
    """What this package needs of the registry: the entry registered under a name."""

    def get(self, name: str) -> SchemaOwner | None: ...


# -- checking a plugin schema ------------------------------------------------------------
def schema_problem(schema: SchemaRef) -> str | None:
    """Why ``schema`` cannot serve as a plugin schema, or ``None`` when it can."""
    try:
        checked_schema(schema)
    except SchemaError as exc:
        return str(exc)
    return None


def checked_schema(schema: SchemaRef) -> Any:
    """The schema document, once it is known to work as a plugin schema.

    Reads a file reference, checks the result against the meta-schema (``pattern``
    regexes included) and resolves every ``$ref``, so a schema that passes never fails
    during validation. Raises :class:`~layerhub.errors.SchemaError` saying where it is
    wrong. jsonschema_rs passes the good schemas fast; jsonschema judges the others.
    """
    document = load_schema(schema)
    if not schema_accepted(document):
        problem = schema_document_problem(document)
        if problem:
            raise SchemaError(problem)
    return document


def schema_document_problem(document: Any) -> str | None:
    """jsonschema's verdict on a plugin schema document: where it breaks the meta-schema
    or which ``$ref`` leads nowhere, or ``None``."""
    from jsonschema.exceptions import best_match

    errors = list(meta_validator().iter_errors(document))
    if errors:
        error = best_match(errors)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"at {pointer(error.absolute_path) or '/'}: {shorten(error.message)}{more}"
    return first_unresolvable(document)


@functools.cache
def meta_validator() -> Validator:
    return new_validator(shipped(META_SCHEMA), formats=True)


class Compiled:
    """A plugin schema, checked and compiled: ``validator``, or the ``problem`` preventing it.

    ``prefilter`` (jsonschema_rs) passes the valid configs fast; it is ``None`` where the
    two engines could disagree or jsonschema_rs cannot compile. ``validator``
    (jsonschema) decides on the others and words the reports; it is built on first use,
    so a process whose configs are all valid never imports jsonschema.
    """

    def __init__(
        self, document: Any, problem: str | None = None, prefilter: Prefilter | None = None
    ) -> None:
        self.document, self.problem, self.prefilter = document, problem, prefilter

    @functools.cached_property
    def validator(self) -> Validator | None:
        return None if self.problem is not None else new_validator(self.document)


_compiled: weakref.WeakKeyDictionary[Any, Compiled] = weakref.WeakKeyDictionary()
_compiled_lock = threading.Lock()


def compiled(owner: SchemaOwner) -> Compiled | None:
    """The compiled schema of ``owner`` (``None`` when it has none), checked once per process.

    A bad schema is reported once as a :class:`~layerhub.errors.PluginWarning` naming the
    plugin (a :class:`~layerhub.errors.PluginError` under ``LAYERHUB_STRICT=1``).
    """
    if owner.schema is None:
        return None
    with _compiled_lock:
        result = _compiled.get(owner)
        if result is None:
            try:
                document = checked_schema(owner.schema)
                result = Compiled(document, prefilter=prefilter(document))
            except SchemaError as exc:
                result = Compiled(None, str(exc))
                report_bad_schema(owner, result.problem)
            _compiled[owner] = result
    return result


def report_bad_schema(owner: SchemaOwner, problem: str) -> None:
    message = (
        f"{owner.describe_provider()}: the schema of {owner.name!r} is invalid, so its "
        f"configs are not validated: {problem}"
    )
    if settings.flag(settings.STRICT):
        raise PluginError(message)
    warnings.warn(message, PluginWarning, stacklevel=4)


# -- validating the configs a model references -------------------------------------------
class Unchecked(NamedTuple):
    """A referenced object whose config was not validated, and why."""

    name: str
    pointer: str
    reason: str


class ValidationReport:
    """What validating one config found: violations, objects left unchecked, objects checked."""

    def __init__(self) -> None:
        self.violations: list[SchemaViolation] = []
        self.unchecked: list[Unchecked] = []
        self.checked = 0

    @property
    def valid(self) -> bool:
        return not self.violations


def check_references(
    references: Iterable[Reference],
    registry: Catalogue,
    *,
    skip: Iterable[str] = (),
    member: str = "config.json",
) -> ValidationReport:
    """Validate the config of every referenced plugin object against its plugin's schema.

    ``registry`` is the plugin registry (anything with its ``get``). ``skip`` names
    objects the user supplies (``custom_objects``): the plugin's schema does not describe
    them. Nothing is imported but the schemas.
    """
    skipped = set(skip)
    report = ValidationReport()
    for reference in references:
        if reference.name in skipped:
            report.unchecked.append(Unchecked(reference.name, reference.pointer, "user-supplied"))
            continue
        owner = registry.get(reference.name)
        if owner is None:
            reason = "no installed plugin provides it"
            report.unchecked.append(Unchecked(reference.name, reference.pointer, reason))
            continue
        result = compiled(owner)
        if result is None or result.problem is not None:
            reason = (
                "its plugin declares no schema"
                if result is None
                else f"its schema is invalid: {result.problem}"
            )
            report.unchecked.append(Unchecked(reference.name, reference.pointer, reason))
            continue
        report.checked += 1
        config = config_of(reference)
        where, document = reference.pointer, member
        if where and not where.startswith("/"):  # "task.json#/config": another document
            document, _, where = where.partition("#")
        if result.prefilter is not None and result.prefilter.accepts(config):
            continue
        report.violations.extend(
            find_violations(
                result.validator,
                config,
                name=reference.name,
                where=where,
                member=document,
            )
        )
    return report


def raise_for_violations(
    references: Iterable[Reference],
    registry: Catalogue,
    *,
    skip: Iterable[str] = (),
    source: str = "",
) -> None:
    """Raise :class:`~layerhub.errors.SchemaViolationError` listing every violation, if any."""
    report = check_references(references, registry, skip=skip)
    if report.violations:
        raise SchemaViolationError(report.violations, source)


def config_of(reference: Reference) -> Any:
    """What a schema describes: the config, or a function's registered name.

    A function referenced by a bare string (``"loss": "pkg>fn"``) has no envelope; its
    config is the name itself, as in ``{"class_name": "function", "config": "pkg>fn"}``.
    """
    if reference.kind == "function" and reference.config is None:
        return reference.name
    return reference.config
