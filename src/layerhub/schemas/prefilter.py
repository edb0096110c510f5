"""A fast first pass over configs: jsonschema_rs answers "valid", jsonschema decides the rest.

Why: jsonschema's ``iter_errors`` walks each config in Python, about 55 µs for a small
layer config, so a 2,000-layer model cost twice its own ``json.loads``. jsonschema_rs
(Rust, the same draft 2020-12 semantics) answers ``is_valid`` for the same config in
well under a microsecond. Models are nearly always valid, so :mod:`layerhub.schemas.plugin`
asks the prefilter first and runs jsonschema only on the configs the prefilter rejects:
jsonschema alone decides what is a violation and words every report.

A prefilter is trusted only when it says "valid", so it must never accept what
jsonschema rejects. Where the two engines are known to disagree that way, the schema
gets no prefilter and jsonschema checks every config, as before:

- regexes (``pattern``, ``patternProperties``): jsonschema_rs follows ECMA-262, where
  ``\\d`` is ASCII only, so ``"^\\D$"`` accepts ``"٣"``, which Python's :mod:`re` does not;
- ``multipleOf``: jsonschema divides in floating point (``0.07`` is no multiple of
  ``0.01`` there), jsonschema_rs does not.

A schema jsonschema_rs cannot compile (a feature it lacks, a ``$ref`` it cannot resolve)
also goes without a prefilter; that is logged at debug level, never an error. Both
engines see the same documents: ``$ref`` reaches the schemas layerhub ships and nothing
else (the retriever refuses every other URI, so nothing is fetched), and ``format`` is an
annotation unless the caller asks for format checks, as for jsonschema.

jsonschema_rs is imported on the first compile, never by ``import layerhub`` or discovery.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from .shipped import (
    META_SCHEMA,
    REF_KEYWORDS,
    SHIPPED_BASE,
    SHIPPED_NAMES,
    dicts,
    first_unresolvable,
    shipped,
)

if TYPE_CHECKING:
    import jsonschema_rs

__all__ = [
    "Prefilter",
    "debug",
    "is_json",
    "prefilter",
    "references",
    "refuse",
    "schema_accepted",
    "shipped_rs_registry",
]


def debug(message: str, *args: object) -> None:
    """Log at debug level; :mod:`logging` is imported only when there is something to say
    (its import costs ~6 ms, a third of the first schema check)."""
    import logging

    logging.getLogger(__name__).debug(message, *args)


#: Keywords on which jsonschema_rs can accept what jsonschema rejects (see above).
DIVERGENT_KEYWORDS = frozenset({"pattern", "patternProperties", "multipleOf"})


class Prefilter:
    """``accepts(config)`` is ``True`` only for configs jsonschema would find valid.

    Configs are JSON values, as ``json.loads`` returns them (every caller reads them from
    an archive or round-trips them through JSON): jsonschema_rs reads a tuple as an
    array where jsonschema sees no array, so a tuple inside a config is not a case the
    two engines agree on, and checking each config for one would cost as much as the
    validation saved.
    """

    __slots__ = ("_is_valid",)

    def __init__(self, is_valid: Callable[[Any], bool]) -> None:
        self._is_valid = is_valid

    def accepts(self, instance: Any) -> bool:
        """Whether the config is certainly valid; ``False`` means "ask jsonschema"."""
        try:
            return self._is_valid(instance)
        except Exception:  # not convertible to JSON for Rust (a lone surrogate...)
            return False


def prefilter(document: Any) -> Prefilter | None:
    """A :class:`Prefilter` for ``document``, or ``None`` when jsonschema must check alone.

    ``format`` stays an annotation, as in the jsonschema validator of a plugin schema.
    """
    if not is_json(document):
        debug("no prefilter for a schema holding non-JSON values (a tuple...)")
        return None
    keyword = divergent_keyword(document)
    if keyword is not None:
        debug("no prefilter for a schema using %r: jsonschema checks it alone", keyword)
        return None
    rs = jsonschema_rs_module()
    try:
        validator = rs.Draft202012Validator(
            document,
            validate_formats=False,
            registry=shipped_rs_registry(),
            retriever=refuse,
        )
    except Exception as exc:  # jsonschema_rs lacks a feature or cannot resolve a $ref
        debug("jsonschema_rs cannot compile a schema (jsonschema checks it alone): %s", exc)
        return None
    return Prefilter(validator.is_valid)


def divergent_keyword(document: Any) -> str | None:
    """The first keyword of :data:`DIVERGENT_KEYWORDS` in ``document`` or in a shipped
    schema it references (directly or through another), or ``None``.

    Conservative on purpose: a property *named* ``pattern`` counts too (it only costs
    speed, never a missed violation).
    """
    names = set(SHIPPED_NAMES)
    seen: set[str] = set()
    pending = [document]
    while pending:
        current = pending.pop()
        found = first_key(current, DIVERGENT_KEYWORDS)
        if found is not None:
            return found
        for uri in references(current):
            name = uri.partition("#")[0].removeprefix(SHIPPED_BASE)
            if name in names and name not in seen:
                seen.add(name)
                pending.append(shipped(name))
    return None


def first_key(document: Any, keys: frozenset[str]) -> str | None:
    for _, node in dicts(document):
        hit = keys.intersection(node)
        if hit:
            return min(hit)
    return None


def references(document: Any) -> list[str]:
    """Every ``$ref`` / ``$dynamicRef`` string in ``document``."""
    return [
        node[key]
        for _, node in dicts(document)
        for key in REF_KEYWORDS
        if isinstance(node.get(key), str)
    ]


def refuse(uri: str) -> NoReturn:
    """The retriever: anything outside the registry of shipped schemas stays unresolved."""
    raise LookupError(f"{uri} is not one of layerhub's shipped schemas")


@functools.cache
def jsonschema_rs_module() -> Any:
    import jsonschema_rs

    return jsonschema_rs


@functools.cache
def shipped_rs_registry() -> jsonschema_rs.Registry:
    """Every shipped schema under its ``$id``, as
    :func:`layerhub.schemas.shipped.shipped_registry`."""
    resources = [(SHIPPED_BASE + name, shipped(name)) for name in SHIPPED_NAMES]
    return jsonschema_rs_module().Registry(resources, retriever=refuse)


# -- plugin schemas themselves -----------------------------------------------------------
def schema_accepted(document: Any) -> bool:
    """Whether ``document`` certainly passes :func:`layerhub.schemas.plugin.checked_schema`:
    the meta-schema (formats asserted) and every ``$ref`` resolving. ``False`` means "ask
    jsonschema", which then decides and says where the schema is wrong.

    Why: importing jsonschema and referencing costs ~80 ms, more than checking and
    validating every config of a large model. The meta-schema's own regexes (``$ref``
    targets, anchors) spell out their character classes, so the engines read them alike;
    but jsonschema_rs accepts ECMA-262 regexes Python cannot compile (``\\p{L}``,
    ``(?<n>x)``), so every regex in the schema is also compiled with :mod:`re`, as
    jsonschema's ``regex`` format check does.
    """
    if not is_json(document):  # a tuple is an array to jsonschema_rs, not to jsonschema
        return False
    try:
        if not meta_prefilter().accepts(document):
            return False
    except Exception as exc:  # jsonschema_rs cannot compile the meta-schema: never expected
        debug("no meta-schema pre-filter: %s", exc)
        return False
    return regexes_compile(document) and first_unresolvable(document) is None


@functools.cache
def meta_prefilter() -> Prefilter:
    rs = jsonschema_rs_module()
    validator = rs.Draft202012Validator(
        shipped(META_SCHEMA),
        validate_formats=True,
        registry=shipped_rs_registry(),
        retriever=refuse,
    )
    return Prefilter(validator.is_valid)


def regexes_compile(document: Any) -> bool:
    """Every ``pattern`` and ``patternProperties`` key compiles with Python's :mod:`re`."""
    for _, node in dicts(document):
        regexes = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        if isinstance(node.get("patternProperties"), dict):
            regexes.extend(node["patternProperties"])
        for regex in regexes:
            try:
                re.compile(regex)
            except Exception:  # re.error, or a regex too large to compile
                return False
    return True


def is_json(document: Any) -> bool:
    """Whether ``document`` holds only what ``json.loads`` returns (str keys, no tuples).

    Not a use of :func:`~layerhub.schemas.shipped.dicts`: it looks at every value, leaves
    included, and at exact types (a ``dict`` subclass, a tuple or a non-str key is what it
    exists to find), where the walk yields only the objects it enters.
    """
    stack = [document]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            if not all(type(key) is str for key in node):
                return False
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind not in (str, int, float, bool, type(None)):
            return False
    return True
