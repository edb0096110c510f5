"""Validating a config against the schema a plugin declares (the ``schema`` check's core).

A minimal, direct use of :mod:`jsonschema` until ``layerhub.schemas`` (the loader's
validator, with caching) lands; then this module delegates to it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema

from ..registry import Entry
from .results import CheckFailure


def load_schema(entry: Entry) -> Any:
    """The entry's schema as a dict: given inline, or ``"package:path.json"`` in a package."""
    schema = entry.schema
    if not isinstance(schema, str):
        return schema
    package, _, path = schema.partition(":")
    try:
        return json.loads(resources.files(package).joinpath(path).read_text("utf-8"))
    except (OSError, ValueError, ImportError) as exc:
        raise CheckFailure(
            f"the schema {schema!r} cannot be read: {type(exc).__name__}: {exc}. Fix: ship the "
            "file as package data and name it 'package:path/inside/package.json'."
        ) from exc


def schema_errors(entry: Entry, config: Any) -> list[str]:
    """One line per violation, each with the JSON pointer of the offending value."""
    schema = load_schema(entry)
    try:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise CheckFailure(
            f"the declared schema is not a valid JSON Schema: {exc.message}. Fix: correct the "
            "schema passed to registry.add."
        ) from exc
    errors = sorted(cls(schema).iter_errors(config), key=lambda e: list(e.absolute_path))
    return [f"{'/' + '/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in errors]
