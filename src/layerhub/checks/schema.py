"""Validating a config against the schema a plugin declares (the ``schema`` check's core).

Delegates to :mod:`layerhub.schemas`, so the conformance suite holds a plugin to exactly
the rules load, save and ``layerhub validate`` apply: the meta-schema, and the same
violations with the same JSON pointers.
"""

from __future__ import annotations

from typing import Any

from ..errors import CheckFailure, SchemaError
from ..plugins.registry import Entry
from ..schemas.plugin import checked_schema
from ..schemas.violations import find_violations, located, new_validator

__all__ = ["schema_errors"]


def schema_errors(entry: Entry, config: Any) -> list[str]:
    """One line per violation, each with the JSON pointer of the offending value."""
    try:
        document = checked_schema(entry.schema)
    except SchemaError as exc:
        raise CheckFailure(
            f"the declared schema cannot be used: {exc}. Fix: correct the schema passed to "
            "registry.add (docs/schemas.md lists what a plugin schema must satisfy)."
        ) from exc
    found = find_violations(
        new_validator(document), config, name=entry.name, where="", member="config"
    )
    return located(found)
