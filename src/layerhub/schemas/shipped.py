"""layerhub's own schemas (``json/``), and the one ``$ref`` resolver.

The shipped schemas describe what layerhub reads and writes (``config.json``,
``metadata.json``, the provenance manifest, index documents) and what a plugin schema
must be (``plugin-meta.schema.json``). Each has its ``$id`` under :data:`SHIPPED_BASE`,
and a ``$ref`` may reach them and nothing else, so validation never touches the network.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from .. import data
from ..errors import UnresolvableReference
from ..pointer import child, unescape

if TYPE_CHECKING:
    from referencing import Registry as SchemaRegistry

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
    node = document
    for token in map(unescape, fragment[1:].split("/")):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise UnresolvableReference(f"no {token!r} in {reference!r}")
    return node


#: Keywords whose values are data, not subschemas: an ``$anchor`` there declares nothing.
DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})


def anchored(document: Any, anchor: str) -> Any:
    """The subschema of ``document`` declaring ``$anchor`` or ``$dynamicAnchor`` ``anchor``."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if anchor in (node.get("$anchor"), node.get("$dynamicAnchor")):
                return node
            stack.extend(v for k, v in node.items() if k not in DATA_KEYWORDS)
        elif isinstance(node, list):
            stack.extend(node)
    raise UnresolvableReference(f"no anchor {anchor!r}")


def first_unresolvable(document: Any) -> str | None:
    """The first ``$ref``/``$dynamicRef`` in ``document`` that leads nowhere, described
    with its location, or ``None`` when every one resolves."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            for key in ("$ref", "$dynamicRef"):
                if isinstance(node.get(key), str):
                    try:
                        resolve(node[key], document)
                    except UnresolvableReference:
                        return f"at {where or '/'}: {key} {node[key]!r} resolves to nothing"
            stack.extend((child(where, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((child(where, i), v) for i, v in enumerate(node))
    return None
