"""JSON Schemas: plugin schemas and layerhub's own, loaded, checked, compiled once, applied.

A plugin registers a schema for an object's ``get_config()`` as a dict or as
``"package:path/inside/package.json"`` (read with :mod:`importlib.resources`). Every
plugin schema must satisfy ``schemas/plugin-meta.schema.json``: draft 2020-12, a
declared top-level ``type`` (``object`` for classes, ``string`` for functions, whose
config is their registered name), and ``$ref`` only inside the schema or to the schemas
layerhub ships, so validation never touches the network.

Why the check is split in two: importing jsonschema costs ~80 ms and checking one
schema against the meta-schema a few milliseconds, while discovery of fifty plugins
must stay a small fraction of ``import keras``. So discovery only checks the *form* of
a schema reference (:func:`ref_problem`, no file read, no jsonschema). The full check
runs the first time a schema is needed, once per process: :func:`compiled` checks and
compiles it and caches the validator, and a bad schema becomes one
:class:`~layerhub.PluginWarning` naming the plugin, after which that object's configs
go unchecked (``layerhub schema check`` runs every check up front, for plugin CI).

Two engines validate configs: jsonschema_rs first, as a fast pre-filter that may only
say "valid" (:mod:`layerhub.schema_prefilter`), then jsonschema, the authority, on every
config the pre-filter rejects: it decides whether there is a violation and builds the
reports, so they read the same with or without the pre-filter.

This module imports neither keras nor (until a schema is first needed) jsonschema or
jsonschema_rs.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import warnings
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from . import package_data
from .errors import (
    PluginError,
    PluginWarning,
    SchemaError,
    SchemaViolation,
    SchemaViolationError,
)
from .references import Reference, custom_references, escape
from .registry import ref_problem

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator
    from referencing import Registry as SchemaRegistry

    from .registry import Entry, Registry, SchemaRef
    from .schema_prefilter import Prefilter

#: Where layerhub's shipped schemas live, as ``$id`` prefix and as package data.
SHIPPED_BASE = "https://layerhub.dev/schemas/"
META_SCHEMA = "plugin-meta.schema.json"
CONFIG_SCHEMA = "config.schema.json"
METADATA_SCHEMA = "metadata.schema.json"
MANIFEST_SCHEMA = "manifest.schema.json"
ENVELOPE_SCHEMA = "envelope.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: How much of a value or message a one-line description shows.
SHORT = 160


# -- reading -----------------------------------------------------------------------------
def load_schema(schema: SchemaRef) -> Any:
    """The schema itself: a dict as given, or the JSON file a package reference names."""
    if isinstance(schema, Mapping):
        return schema
    problem = ref_problem(schema)
    if problem:
        raise SchemaError(problem)
    from importlib import resources  # only for plugin packages' own schema files

    package, _, path = schema.partition(":")
    try:
        text = resources.files(package).joinpath(*path.split("/")).read_text(encoding="utf-8")
    except Exception as exc:  # a missing package or file, or a package failing to import
        raise SchemaError(f"cannot read {schema!r}: {type(exc).__name__}: {exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SchemaError(f"{schema!r} is not valid JSON: {exc}") from None


@functools.cache
def shipped(name: str) -> dict[str, Any]:
    """One of layerhub's shipped schemas by file name (``"config.schema.json"``)."""
    try:
        return json.loads(package_data.read(f"schemas/{name}"))
    except (OSError, ValueError) as exc:  # an installation problem, not bad input
        raise RuntimeError(f"layerhub's schema {name} is missing or broken: {exc}") from exc


@functools.cache
def shipped_names() -> tuple[str, ...]:
    """File names of every shipped schema."""
    from importlib import resources

    folder = resources.files(__package__).joinpath("schemas")
    return tuple(sorted(f.name for f in folder.iterdir() if f.name.endswith(".schema.json")))


@functools.cache
def shipped_registry() -> SchemaRegistry:
    """Every shipped schema under its ``$id``: all that ``$ref`` may reach (nothing remote).

    Crawled up front: an uncrawled registry crawls itself again on every anchor lookup,
    and the meta-schema's ``$dynamicRef`` looks one up per subschema, which made each
    plugin schema's meta-schema check cost ~4x more.
    """
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    return (
        Registry()
        .with_resources(
            (SHIPPED_BASE + name, DRAFT202012.create_resource(shipped(name)))
            for name in shipped_names()
        )
        .crawl()
    )


