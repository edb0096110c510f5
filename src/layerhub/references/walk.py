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
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from ..pointer import pointer
from .keras_names import builtin_names, is_keras_module

__all__ = [
    "CONTAINERS",
    "ENVELOPE",
    "VALUES",
    "VALUE_KIND",
    "Reference",
    "custom_references",
    "inside",
    "may_refer",
    "pointer_at",
    "walk",
    "walk_documents",
]

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
#: The placeholders Keras turns into a tensor, an array, bytes or ``Ellipsis`` from their
#: plain ``config`` values (``serialization_lib.deserialize_keras_object``): nothing
#: inside one is deserialized, so the walk does not enter them. (``__slice__`` and
#: ``__typespec__`` deserialize their parts, so they are entered.) One per tensor
#: passed between layers: a quarter of a functional model's config.
INERT = SPECIAL_CLASS_NAMES - {"__slice__", "__typespec__"}
#: The inert placeholders whose value Keras allocates with the dtype the config gives:
#: the walk yields each as a ``value`` reference (builtin, never custom) for the budget
#: (:mod:`layerhub.safety.placeholders`), and still does not enter it. Rare in a config,
#: unlike ``__keras_tensor__``.
VALUES = frozenset({"__numpy__", "__tensor__"})
VALUE_KIND = "value"
LAMBDA_CLASS_NAMES = frozenset({"__lambda__", "Lambda"})
#: Envelope keys that hold names, not further objects (already classified).
ENVELOPE = frozenset({"module", "class_name", "registered_name"})
FUNCTION_ENVELOPE = ENVELOPE | {"config"}
#: The containers that can hold a reference.
CONTAINERS = (dict, list)
#: A string value like ``"my_package>custom_fn"`` in an object slot (e.g. a loss).
REGISTERED_NAME_RE = re.compile(r"^[A-Za-z_][\w.\-]*>[A-Za-z_][\w.\-]*$")


class Reference(NamedTuple):
    """One object a config references.

    ``kind`` is ``class``, ``function`` or ``lambda``, or ``value`` for a placeholder
    Keras turns into an array (:data:`VALUES`: nothing to look up, ``builtin``);
    ``builtin`` says Keras provides it; ``name`` is what to look up (the registered name
    for custom objects).
    """

    name: str
    kind: str
    pointer: str
    class_name: str
    module: str | None = None
    builtin: bool = False
    config: Any = None

    @property
    def custom(self) -> bool:
        return not self.builtin and self.kind != "lambda"

    def __repr__(self) -> str:  # without the config, which may be large
        return f"Reference({self.name!r}, {self.kind!r}, {self.pointer!r})"


def walk(config: Any) -> Iterator[Reference]:
    """Yield every object referenced anywhere in ``config``, depth first, in file order.

    Iterative, so a deeply nested (hostile) config cannot exhaust the Python stack: one
    iterator per open container, resumed where it stopped, and the keys on the way to it,
    joined into a pointer only for the values that are references (4,000 of the ~70,000
    values in a 2,000-layer config).

    What cannot be or hold a reference is passed over where it is listed
    (:func:`may_refer`): numbers, booleans, null, empty containers and strings without a
    ``>`` that are too short or start wrong for bytecode. The test is written out in the
    loop, as is opening a container: the walk visits every value, and a function call per
    value or container costs more than ``json.loads`` of the whole config.
    """
    if not may_refer(config):
        return
    keys: list[str | int] = []  # the keys and indices from the root to the open container
    stack: list[Iterator[tuple[Any, Any]]] = [iter([(None, config)])]
    while stack:
        for key, value in stack[-1]:
            kind = type(value)
            if kind is str:
                if ">" in value or (len(value) >= 16 and value[0] in "4Y"):
                    yield from string_reference(value, keys, key)
                continue
            if not value:
                continue
            if kind is dict or (kind is not list and isinstance(value, dict)):
                reference = None
                if "class_name" in value:
                    class_name = value["class_name"]
                    if type(class_name) is str and class_name in INERT and "config" in value:
                        if class_name in VALUES:
                            yield new_tuple(Reference, value_fields(value, keys, key))
                        continue  # nothing inside is ever deserialized
                    reference = reference_of(value, keys, key)
                if reference is None:
                    items: Iterator[tuple[Any, Any]] = iter(value.items())
                else:
                    yield reference
                    items = inside(reference, value)
            elif kind is list or isinstance(value, list):
                items = enumerate(value)
            else:
                continue
            if key is not None:
                keys.append(key)
            stack.append(items)
            break  # into the container; this level's iterator resumes after it
        else:
            stack.pop()
            if keys:
                keys.pop()


def walk_documents(config: Any, documents: Iterable[tuple[str, Any]] = ()) -> Iterator[Reference]:
    """:func:`walk` of ``config``, then of each ``(member, document)``: the other
    serialized objects of a KerasHub preset (``task.json``, ``tokenizer.json``...), whose
    references are located ``<member>#<pointer>`` (``task.json#/config/backbone``;
    ``ModelArchive.resolve`` follows such a location back). Every analysis of a file
    (scan, policy, resolution, validation, budget) walks through here, so what a
    preset's task or tokenizer names is judged like what its backbone names."""
    yield from walk(config)
    for member, document in documents:
        for ref in walk(document):
            yield ref._replace(pointer=f"{member}#{ref.pointer}")


