"""The kind and summary of a statically declared object, read from its source code.

``layerhub show`` reports what a name is (a layer, a loss...) and the first line of its
docstring. For a hook plugin the object is imported for that (the hook ran its code
already); a static declaration promises that nothing of the distribution runs until a
file needs it, so its object is read instead: the module's file is found by path search
(:func:`layerhub.finders.find_module`, no package ``__init__`` runs) and parsed with
:mod:`ast`. A class's kind comes from its bases, each followed through the module's
imports, through classes of the same module and through modules of the same
distribution, until one names a Keras class by a path Keras exports (``keras.layers.X``,
``keras.Model``, ``keras.src.losses...``). What cannot be followed statically (a base
built at run time, a compiled module) leaves the kind unknown (``""``), never guessed.

Added in version 0.2.0.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ..finders import find_module

__all__ = ["kind_of_path", "read_description"]

#: Where Keras exports each kind's classes, most specific first: a base under one of
#: these is of that kind (``keras.src.`` paths are read as their public ``keras.`` ones).
KIND_MODULES = (
    ("schedule", "keras.optimizers.schedules."),
    ("model", "keras.models."),
    ("layer", "keras.layers."),
    ("loss", "keras.losses."),
    ("metric", "keras.metrics."),
    ("optimizer", "keras.optimizers."),
    ("regularizer", "keras.regularizers."),
    ("initializer", "keras.initializers."),
    ("constraint", "keras.constraints."),
)
#: The base classes Keras exports at its top level.
TOP_LEVEL_KINDS = {
    "keras.Model": "model",
    "keras.Sequential": "model",
    "keras.Layer": "layer",
    "keras.Loss": "loss",
    "keras.Metric": "metric",
    "keras.Optimizer": "optimizer",
    "keras.Regularizer": "regularizer",
    "keras.Initializer": "initializer",
    "keras.Constraint": "constraint",
}
#: Bases followed from one class to the next, at most: a longer chain is left unknown.
MAX_HOPS = 32


def read_description(target: str) -> tuple[str, str]:
    """``(kind, summary)`` of the object at ``target`` (``module:attr``), from its source:
    ``function`` for a function, a Keras kind for a class (``""`` when its bases cannot be
    followed to Keras), and its docstring's first line (``""`` without one)."""
    module, _, name = target.partition(":")
    reader = _SourceReader()
    found = reader.definition(module, name)
    if found is None:
        return "", ""
    module, node = found
    doc = ast.get_docstring(node)
    summary = doc.strip().splitlines()[0].strip() if doc and doc.strip() else ""
    if isinstance(node, ast.ClassDef):
        return reader.kind_of_class(module, node), summary
    return "function", summary


def kind_of_path(dotted: str) -> str:
    """The Keras kind a class exported at ``dotted`` has, or ``""`` if it is no Keras path."""
    if dotted.startswith("keras.src."):
        dotted = "keras." + dotted[len("keras.src.") :]
    if dotted in TOP_LEVEL_KINDS:
        return TOP_LEVEL_KINDS[dotted]
    return next((kind for kind, prefix in KIND_MODULES if dotted.startswith(prefix)), "")


Definition = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


class _SourceReader:
    """Parsed modules, each once, and the names their top-level imports bind."""

    def __init__(self) -> None:
        self.modules: dict[str, tuple[ast.Module, dict[str, str]] | None] = {}
        self.hops = 0

    def parsed(self, module: str) -> tuple[ast.Module, dict[str, str]] | None:
        if module not in self.modules:
            self.modules[module] = self.parse(module)
        return self.modules[module]

    def parse(self, module: str) -> tuple[ast.Module, dict[str, str]] | None:
        if not module or module.split(".")[0] == "keras":
            return None  # Keras's own classes are known by their paths
        try:
            spec = find_module(module)
        except (ImportError, ValueError):
            return None
        origin = spec.origin if spec is not None else None
        if not origin or not origin.endswith(".py"):
            return None
        try:
            tree = ast.parse(Path(origin).read_bytes(), origin)
        except (OSError, SyntaxError, ValueError):
            return None
        package = module if Path(origin).name == "__init__.py" else module.rpartition(".")[0]
        return tree, imported_names(tree, package)

    def definition(self, module: str, name: str) -> tuple[str, Definition] | None:
        """Where ``name`` of ``module`` is defined, followed through re-exports
        (``from .layers import Block`` in a package's ``__init__``): its module and node."""
        parsed = self.parsed(module)
        if parsed is None or not name.isidentifier():
            return None
        found = None
        for node in parsed[0].body:  # the last definition of a name is the one bound
            if isinstance(node, Definition) and node.name == name:
                found = node
        if found is not None:
            return module, found
        owner, _, attr = parsed[1].get(name, "").rpartition(".")
        self.hops += 1
        if not owner or self.hops > MAX_HOPS:
            return None
        return self.definition(owner, attr)

    def kind_of_class(self, module: str, node: ast.ClassDef) -> str:
        for base in node.bases:
            dotted = dotted_name(base)
            if dotted is None:
                continue
            kind = self.kind_of_base(module, dotted)
            if kind:
                return kind
        return ""

    def kind_of_base(self, module: str, dotted: str) -> str:
        self.hops += 1
        if self.hops > MAX_HOPS:
            return ""
        parsed = self.parsed(module)
        head, _, rest = dotted.partition(".")
        if parsed is not None and head in parsed[1]:
            dotted = f"{parsed[1][head]}.{rest}" if rest else parsed[1][head]
        elif parsed is not None and not rest:
            return self.kind_of_defined(self.definition(module, head))
        kind = kind_of_path(dotted)
        if kind:
            return kind
        owner, _, name = dotted.rpartition(".")  # a class of another module
        return self.kind_of_defined(self.definition(owner, name) if owner else None)

    def kind_of_defined(self, found: tuple[str, Definition] | None) -> str:
        if found is None or not isinstance(found[1], ast.ClassDef):
            return ""
        return self.kind_of_class(*found)


def imported_names(tree: ast.Module, package: str) -> dict[str, str]:
    """What each name bound by a top-level import of ``tree`` stands for (a dotted path);
    ``package`` is the module's package, against which relative imports resolve."""
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    names[head] = head
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                if node.level - 1 > len(parts):
                    continue
                base = parts[: len(parts) - (node.level - 1)]
                source = ".".join([*base, source] if source else base)
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{source}.{alias.name}"
    return names


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.C`` for a base written as a name or an attribute chain; None otherwise."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])
