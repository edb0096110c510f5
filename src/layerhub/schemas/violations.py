"""Validating a document against a schema: every violation, each with its JSON pointers.

One validator serves every document layerhub checks: a plugin object's config against
its plugin's schema, and layerhub's own files (``config.json``, ``metadata.json``, the
provenance manifest, index documents) against the shipped schemas. Each violation is a
:class:`~layerhub.errors.SchemaViolation` located by RFC 6901 pointers, and every one is
reported, never only the first or the "best".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import SchemaViolation
from ..pointer import child, pointer
from .shipped import shipped, shipped_registry

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

__all__ = [
    "SHOWN",
    "check_document",
    "find_violations",
    "located",
    "new_validator",
    "require_valid",
    "shorten",
    "split",
]

#: How much of a value or message a one-line description shows.
SHORT = 160


def new_validator(schema: Any, *, formats: bool = False) -> Validator:
    """A draft 2020-12 validator whose ``$ref`` reach the shipped schemas and nothing else."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        schema,
        registry=shipped_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER if formats else None,
    )


@functools.cache
def shipped_validator(name: str) -> Validator:
    """A compiled validator for a shipped schema (built once)."""
    return new_validator(shipped(name))


def check_document(name: str, instance: Any, member: str) -> list[SchemaViolation]:
    """Validate a whole document (``config.json``...) against the shipped schema ``name``."""
    return find_violations(shipped_validator(name), instance, name=name, where="", member=member)


def require_valid(instance: Any, name: str, where: str, what: str, error: type[Exception]) -> None:
    """Raise ``error`` unless ``instance`` satisfies the shipped schema ``name``; the
    one-line message names ``where`` and every violation (``what`` says what it is not)."""
    violations = check_document(name, instance, where)
    if violations:
        shown = "; ".join(f"{v.message} at {v.path or '/'}" for v in violations[:SHOWN])
        more = f"; and {len(violations) - SHOWN} more" if len(violations) > SHOWN else ""
        raise error(f"{where}: not a {what} ({shown}{more})")


#: How many violations a one-line message spells out.
SHOWN = 10


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
                child(at, key),
                keyword,
                instance[key],
                f"additional property {key!r} is not allowed",
                member,
            )
            for key in extra
        ]
    return [SchemaViolation(name, where, at, keyword, instance, shorten(error.message), member)]


def shorten(text: str) -> str:
    return text if len(text) <= SHORT else text[: SHORT - 3] + "..."


def located(problems: Iterable[SchemaViolation]) -> list[str]:
    """``"/path: message"`` for each violation (the conformance suite's lines)."""
    return [f"{v.path or '/'}: {v.message}" for v in problems]