@functools.cache
def shipped_validator(name: str) -> Validator:
    """A compiled validator for a shipped schema (built once)."""
    return new_validator(shipped(name))


def new_validator(schema: Any, *, formats: bool = False) -> Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        schema,
        registry=shipped_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER if formats else None,
    )


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
    during validation. Raises :class:`~layerhub.SchemaError` saying where it is wrong.
    jsonschema_rs passes the good schemas fast; jsonschema judges the others.
    """
    document = load_schema(schema)
    from .schema_prefilter import schema_accepted

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
    return unresolvable_reference(document)


@functools.cache
def meta_validator() -> Validator:
    return new_validator(shipped(META_SCHEMA), formats=True)


def unresolvable_reference(document: Any) -> str | None:
    """The first ``$ref`` in ``document`` that leads nowhere, described, or ``None``."""
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012

    resolver = shipped_registry().resolver_with_root(DRAFT202012.create_resource(document))
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            for key in ("$ref", "$dynamicRef"):
                if isinstance(node.get(key), str):
                    try:
                        resolver.lookup(node[key])
                    except Unresolvable:
                        return f"at {where or '/'}: {key} {node[key]!r} resolves to nothing"
            stack.extend((f"{where}/{escape(k)}", v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{where}/{i}", v) for i, v in enumerate(node))
    return None


class Compiled:
    """A plugin schema, checked and compiled: ``validator``, or the ``problem`` preventing it.

    ``prefilter`` (jsonschema_rs, :mod:`layerhub.schema_prefilter`) passes the valid
    configs fast; it is ``None`` where the two engines could disagree or jsonschema_rs
    cannot compile. ``validator`` (jsonschema) decides on the others and words the
    reports; it is built on first use, so a process whose configs are all valid never
    imports jsonschema.
    """

    def __init__(
        self, document: Any, problem: str | None = None, prefilter: Prefilter | None = None
    ) -> None:
        self.document, self.problem, self.prefilter = document, problem, prefilter

    @functools.cached_property
    def validator(self) -> Validator | None:
        return None if self.problem is not None else new_validator(self.document)


_compiled: weakref.WeakKeyDictionary[Entry, Compiled] = weakref.WeakKeyDictionary()
_compiled_lock = threading.Lock()


def compiled(entry: Entry) -> Compiled | None:
    """The compiled schema of ``entry`` (``None`` when it has none), checked once per process.

    A bad schema is reported once as a :class:`~layerhub.PluginWarning` naming the plugin
    (a :class:`~layerhub.PluginError` under ``LAYERHUB_STRICT=1``).
    """
    if entry.schema is None:
        return None
    with _compiled_lock:
        result = _compiled.get(entry)
        if result is None:
            try:
                document = checked_schema(entry.schema)
                result = Compiled(document, prefilter=new_prefilter(document))
            except SchemaError as exc:
                result = Compiled(None, str(exc))
                report_bad_schema(entry, result.problem)
            _compiled[entry] = result
    return result


def new_prefilter(document: Any) -> Prefilter | None:
    """jsonschema_rs's fast "valid" for a checked plugin schema, where it is sound."""
    from .schema_prefilter import prefilter

    return prefilter(document)


def report_bad_schema(entry: Entry, problem: str) -> None:
    from .plugins import STRICT_VAR, env_flag

    provider = entry.provider
    message = (
        f"layerhub plugin {provider.plugin!r} from {provider.requirement}: the schema of "
        f"{entry.name!r} is invalid, so its configs are not validated: {problem}"
    )
    if env_flag(STRICT_VAR):
        raise PluginError(message)
    warnings.warn(message, PluginWarning, stacklevel=4)


# -- validating --------------------------------------------------------------------------
class Unchecked(NamedTuple):
    """A referenced object whose config was not validated, and why."""

    name: str
    pointer: str
    reason: str


