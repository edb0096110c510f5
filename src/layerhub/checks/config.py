"""Checks on the object's config: strict JSON, the plugin's schema, and both round trips."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from typing import Any

from ..errors import CheckFailure
from ..pointer import child
from ..signals import CheckSkipped
from . import kinds
from .schema import schema_errors
from .subject import Subject

__all__ = [
    "brief",
    "check_config_json",
    "check_config_round_trip",
    "check_schema",
    "check_serialization_round_trip",
    "first_difference",
    "get_config",
    "strict_json_problems",
]

JSON_SCALARS = (str, int, float, bool, type(None))


def configurable(subject: Subject) -> Any:
    """An example instance of a configurable kind; functions have no config of their own."""
    if subject.kind not in kinds.CONFIGURABLE:
        raise CheckSkipped(f"a {subject.kind} has no get_config()")
    instance, _ = subject.example()
    return instance


def get_config(subject: Subject, instance: Any) -> Any:
    try:
        return instance.get_config()
    except Exception as exc:
        raise CheckFailure(
            f"get_config() raised {brief(exc)}. Fix: return a dict of the "
            "constructor arguments needed to rebuild the object."
        ) from exc


def strict_json_problems(value: Any, pointer: str = "") -> Iterator[str]:
    """Every place in ``value`` that strict JSON (what ``config.json`` holds) cannot carry."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield f"{pointer or '/'}: key {key!r} is a {type(key).__name__}, not a string"
            yield from strict_json_problems(item, child(pointer, str(key)))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from strict_json_problems(item, child(pointer, i))
    elif type(value) not in JSON_SCALARS:
        yield (
            f"{pointer or '/'}: {type(value).__module__}.{type(value).__qualname__} "
            f"{value!r:.60} is not a JSON value"
        )
    elif isinstance(value, float) and not math.isfinite(value):
        yield f"{pointer or '/'}: {value} is not valid JSON"


def normalize(value: Any) -> Any:
    """``value`` as JSON would give it back (tuples become lists).

    Values JSON cannot hold become their ``repr``, so configs still compare after the
    ``config_json`` check has reported them.
    """
    return json.loads(json.dumps(value, default=repr))


def brief(exc: BaseException, limit: int = 300) -> str:
    """``Type: message`` on one line, cut at ``limit`` characters."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_difference(a: Any, b: Any, pointer: str = "") -> str | None:
    """The JSON pointer and values of the first place ``a`` and ``b`` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            where = child(pointer, str(key))
            if key not in b:
                return f"{where}: {a[key]!r:.60} is lost"
            if key not in a:
                return f"{where}: {b[key]!r:.60} appears"
            found = first_difference(a[key], b[key], where)
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, child(pointer, i))
            if found:
                return found
        return None
    return None if a == b else f"{pointer or '/'}: {a!r:.60} became {b!r:.60}"


def check_config_json(subject: Subject) -> None:
    """``get_config()`` is strict JSON: no NaN or infinity, no numpy scalars, no objects."""
    config = get_config(subject, configurable(subject))
    problems = list(strict_json_problems(config))
    if problems:
        raise CheckFailure(
            f"get_config() is not strict JSON: {'; '.join(problems[:5])}. Fix: store plain "
            "int/float/str/bool/None/list/dict values (float(x), int(x), .tolist()), and "
            "serialize nested Keras objects with keras.saving.serialize_keras_object."
        )


def serialized_config(subject: Subject) -> Any:
    """The ``config`` Keras writes for the object into ``config.json``."""
    import keras

    instance, _ = subject.example()
    try:
        return normalize(keras.saving.serialize_keras_object(instance)["config"])
    except Exception as exc:
        raise CheckFailure(
            f"Keras cannot serialize the object: {brief(exc)}. Fix: make "
            "get_config() return JSON values only."
        ) from exc


def check_schema(subject: Subject) -> None:
    """The config Keras saves satisfies the schema the plugin declares for it."""
    if subject.entry.schema is None:
        raise CheckSkipped("the plugin declares no schema for this object")
    config = serialized_config(subject)
    errors = schema_errors(subject.entry, config)
    if errors:
        raise CheckFailure(
            f"the saved config violates the plugin's schema: {'; '.join(errors[:5])}. Fix: "
            "update the schema registered with registry.add(schema=...) or get_config() so "
            "they agree."
        )


def check_config_round_trip(subject: Subject) -> None:
    """``from_config(get_config())`` gives back an object with the same config."""
    instance = configurable(subject)
    config = get_config(subject, instance)
    try:
        clone = type(instance).from_config(copy.deepcopy(config))
    except Exception as exc:
        raise CheckFailure(
            f"from_config(get_config()) raised {brief(exc)}. Fix: make "
            "get_config() return every constructor argument, and override from_config to "
            "deserialize nested objects."
        ) from exc
    difference = first_difference(normalize(config), normalize(get_config(subject, clone)))
    if difference:
        raise CheckFailure(
            f"from_config(get_config()) changes the config: {difference}. Fix: store each "
            "constructor argument unchanged in __init__ and return it as is from get_config()."
        )


def check_serialization_round_trip(subject: Subject) -> None:
    """``deserialize_keras_object(serialize_keras_object(obj))`` through JSON rebuilds it.

    Deserialization sees the object only under its registered name, as a load does.
    """
    import keras

    instance, _ = subject.example()
    try:
        serialized = normalize(keras.saving.serialize_keras_object(instance))
    except Exception as exc:
        raise CheckFailure(
            f"serialize_keras_object raised {brief(exc)}. Fix: make "
            "get_config() return JSON values only."
        ) from exc
    try:
        with keras.saving.custom_object_scope({subject.name: subject.target}):
            rebuilt = keras.saving.deserialize_keras_object(serialized)
    except Exception as exc:
        raise CheckFailure(
            f"deserialize_keras_object(serialize_keras_object(obj)) raised {brief(exc)}. "
            "Fix: register the object under the name Keras "
            "records and make from_config accept what get_config returns."
        ) from exc
    expected = subject.target if subject.kind == kinds.FUNCTION else type(instance)
    if rebuilt is not expected and type(rebuilt) is not expected:
        raise CheckFailure(
            f"deserialization gave {rebuilt!r:.60}, not a {getattr(expected, '__name__', '?')}. "
            "Fix: return cls(**config) from from_config."
        )
    if subject.kind == kinds.FUNCTION:
        return
    again = normalize(keras.saving.serialize_keras_object(rebuilt))
    difference = first_difference(serialized, again)
    if difference:
        raise CheckFailure(
            f"serializing the deserialized object gives a different result: {difference}. "
            "Fix: make from_config and get_config inverse of each other."
        )
