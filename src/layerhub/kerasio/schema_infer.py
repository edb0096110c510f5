"""A starter schema for a plugin object, from its constructor and a real ``get_config()``.

Writing a schema from scratch is where authors slip (a key Keras adds that the author
forgot, a float that is saved as an int). So the starter is built from what the object
really does: the constructor signature gives the arguments, which of them are required,
their annotated types and defaults; the config of an instance, serialized exactly as
``model.save`` writes it, gives every key that lands in ``config.json`` and the type of
its value. The result always passes the meta-schema and accepts that instance's config;
tightening it (ranges, enums, patterns) is the author's job (see docs/schemas.md).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import SchemaError
from ..plugins.registry import USER_PROVIDER, check_target, import_target
from ..schemas.shipped import DIALECT, ENVELOPE_SCHEMA, SHIPPED_BASE

__all__ = ["ENVELOPE", "infer", "registered_name"]

ENVELOPE_REF = SHIPPED_BASE + ENVELOPE_SCHEMA
#: JSON Schema type names of Python types (``bool`` before ``int``: it is a subclass).
PYTHON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (type(None), "null"),
    (list, "array"),
    (tuple, "array"),
    (Sequence, "array"),
    (dict, "object"),
    (Mapping, "object"),
)
#: Marks a value that is a serialized Keras object (described by the envelope schema).
ENVELOPE = "envelope"


@dataclass
class Inferred:
    """The starter schema, and notes on what could not be inferred."""

    target: str
    schema: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def infer(target: str, kwargs: Mapping[str, Any] | None = None) -> Inferred:
    """Infer a starter schema for ``"module.path:Object"``; ``kwargs`` build the instance."""
    obj = import_object(target)
    if inspect.isclass(obj):
        return infer_class(target, obj, dict(kwargs or {}))
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return infer_function(target, obj)
    raise SchemaError(f"{target!r} is a {type(obj).__name__}, not a class or a function")


def import_object(target: str) -> Any:
    try:
        check_target(target)
    except ValueError as exc:
        raise SchemaError(str(exc)) from None
    try:
        return import_target(target, USER_PROVIDER)
    except Exception as exc:
        raise SchemaError(f"cannot import {target!r}: {exc.__cause__ or exc}") from None


def registered_name(obj: Any) -> str:
    import keras

    return keras.saving.get_registered_name(obj)


def infer_function(target: str, fn: Callable[..., Any]) -> Inferred:
    """A function's config is its registered name: the schema pins it."""
    name = registered_name(fn)
    notes = [] if ">" in name else [f"{name!r} is not registered with a package"]
    schema = {"$schema": DIALECT, "title": name, "type": "string", "const": name}
    return Inferred(target, schema, notes)


def infer_class(target: str, cls: type, kwargs: dict[str, Any]) -> Inferred:
    notes: list[str] = []
    parameters = constructor_parameters(cls, notes)
    config = instance_config(cls, kwargs, notes)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, parameter in parameters.items():
        kinds = annotation_types(parameter.annotation)
        if parameter.default is not inspect.Parameter.empty:
            kinds |= value_types(parameter.default)
        elif config is None or name in config:
            required.append(name)
        else:
            notes.append(
                f"the constructor requires {name!r} but get_config() does not save it: "
                "from_config will fail on the saved config"
            )
        if config is not None and name in config:
            kinds |= value_types(config[name])
        properties[name] = property_schema(kinds, parameter.default)
    for name, value in (config or {}).items():
        if name not in properties:
            properties[name] = property_schema(value_types(value), inspect.Parameter.empty)
    variadic = any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(cls).parameters.values()
    )
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "title": registered_name(cls),
        "type": "object",
        "required": required,
        "properties": properties,
        # Every key of a real config is known; without one, **kwargs may add keys.
        "additionalProperties": config is None and variadic,
    }
    return Inferred(target, schema, notes)


def constructor_parameters(cls: type, notes: list[str]) -> dict[str, inspect.Parameter]:
    """Named constructor arguments (``*args`` and ``**kwargs`` carry no names)."""
    try:
        signature = inspect.signature(cls, eval_str=True)
    except Exception:  # unresolvable string annotations: fall back to none
        signature = inspect.signature(cls)
        notes.append("annotations could not be evaluated; types come from values only")
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {n: p for n, p in signature.parameters.items() if p.kind in named}


def instance_config(cls: type, kwargs: dict[str, Any], notes: list[str]) -> dict[str, Any] | None:
    """The config of ``cls(**kwargs)`` exactly as ``model.save`` writes it, or ``None``."""
    import keras

    try:
        instance = cls(**kwargs)
        serialized = json.loads(json.dumps(keras.saving.serialize_keras_object(instance)))
    except Exception as exc:
        notes.append(
            f"no instance to read get_config() from ({type(exc).__name__}: {exc}); "
            "pass the required arguments with --kwargs to include every config key"
        )
        return None
    config = serialized.get("config") if isinstance(serialized, dict) else None
    if not isinstance(config, dict):
        notes.append("get_config() did not serialize to an object")
        return None
    return config


def annotation_types(annotation: Any) -> set[str]:
    """JSON types an annotation allows (``int | None`` -> integer, null); unknown -> none."""
    if annotation is inspect.Parameter.empty or annotation is Any:
        return set()
    if annotation is None:
        return {"null"}
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        found: set[str] = set()
        for member in typing.get_args(annotation):
            found |= annotation_types(member)
        return found
    base = origin or annotation
    if not isinstance(base, type):
        return set()
    return {name for python, name in PYTHON_TYPES if issubclass(base, python)}


def value_types(value: Any) -> set[str]:
    if isinstance(value, dict) and "class_name" in value:
        return {ENVELOPE}
    for python, name in PYTHON_TYPES:
        if isinstance(value, python):
            return {name}
    return set()


def property_schema(kinds: set[str], default: Any) -> dict[str, Any]:
    """``{"type": ...}`` for the JSON types seen, ``$ref`` to the envelope for Keras objects."""
    if "number" in kinds:
        kinds.discard("integer")  # every integer is a number
    if kinds == {"null"}:
        kinds = set()  # only ever seen as None: the real type is unknown
    plain = sorted(kinds - {ENVELOPE})
    typed: dict[str, Any] = {"type": plain[0] if len(plain) == 1 else plain} if plain else {}
    if ENVELOPE in kinds:
        envelope = {"$ref": ENVELOPE_REF}
        schema = {"anyOf": [envelope, typed]} if typed else envelope
    else:
        schema = typed
    if default is not inspect.Parameter.empty:
        with contextlib.suppress(TypeError, ValueError):
            schema["default"] = json.loads(json.dumps(default))
    return schema
