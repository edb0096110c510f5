"""JSON pointers (RFC 6901): the one way layerhub says where a value sits in a document.

Every location layerhub reports inside a config, a schema or an index document is a
pointer built here, so ``/config/layers/3`` reads the same in a finding, a schema
violation and a conformance failure, and a key holding ``/`` or ``~`` stays unambiguous.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["child", "escape", "pointer", "resolve"]


def escape(token: str | int) -> str:
    """One reference token: ``~`` becomes ``~0`` and ``/`` becomes ``~1``."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """The key a reference token names (the inverse of :func:`escape`)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer(tokens: Iterable[str | int]) -> str:
    """The pointer to the value reached through ``tokens`` (keys and indices) from the root."""
    return "".join(f"/{escape(token)}" for token in tokens)


def child(parent: str, token: str | int) -> str:
    """The pointer to ``token`` inside the value at ``parent``."""
    return f"{parent}/{escape(token)}"


def resolve(document: object, location: str, default: object = None) -> object:
    """The value at ``location`` in ``document`` (``default`` when nothing is there: a
    caller that must tell a missing value from a ``null`` passes a sentinel)."""
    node = document
    for token in location.split("/")[1:] if location else ():
        key = unescape(token) if "~" in token else token
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return default
    return node
