"""A fast first pass over configs: jsonschema_rs answers "valid", jsonschema decides the rest.

Why: jsonschema's ``iter_errors`` walks each config in Python, about 55 µs for a small
layer config, so a 2,000-layer model cost twice its own ``json.loads``. jsonschema_rs
(Rust, the same draft 2020-12 semantics) answers ``is_valid`` for the same config in
well under a microsecond. Models are nearly always valid, so :mod:`layerhub.schemas`
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
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from .schemas import SHIPPED_BASE, shipped, shipped_names

if TYPE_CHECKING:
    import jsonschema_rs

logger = logging.getLogger(__name__)

#: Keywords on which jsonschema_rs can accept what jsonschema rejects (see above).
DIVERGENT_KEYWORDS = frozenset({"pattern", "patternProperties", "multipleOf"})


class Prefilter:
    """``accepts(config)`` is ``True`` only for configs jsonschema would find valid."""

    __slots__ = ("_is_valid",)

    def __init__(self, is_valid: Callable[[Any], bool]) -> None:
        self._is_valid = is_valid

    def accepts(self, instance: Any) -> bool:
        """Whether the config is certainly valid; ``False`` means "ask jsonschema"."""
        try:
            return self._is_valid(instance)
        except Exception:  # not convertible to JSON for Rust (a lone surrogate...)
            return False


def prefilter(document: Any, *, formats: bool = False) -> Prefilter | None:
    """A :class:`Prefilter` for ``document``, or ``None`` when jsonschema must check alone."""
    keyword = divergent_keyword(document)
    if keyword is not None:
        logger.debug("no prefilter for a schema using %r: jsonschema checks it alone", keyword)
        return None
    rs = jsonschema_rs_module()
    try:
        validator = rs.Draft202012Validator(
            document,
            validate_formats=formats,
            registry=shipped_rs_registry(),
            retriever=refuse,
        )
    except Exception as exc:  # jsonschema_rs lacks a feature or cannot resolve a $ref
        logger.debug("jsonschema_rs cannot compile a schema (jsonschema checks it alone): %s", exc)
        return None
    return Prefilter(validator.is_valid)


def divergent_keyword(document: Any) -> str | None:
    """The first keyword of :data:`DIVERGENT_KEYWORDS` in ``document`` or in a shipped
    schema it references, or ``None``.

    Conservative on purpose: a property *named* ``pattern`` counts too (it only costs
    speed, never a missed violation).
    """
    found = first_key(document, DIVERGENT_KEYWORDS)
    if found is not None:
        return found
    for uri in references(document):
        base = uri.partition("#")[0]
        if base.startswith(SHIPPED_BASE) and base[len(SHIPPED_BASE) :] in shipped_names():
            found = first_key(shipped(base[len(SHIPPED_BASE) :]), DIVERGENT_KEYWORDS)
            if found is not None:
                return found
    return None


def first_key(document: Any, keys: frozenset[str]) -> str | None:
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            hit = keys.intersection(node)
            if hit:
                return min(hit)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def references(document: Any) -> list[str]:
    """Every ``$ref`` / ``$dynamicRef`` string in ``document``."""
    found: list[str] = []
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.extend(node[k] for k in ("$ref", "$dynamicRef") if isinstance(node.get(k), str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def refuse(uri: str) -> NoReturn:
    """The retriever: anything outside the registry of shipped schemas stays unresolved."""
    raise LookupError(f"{uri} is not one of layerhub's shipped schemas")


@functools.cache
def jsonschema_rs_module() -> Any:
    import jsonschema_rs

    return jsonschema_rs


@functools.cache
def shipped_rs_registry() -> jsonschema_rs.Registry:
    """Every shipped schema under its ``$id``, as :func:`layerhub.schemas.shipped_registry`."""
    resources = [(SHIPPED_BASE + name, shipped(name)) for name in shipped_names()]
    return jsonschema_rs_module().Registry(resources, retriever=refuse)
