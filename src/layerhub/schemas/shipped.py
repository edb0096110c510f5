"""layerhub's own schemas (``json/``), the check that a schema's ``$ref`` resolve, and the
one walk over a schema's objects.

The shipped schemas describe what layerhub reads and writes (``config.json``,
``metadata.json``, the provenance manifest, index documents) and what a plugin schema
must be (``plugin-meta.schema.json``). Each has its ``$id`` under :data:`SHIPPED_BASE`,
and a ``$ref`` may reach them and nothing else, so validation never touches the network.

While validating, each engine follows ``$ref`` itself (jsonschema through ``referencing``
and :func:`shipped_registry`, jsonschema_rs through its own registry of the same
schemas). :func:`resolve` answers only "does this reference lead somewhere?" for a plugin
schema before any engine is imported: importing ``referencing`` alone costs more than
checking a large model.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import data
from ..pointer import pointer
from ..pointer import resolve as at_pointer
from ..signals import UnresolvableReference

if TYPE_CHECKING:
    from referencing import Registry as SchemaRegistry

__all__ = [
    "CONFIG_SCHEMA",
    "DATA_KEYWORDS",
    "DIALECT",
    "ENVELOPE_SCHEMA",
    "INDEX_SCHEMA",
    "MANIFEST_SCHEMA",
    "METADATA_SCHEMA",
    "META_SCHEMA",
    "MISSING",
    "REF_KEYWORDS",
    "SHIPPED_BASE",
    "SHIPPED_NAMES",
    "Path",
    "dicts",
    "first_unresolvable",
    "resolve",
    "shipped",
    "shipped_registry",
    "tokens",
]

#: Where layerhub's shipped schemas live, as ``$id`` prefix.
SHIPPED_BASE = "https://layerhub.dev/schemas/"
META_SCHEMA = "plugin-meta.schema.json"
CONFIG_SCHEMA = "config.schema.json"
METADATA_SCHEMA = "metadata.schema.json"
MANIFEST_SCHEMA = "manifest.schema.json"
ENVELOPE_SCHEMA = "envelope.schema.json"
INDEX_SCHEMA = "index.schema.json"
#: Every file in ``json/`` (a test keeps the two in step; listing the folder would cost
#: an import of :mod:`importlib.resources` on the scan path).
SHIPPED_NAMES = (
    CONFIG_SCHEMA,
    ENVELOPE_SCHEMA,
    INDEX_SCHEMA,
    MANIFEST_SCHEMA,
    METADATA_SCHEMA,
    META_SCHEMA,
)
DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: The keywords whose value is a reference to another (sub)schema.
REF_KEYWORDS = ("$ref", "$dynamicRef")
#: What :func:`layerhub.pointer.resolve` returns where nothing is (a ``null`` is a value).
MISSING = object()


@functools.cache
def shipped(name: str) -> dict[str, Any]:
    """One of layerhub's shipped schemas by file name (``"config.schema.json"``)."""
    try:
        return json.loads(data.read(f"schemas/json/{name}"))
    except (OSError, ValueError) as exc:  # an installation problem, not bad input
        raise RuntimeError(f"layerhub's schema {name} is missing or broken: {exc}") from exc


@functools.cache
def shipped_registry() -> SchemaRegistry:
    """Every shipped schema under its ``$id``, for jsonschema's validators.

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
            for name in SHIPPED_NAMES
        )
        .crawl()
    )


def resolve(reference: str, document: Any) -> Any:
    """The subschema ``reference`` (a ``$ref`` or ``$dynamicRef`` inside ``document``)
    points at; raises :class:`UnresolvableReference`.

    Plugin schemas have no ``$id`` (the meta-schema forbids it), so a reference is a
    fragment into the document itself or the absolute URI of a shipped schema, with a
    fragment into it. A fragment is empty, a JSON pointer (percent-encoded, RFC 6901) or
    a plain name declared by ``$anchor`` or ``$dynamicAnchor``.
    """
    base, _, fragment = reference.partition("#")
    if base:
        name = base.removeprefix(SHIPPED_BASE)
        if not base.startswith(SHIPPED_BASE) or name not in SHIPPED_NAMES:
            raise UnresolvableReference(f"{base} is not one of layerhub's shipped schemas")
        document = shipped(name)
    if "%" in fragment:
        from urllib.parse import unquote

        fragment = unquote(fragment)
    if not fragment:
        return document
    if not fragment.startswith("/"):
        return anchored(document, fragment)
    node = at_pointer(document, fragment, MISSING)
    if node is MISSING:
        raise UnresolvableReference(f"no {fragment!r} in {reference!r}")
    return node


#: Keywords whose values are data, not subschemas: an ``$anchor`` there declares nothing.
DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})


def anchored(document: Any, anchor: str) -> Any:
    """The subschema of ``document`` declaring ``$anchor`` or ``$dynamicAnchor`` ``anchor``."""
    for _, node in dicts(document, skip=DATA_KEYWORDS):
        if anchor in (node.get("$anchor"), node.get("$dynamicAnchor")):
            return node
    raise UnresolvableReference(f"no anchor {anchor!r}")


def first_unresolvable(document: Any) -> str | None:
    """The first ``$ref``/``$dynamicRef`` in ``document`` that leads nowhere, described
    with its location, or ``None`` when every one resolves."""
    for path, node in dicts(document):
        for key in REF_KEYWORDS:
            if isinstance(node.get(key), str):
                try:
                    resolve(node[key], document)
                except UnresolvableReference:
                    where = pointer(tokens(path))
                    return f"at {where or '/'}: {key} {node[key]!r} resolves to nothing"
    return None


#: Where :func:`dicts` found an object: ``()`` for the document, else ``(parent, token)``.
Path = tuple[Any, ...]


def dicts(document: Any, skip: frozenset[str] = frozenset()) -> Iterator[tuple[Path, dict]]:
    """Every dict in ``document`` at any depth, with its :data:`Path`, parents first; the
    values of the keys in ``skip`` are not entered.

    The one walk over a schema's objects: finding anchors, references, regexes and the
    keywords the prefilter avoids. Lists and dicts of any subclass are entered (what a
    plugin passed as ``schema=`` is not always what ``json.loads`` returns);
    :func:`layerhub.schemas.prefilter.is_json` is the check that it is. The path is a
    pair per level, turned into a pointer by :func:`tokens` only where one is reported:
    escaping a pointer for every object made the walk ~5x slower than one yielding bare
    objects, the pairs ~2.5x (~0.15 ms over every shipped schema, microseconds for a
    plugin's).
    """
    stack: list[tuple[Path, Any]] = [((), document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            yield path, node
            stack += [((path, k), v) for k, v in node.items() if k not in skip]
        elif isinstance(node, list):
            stack += [((path, i), v) for i, v in enumerate(node)]


def tokens(path: Path) -> list[Any]:
    """The keys and indices of a :func:`dicts` path, from the root."""
    found = []
    while path:
        path, token = path
        found.append(token)
    return found[::-1]