class Report:
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
    registry: Registry,
    *,
    skip: Iterable[str] = (),
    member: str = "config.json",
) -> Report:
    """Validate the config of every referenced plugin object against its plugin's schema.

    ``skip`` names objects the user supplies (``custom_objects``): the plugin's schema
    does not describe them. Nothing is imported but the schemas.
    """
    skipped = set(skip)
    report = Report()
    for reference in references:
        if reference.name in skipped:
            report.unchecked.append(Unchecked(reference.name, reference.pointer, "user-supplied"))
            continue
        entry = registry.get(reference.name)
        if entry is None:
            reason = "no installed plugin provides it"
            report.unchecked.append(Unchecked(reference.name, reference.pointer, reason))
            continue
        result = compiled(entry)
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
        if result.prefilter is not None and result.prefilter.accepts(config):
            continue
        report.violations.extend(
            find_violations(
                result.validator,
                config,
                name=reference.name,
                where=reference.pointer,
                member=member,
            )
        )
    return report


def validate_model(model: Any, registry: Registry, *, source: str = "") -> None:
    """Raise :class:`~layerhub.SchemaViolationError` if any plugin object's ``get_config()``
    in ``model`` breaks its schema: checks what ``model.save`` would write as config.json."""
    if not any(entry.schema is not None for entry in registry):
        return
    import keras  # the caller holds a Keras model, so keras is imported already

    # The JSON round trip is Keras's own (saving_lib dumps the serialized dict as is):
    # tuples become arrays, exactly as a later load will see them.
    config = json.loads(json.dumps(keras.saving.serialize_keras_object(model)))
    raise_for_violations(custom_references(config), registry, source=source)


def raise_for_violations(
    references: Iterable[Reference],
    registry: Registry,
    *,
    skip: Iterable[str] = (),
    source: str = "",
) -> None:
    """Raise :class:`~layerhub.SchemaViolationError` listing every violation, if any."""
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


def check_document(name: str, instance: Any, member: str) -> list[SchemaViolation]:
    """Validate a whole archive member (``config.json``...) against a shipped schema."""
    return find_violations(shipped_validator(name), instance, name=name, where="", member=member)


def find_violations(
    validator: Validator, instance: Any, *, name: str, where: str, member: str
) -> list[SchemaViolation]:
    """Every way ``instance`` breaks the schema, each with its JSON pointers, in path order."""
    try:
        errors = list(validator.iter_errors(instance))
    except RecursionError:
        return [
            SchemaViolation(name, where, "", "$ref", None, "nested too deeply to validate", member)
        ]
    # Two subschemas can require the same thing (a $ref'd schema and its refinement):
    # one violation each.
    found = {
        (v.path, v.keyword, v.message): v
        for error in errors
        for v in split(error, name, where, member)
    }
    return sorted(found.values(), key=lambda v: (v.path, v.keyword))


def split(error: ValidationError, name: str, where: str, member: str) -> list[SchemaViolation]:
    """One violation per offending property, so each one's pointer names it exactly.

    An ``anyOf``/``oneOf`` failure is reported through its most relevant branch failure
    (jsonschema's ``best_match``): "minimum" at the exact key says more than "anyOf".
    """
    if error.context:
        from jsonschema.exceptions import best_match

        error = best_match([error])
    at = pointer(error.absolute_path)
    keyword = str(error.validator)
    instance = error.instance
    if keyword == "required" and isinstance(instance, dict):
        message = "{!r} is a required property"
        return [
            SchemaViolation(name, where, at, keyword, key, message.format(key), member)
            for key in error.validator_value
            if key not in instance
        ]
    if keyword == "additionalProperties" and isinstance(instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        extra = [
            key
            for key in instance
            if key not in known and not any(re.search(p, key) for p in patterns)
        ]
        return [
            SchemaViolation(
                name,
                where,
                f"{at}/{escape(key)}",
                keyword,
                instance[key],
                f"additional property {key!r} is not allowed",
                member,
            )
            for key in extra
        ]
    return [SchemaViolation(name, where, at, keyword, instance, shorten(error.message), member)]


def pointer(path: Iterable[str | int]) -> str:
    """A JSON pointer (RFC 6901) from a sequence of keys and indices."""
    return "".join(f"/{escape(token)}" for token in path)


def shorten(text: str) -> str:
    return text if len(text) <= SHORT else text[: SHORT - 3] + "..."