def inside(reference: Reference, node: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The ``(key, value)`` pairs of a reference's dict still to walk: not its envelope
    (``module``, ``class_name``, ``registered_name``; a function's ``config`` too), which
    names it rather than holding objects. Filtered only when an envelope value could be
    taken for a reference (a registered name like ``"pkg>Name"``, anything not a string)."""
    skip = FUNCTION_ENVELOPE if reference[1] == "function" else ENVELOPE
    for key in skip:
        value = node.get(key)
        if value is not None and (type(value) is not str or may_refer(value)):
            return iter([(k, v) for k, v in node.items() if k not in skip])
    return iter(node.items())


def pointer_at(keys: list[str | int], last: str | int | None = None) -> str:
    """The JSON pointer (RFC 6901) of the value at ``keys`` (then ``last``) from the root.

    Joined unescaped first, the usual case; escaped when a key holds ``~`` or ``/``
    (found by counting the separators the join wrote)."""
    tokens = keys if last is None else [*keys, last]
    if not tokens:
        return ""
    text = "/" + "/".join([k if type(k) is str else str(k) for k in tokens])
    if "~" in text or text.count("/") != len(tokens):
        return pointer(tokens)
    return text


def string_reference(
    text: str, keys: list[str | int], key: str | int | None
) -> Iterator[Reference]:
    """The reference the string ``text`` at ``key`` under ``keys`` is, if any: a
    registered function name or lambda bytecode."""
    if REGISTERED_NAME_RE.match(text):
        yield Reference(text, "function", pointer_at(keys, key), text)
    elif is_bytecode(text):
        yield Reference("__lambda__", "lambda", pointer_at(keys, key), "__lambda__")


def may_refer(value: Any) -> bool:
    """Whether ``value`` can be or hold a reference: a non-empty dict or list, or a string
    that :data:`REGISTERED_NAME_RE` (it needs a ``>``) or :func:`is_bytecode` (16 or more
    characters from ``4`` or ``Y``) could match. Numbers, booleans and null cannot.

    Written out as one expression since the walk calls it for every value of a config."""
    if isinstance(value, CONTAINERS):
        return bool(value)
    return isinstance(value, str) and (">" in value or (len(value) >= 16 and value[0] in "4Y"))


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


#: ``Reference``'s own constructor is a Python function (``NamedTuple.__new__``) and costs
#: twice the tuple; the walk builds one per object in the config (6,000 in a 2,000-layer
#: model), always with every field, so it builds the tuple directly.
new_tuple = tuple.__new__


def reference_of(
    node: dict[str, Any], keys: list[str | int], key: str | int | None = None
) -> Reference | None:
    """The reference a dict stands for, or ``None`` when it is plain data; the dict sits
    at ``key`` under ``keys``."""
    class_name = node.get("class_name")
    if not isinstance(class_name, str) or not (
        "config" in node or "module" in node or "registered_name" in node
    ):
        return None
    if class_name in SPECIAL_CLASS_NAMES:
        return None
    at = pointer_at(keys, key)
    module = node.get("module")
    module = module if isinstance(module, str) else None
    inner = node.get("config")
    if class_name in LAMBDA_CLASS_NAMES:
        fields = (class_name, "lambda", at, class_name, module, False, inner)
    elif class_name == "function":
        name = inner if isinstance(inner, str) else ""
        builtin = ">" not in name and (module in (None, "builtins") or is_keras_module(module))
        fields = (name, "function", at, class_name, module, builtin, inner)
    elif "module" not in node:  # legacy H5: class_name is the registered name
        builtin = ">" not in class_name and class_name in builtin_names()
        fields = (class_name, "class", at, class_name, None, builtin, inner)
    else:
        registered = node.get("registered_name", class_name)
        if is_keras_module(module) and registered in (None, class_name):
            fields = (class_name, "class", at, class_name, module, True, inner)
        else:
            name = registered if isinstance(registered, str) and registered else class_name
            fields = (name, "class", at, class_name, module, False, inner)
    return new_tuple(Reference, fields)


def value_fields(
    node: dict[str, Any], keys: list[str | int], key: str | int | None
) -> tuple[Any, ...]:
    """The fields of the ``value`` reference a :data:`VALUES` placeholder at ``key`` is."""
    name = node["class_name"]
    return (name, VALUE_KIND, pointer_at(keys, key), name, None, True, node["config"])


def custom_references(config: Any, documents: Iterable[tuple[str, Any]] = ()) -> list[Reference]:
    """The references a plugin (or the user) must provide: neither built-in nor lambda
    (in ``config``, then in ``documents``, as :func:`walk_documents` locates them)."""
    return [r for r in walk_documents(config, documents) if r.custom]
