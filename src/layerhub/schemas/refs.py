"""The forms of a plugin schema, and reading one.

A plugin passes ``schema=`` to ``registry.add`` as a JSON Schema dict, or as
``"package:path/inside/package.json"`` naming a JSON file shipped inside a Python
package. Discovery checks only the *form* (:func:`ref_problem`: no file read, no
jsonschema), for every registration; the file is read when the schema is first needed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..errors import SchemaError
from ..finders import package_file

__all__ = ["SchemaRef", "load_schema", "ref_problem", "schema_sha256"]

#: A schema is a JSON Schema dict, or ``"package:relative/path.json"`` naming a JSON file
#: shipped inside a Python package (read with :mod:`importlib.resources`).
SchemaRef = Mapping[str, Any] | str
#: The one reference form for a schema file shipped in a plugin package.
PACKAGE_REF_RE = re.compile(
    r"^(?P<package>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<path>[\w.\-]+(?:/[\w.\-]+)*\.json)$"
)


def ref_problem(schema: object) -> str | None:
    """What is wrong with the *form* of a registered schema, or ``None``.

    Cheap on purpose (no file is read, jsonschema is not imported): discovery calls it
    for every registration.
    """
    if isinstance(schema, Mapping):
        return None
    if not isinstance(schema, str):
        return f"must be a dict or 'package:path/inside/package.json', got {type(schema).__name__}"
    match = PACKAGE_REF_RE.match(schema)
    if match is None or ".." in match["path"].split("/"):
        return f"{schema!r} does not read 'package:path/inside/package.json'"
    return None


def load_schema(schema: SchemaRef) -> Any:
    """The schema itself: a dict as given, or the JSON file a package reference names."""
    if isinstance(schema, Mapping):
        return schema
    problem = ref_problem(schema)
    if problem:
        raise SchemaError(problem)
    package, _, path = schema.partition(":")
    try:
        # Found on disk first, so that reading a schema (scan, validate) imports nothing
        # of the plugin; a package elsewhere (a zip) is read through its import.
        found = package_file(package, path)
        if found is not None:
            text = found.read_text(encoding="utf-8")
        else:
            from importlib import resources

            text = resources.files(package).joinpath(*path.split("/")).read_text(encoding="utf-8")
    except Exception as exc:  # a missing package or file, or a package failing to import
        raise SchemaError(f"cannot read {schema!r}: {type(exc).__name__}: {exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SchemaError(f"{schema!r} is not valid JSON: {exc}") from None


def schema_sha256(schema: SchemaRef | None) -> str | None:
    """sha256 of the schema's canonical JSON (sorted keys, no spaces); ``None`` without a
    readable one (a broken schema file is its plugin's warning, never a failed save)."""
    if schema is None:
        return None
    try:
        document = load_schema(schema)
    except SchemaError:
        return None
    import hashlib  # here: discovery imports this module, and only saving hashes

    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
