"""Walking a Keras config to every object it references, each with its JSON pointer.

Mirrors the vocabulary of Keras's ``serialization_lib``: a serialized object is a dict
with ``class_name`` and ``config`` (plus ``module`` and ``registered_name`` in the
Keras 3 format; legacy H5 configs store the registered name in ``class_name``).
Functions are ``{"module": "builtins", "class_name": "function", "config": "pkg>fn"}``.
Nothing here imports keras.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .keras_builtins import builtin_names, is_keras_module

#: Placeholders Keras writes for values that are not objects to look up.
SPECIAL_CLASS_NAMES = frozenset(
    {
        "__keras_tensor__",
        "__tensor__",
        "__numpy__",
        "__bytes__",
        "__ellipsis__",
        "__slice__",
        "__typespec__",
    }
)
LAMBDA_CLASS_NAMES = frozenset({"__lambda__", "Lambda"})
#: Envelope keys that hold names, not further objects (already classified).
ENVELOPE = frozenset({"module", "class_name", "registered_name"})
FUNCTION_ENVELOPE = ENVELOPE | {"config"}
#: A string value like ``"my_package>custom_fn"`` in an object slot (e.g. a loss).
REGISTERED_NAME_RE = re.compile(r"^[A-Za-z_][\w.\-]*>[A-Za-z_][\w.\-]*$")


@dataclass(frozen=True)
class Reference:
    """One object a config references.

    ``kind`` is ``class``, ``function`` or ``lambda``; ``builtin`` says Keras provides
    it; ``name`` is what to look up (the registered name for custom objects).
    """

    name: str
    kind: str
    pointer: str
    class_name: str
    module: str | None = None
    builtin: bool = False
    config: Any = field(default=None, compare=False, repr=False)

    @property
    def custom(self) -> bool:
        return not self.builtin and self.kind != "lambda"


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def walk(config: Any) -> Iterator[Reference]:
    """Yield every object referenced anywhere in ``config``, depth first, in file order.

    Iterative, so a deeply nested (hostile) config cannot exhaust the Python stack.
    """
    stack: list[tuple[str, Any]] = [("", config)]
    while stack:
        pointer, node = stack.pop()
        children: list[tuple[str, Any]] = []
        if isinstance(node, dict):
            reference = classify(node, pointer)
            skip: frozenset[str] = frozenset()
            if reference is not None:
                yield reference
                skip = FUNCTION_ENVELOPE if reference.kind == "function" else ENVELOPE
            children = [(f"{pointer}/{escape(k)}", v) for k, v in node.items() if k not in skip]
        elif isinstance(node, list):
            children = [(f"{pointer}/{i}", v) for i, v in enumerate(node)]
        elif isinstance(node, str) and REGISTERED_NAME_RE.match(node):
            yield Reference(node, "function", pointer, node)
        elif isinstance(node, str) and is_bytecode(node):
            yield Reference("__lambda__", "lambda", pointer, "__lambda__")
        stack.extend(reversed(children))


def is_bytecode(text: str) -> bool:
    """Whether ``text`` is base64 of a marshalled Python code object (``func_dump``).

    Keras stores lambdas that way under ``__lambda__``, in legacy Lambda layers, and
    bare (``{"value": [code, defaults, closure]}``) for a lambda activation. A code
    object starts with the type byte ``c`` (``0x63``, or ``0xe3`` with the reference
    flag) and two small little-endian int32 counts (arguments, positional-only).
    """
    if len(text) < 16 or text[0] not in "4Y":
        return False
    try:
        head = base64.b64decode(text[:12], validate=True)
    except ValueError:
        return False
    return head[0] in (0x63, 0xE3) and head[2:5] == b"\0\0\0" and head[6:9] == b"\0\0\0"


def classify(node: dict[str, Any], pointer: str) -> Reference | None:
    """The reference a dict stands for, or ``None`` when it is plain data."""
    class_name = node.get("class_name")
    if not isinstance(class_name, str) or not (
        "config" in node or "module" in node or "registered_name" in node
    ):
        return None
    if class_name in SPECIAL_CLASS_NAMES:
        return None
    module = node.get("module")
    module = module if isinstance(module, str) else None
    inner = node.get("config")
    if class_name in LAMBDA_CLASS_NAMES:
        return Reference(class_name, "lambda", pointer, class_name, module, False, inner)
    if class_name == "function":
        name = inner if isinstance(inner, str) else ""
        builtin = ">" not in name and (module in (None, "builtins") or is_keras_module(module))
        return Reference(name, "function", pointer, class_name, module, builtin, inner)
    if "module" not in node:  # legacy H5: class_name is the registered name
        builtin = ">" not in class_name and class_name in builtin_names()
        return Reference(class_name, "class", pointer, class_name, None, builtin, inner)
    registered = node.get("registered_name", class_name)
    if is_keras_module(module) and registered in (None, class_name):
        return Reference(class_name, "class", pointer, class_name, module, True, inner)
    name = registered if isinstance(registered, str) and registered else class_name
    return Reference(name, "class", pointer, class_name, module, False, inner)


def custom_references(config: Any) -> list[Reference]:
    """The references a plugin (or the user) must provide: neither built-in nor lambda."""
    return [r for r in walk(config) if r.custom]
