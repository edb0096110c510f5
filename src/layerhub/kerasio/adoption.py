"""What ``layerhub adopt DIST`` declares: the objects ``DIST`` registers with Keras (found
as ``layerhub trust`` finds them) and a starter schema for each class (as ``layerhub
schema infer`` writes it).

Run as ``python -m layerhub.kerasio.adoption DIST`` in a child process
(:func:`layerhub.publish.adoption.adopt`): importing a package has side effects that must
not touch the caller, and this imports every module of ``DIST``, and keras.
"""

from __future__ import annotations

import sys
from typing import Any

import importlib_metadata

from ..child import reply
from ..errors import SchemaError
from .introspect import registrations
from .schema_infer import infer

__all__ = ["declaration", "main"]


def declaration(distribution: str) -> dict[str, Any]:
    """The introspection record of ``distribution``, each object with its ``schema``
    (``None`` for a function, or where a class cannot be built without arguments:
    ``notes`` say why)."""
    record = registrations(distribution)
    for obj in record["objects"]:
        obj["schema"], obj["notes"] = None, []
        if obj["kind"] == "function":
            continue
        try:
            inferred = infer(obj["target"])
        except SchemaError as exc:
            obj["notes"] = [f"no starter schema: {exc}"]
            continue
        obj["schema"], obj["notes"] = inferred.schema, inferred.notes
    return record


def main(argv: list[str]) -> int:
    try:
        reply(declaration(argv[0]))
    except importlib_metadata.PackageNotFoundError:
        reply({"name": argv[0], "error": "not installed"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
