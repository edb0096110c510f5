"""Regenerate ``src/layerhub/data/keras_file_fields.json`` from the installed Keras libraries.

``layerhub scan`` trusts the classes of ``keras_hub``, ``keras_cv`` and ``keras_nlp``
(Keras imports them by module), but some of them open a path named in their config:
KerasHub 0.32's ``WhisperTokenizer`` reads its ``special_tokens`` and
``language_tokens`` JSON files and ``PARSeqTokenizer`` its ``vocabulary`` even under
safe mode; ``BytePairTokenizer`` (merges, vocabulary), ``WordPieceTokenizer``
(vocabulary) and ``SentencePieceTokenizer`` (proto) refuse a path themselves under safe
mode. Scan never imports these libraries, so which config field of which class is a
path is shipped as data:

    {library: {"version": ..., "classes": {ClassName: {field: {"reads_in_safe_mode": bool}}}}}

It is derived from the installed source with :mod:`ast`, without importing the
libraries (``keras_cv`` 0.9 imports ``tensorflow_datasets`` at import): for every class
that Keras can deserialize (one with ``get_config``/``from_config`` or a base outside
the library, such as ``keras.layers.Layer``) and every ``__init__`` parameter along its
method resolution order (a subclass's ``**kwargs`` reach its bases' parameters), the
parameter is followed through assignments (to locals and ``self.<attr>``) into the calls
it is passed to: methods looked up along the class's own MRO (``set_vocabulary``,
``set_proto``, an override in a subclass), ``super()`` methods, functions and classes of
the library, until a file sink (:data:`SINKS`: ``open``, ``gzip.open``, ``tf.io.gfile``,
``SentencePieceProcessor(model_file=)``, ``get_file``, ``from_file``...). A sink is
*guarded* when an ``if ...in_safe_mode(): raise`` precedes it in an enclosing block (or
it sits in the ``else`` of such an ``if``), or when the call leading to it is: the field
then ``reads_in_safe_mode`` only when some path reaches an unguarded sink.

Module names resolve through each package's ``__path__``, extended as its ``__init__``
extends it (``keras_nlp`` 0.32 is ``keras_hub`` under another name), so a class whose
base comes from another library (``keras_cv``'s ``CLIPTokenizer`` from
``keras_nlp.tokenizers.BytePairTokenizer``) inherits that base's fields. Two classes of
one library with one name have their fields merged.

A test checks that the file matches keras-hub 0.32.0 (with keras-cv 0.9.0 and
keras-nlp 0.32.0); run this script with those installed (``PYTHONPATH`` a ``--target``
directory will do) after upgrading them.

    python scripts/update_keras_file_fields.py
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.metadata
import json
import os
import pathlib
import sys
from collections.abc import Iterator
from typing import Any, NamedTuple

OUT = pathlib.Path(__file__).resolve().parents[1] / "src/layerhub/data/keras_file_fields.json"
LIBRARIES = ("keras_hub", "keras_cv", "keras_nlp")
#: The calls that open, probe or fetch a path given as an argument, by the last parts of
#: their dotted name (``tf.io.gfile.GFile`` ends with ``gfile.GFile``).
SINKS = frozenset(
    {
        "open",
        "io.open",
        "gzip.open",
        "bz2.open",
        "lzma.open",
        "tarfile.open",
        "zipfile.ZipFile",
        "Image.open",
        "gfile.GFile",
        "gfile.exists",
        "gfile.glob",
        "gfile.listdir",
        "io.read_file",
        "np.load",
        "numpy.load",
        "h5py.File",
        "get_file",
        "from_file",
        "Load",
        "LoadFromFile",
        "load_weights",
        "SentencePieceProcessor",
    }
)
#: Sinks that read a path only through these keywords (or their first argument, when
#: the tuple holds ``0``): ``SentencePieceProcessor(model_proto=...)`` takes bytes.
SINK_ARGUMENTS = {"SentencePieceProcessor": ("model_file",), "Load": (0, "model_file")}
#: How deep calls and imports are followed.
MAX_DEPTH = 12
#: The packages of bases outside the libraries that make a class deserializable.
KERAS_PACKAGES = frozenset({"keras", "tf_keras", "tensorflow", "tf"})


class Module(NamedTuple):
    name: str
    tree: ast.Module
    #: top-level name -> the ClassDef/FunctionDef, or ("import", module, attr or None).
    names: dict[str, Any]


class Class(NamedTuple):
    module: str
    node: ast.ClassDef
    bases: tuple[Any, ...]  # Class, or a dotted name outside the libraries


class Sources:
    """The installed libraries' modules, parsed on demand, and their classes."""

    def __init__(self, libraries: tuple[str, ...]) -> None:
        self.roots: dict[str, list[pathlib.Path]] = {}
        for library in libraries:
            spec = importlib.machinery.PathFinder.find_spec(library)
            if spec is not None and spec.submodule_search_locations:
                self.roots[library] = [pathlib.Path(p) for p in spec.submodule_search_locations]
        for roots in list(self.roots.values()):  # __path__.extend(other.__path__)
            init = roots[0] / "__init__.py"
            for other in extended_paths(ast.parse(init.read_text(encoding="utf-8"))):
                roots.extend(self.roots.get(other, []))
        self.modules: dict[str, Module | None] = {}
        self.classes: dict[tuple[str, str], Class | None] = {}

    def file(self, module: str) -> pathlib.Path | None:
        top, _, rest = module.partition(".")
        for root in self.roots.get(top, []):
            base = root.joinpath(*rest.split(".")) if rest else root
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():
                    return candidate
        return None

    def module(self, name: str) -> Module | None:
        if name not in self.modules:
            self.modules[name] = None
            path = self.file(name)
            if path is not None:
                tree = ast.parse(path.read_text(encoding="utf-8"))
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                self.modules[name] = Module(name, tree, top_level_names(tree, package))
        return self.modules[name]

    def lookup(self, module: str, name: str, depth: int = 0) -> Any:
        """What ``name`` is in ``module``: a ClassDef/FunctionDef with its module, or None."""
        found = self.module(module)
        if found is None or depth > MAX_DEPTH:
            return None
        target = found.names.get(name)
        if target is None and self.module(f"{module}.{name}") is not None:
            return ("module", f"{module}.{name}")
        if isinstance(target, tuple):
            _, source, attr = target
            if attr is None:
                return ("module", source)
            return self.lookup(source, attr, depth + 1)
        if target is None:
            return None
        return (module, target)

    def resolve(self, module: str, expr: ast.expr) -> Any:
        """A dotted expression in ``module`` (``Base``, ``tokenizers.BytePairTokenizer``)."""
        parts = dotted(expr)
        if not parts:
            return None
        found = self.lookup(module, parts[0])
        for part in parts[1:]:
            if not (isinstance(found, tuple) and found[0] == "module"):
                return None
            found = self.lookup(found[1], part)
        return found

    def cls(self, module: str, node: ast.ClassDef) -> Class:
        key = (module, node.name)
        if key not in self.classes:
            self.classes[key] = None  # a cycle ends here
            bases = []
            for base in node.bases:
                found = self.resolve(module, base)
                if isinstance(found, tuple) and isinstance(found[1], ast.ClassDef):
                    bases.append(self.cls(found[0], found[1]))
                else:
                    bases.append(self.origin(module, base))
            self.classes[key] = Class(module, node, tuple(bases))
        return self.classes[key] or Class(module, node, ())

    def origin(self, module: str, base: ast.expr) -> str:
        """The dotted name a base outside the libraries is imported as (``keras.layers.Layer``
        for ``Layer`` from ``from keras.layers import Layer``)."""
        parts = dotted(base)
        found = self.module(module)
        bound = found.names.get(parts[0]) if found and parts else None
        if isinstance(bound, tuple) and bound[0] == "import":
            parts = [*bound[1].split("."), *([bound[2]] if bound[2] else []), *parts[1:]]
        return ".".join(parts) or "?"

    def library_modules(self, library: str) -> Iterator[str]:
        """Every module of ``library``, an extended ``__path__``'s included (under this
        library's name, as Python imports them)."""
        for root in self.roots.get(library, []):
            for path in sorted(root.rglob("*.py")):
                relative = path.relative_to(root).with_suffix("")
                parts = [library, *relative.parts]
                if parts[-1] == "__init__":
                    parts.pop()
                if any(p.endswith("_test") or p in ("tests", "conftest") for p in parts):
                    continue
                yield ".".join(parts)


def extended_paths(tree: ast.Module) -> list[str]:
    """The packages whose ``__path__`` a package's ``__init__`` appends to its own."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and dotted(node.func) == ["__path__", "extend"]
            and node.args
            and dotted(node.args[0])[-1:] == ["__path__"]
        ):
            found.append(".".join(dotted(node.args[0])[:-1]))
    return found


def top_level_names(tree: ast.Module, package: str) -> dict[str, Any]:
    """The names a module binds at top level (first binding wins: a ``try`` import
    before its ``except ImportError`` fallback)."""
    names: dict[str, Any] = {}

    def bind(name: str, value: Any) -> None:
        names.setdefault(name, value)

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                bind(node.name, node)
            elif isinstance(node, ast.ImportFrom):
                source = node.module or ""
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    source = ".".join([*base, source] if source else base)
                for alias in node.names:
                    bind(alias.asname or alias.name, ("import", source, alias.name))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bind(alias.asname, ("import", alias.name, None))
                    else:
                        top = alias.name.split(".")[0]
                        bind(top, ("import", top, None))
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)

    visit(tree.body)
    return names


def dotted(expr: ast.expr) -> list[str]:
    """``a.b.c`` as ``["a", "b", "c"]``; ``[]`` for anything else."""
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        return [expr.id, *reversed(parts)]
    return []


def mro(cls: Class) -> list[Class | str]:
    """C3 linearization over the resolved classes; outside bases (strings) kept in order."""
    sequences = [mro(b) if isinstance(b, Class) else [b] for b in cls.bases]
    sequences.append(list(cls.bases))
    result: list[Class | str] = [cls]
    while True:
        sequences = [s for s in sequences if s]
        if not sequences:
            return result
        for sequence in sequences:
            head = sequence[0]
            if not any(head in s[1:] for s in sequences):
                break
        else:  # inconsistent: fall back to depth-first order
            head = sequences[0][0]
        result.append(head)
        sequences = [s[1:] if s[0] == head else s for s in sequences]


def method(order: list[Class | str], name: str, start: int = 0) -> tuple[int, Any] | None:
    """The first definition of ``name`` in ``order`` from index ``start``."""
    for index in range(start, len(order)):
        cls = order[index]
        if not isinstance(cls, Class):
            continue
        for node in cls.node.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return index, node
    return None


def deserializable(order: list[Class | str]) -> bool:
    """Whether Keras can rebuild the class from a config: a ``get_config``/``from_config``
    somewhere, or a Keras base (a layer, model...) outside the libraries."""
    if method(order, "from_config") or method(order, "get_config"):
        return True
    return any(isinstance(c, str) and c.split(".")[0] in KERAS_PACKAGES for c in order)


def parameters(function: ast.FunctionDef) -> tuple[list[str], str | None]:
    """Its named parameters (``self`` aside) and its ``**kwargs`` name."""
    args = function.args
    named = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    if named and named[0] in ("self", "cls"):
        named = named[1:]
    return named, args.kwarg.arg if args.kwarg else None


#: Marks "the field is inside this function's ``**kwargs``".
IN_KWARGS = "**"


class Analysis:
    """Which sinks one field of one class reaches, each guarded or not."""

    def __init__(self, sources: Sources, order: list[Class | str], field: str) -> None:
        self.sources, self.order, self.field = sources, order, field
        self.sinks: list[bool] = []  # guarded, per sink reached
        self.seen: set[tuple[Any, ...]] = set()

    def run(
        self,
        module: str,
        function: ast.FunctionDef,
        owner: int | None,
        tainted: frozenset[str],
        guarded: bool,
        depth: int = 0,
    ) -> None:
        key = (id(function), owner, tainted, guarded)
        if key in self.seen or depth > MAX_DEPTH or not tainted:
            return
        self.seen.add(key)
        names, attrs = spread(function, set(tainted) - {IN_KWARGS})
        _, kwargs_name = parameters(function)
        in_kwargs = IN_KWARGS in tainted
        known = facts(function)
        for node in known.calls:
            here = guarded or known.guarded[id(node)]
            positions = [i for i, a in enumerate(node.args) if carries(a, names, attrs)]
            keywords = {k.arg for k in node.keywords if k.arg and carries(k.value, names, attrs)}
            forwards = in_kwargs and any(
                k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwargs_name
                for k in node.keywords
            )
            if not (positions or keywords or forwards):
                continue
            sink = sink_name(node.func)
            if sink is not None:
                allowed = SINK_ARGUMENTS.get(sink.rpartition(".")[2])
                if allowed is None or any(a in allowed for a in [*positions, *keywords]):
                    self.sinks.append(here)
                continue
            callee = self.callee(module, node.func, owner)
            if callee is None:
                continue
            callee_module, callee_function, callee_owner, bound = callee
            named, callee_kwargs = parameters(callee_function)
            if not bound and callee_function.args.args[:1]:
                first = callee_function.args.args[0].arg
                named = [first, *named] if first not in ("self", "cls") else named
            reached = {named[i] for i in positions if i < len(named)}
            for keyword in keywords:
                if keyword in named:
                    reached.add(keyword)
                elif callee_kwargs and keyword == self.field:
                    reached.add(IN_KWARGS)
            if forwards:
                if self.field in named:
                    reached.add(self.field)
                elif callee_kwargs:
                    reached.add(IN_KWARGS)
            self.run(
                callee_module, callee_function, callee_owner, frozenset(reached), here, depth + 1
            )

    def callee(
        self, module: str, func: ast.expr, owner: int | None
    ) -> tuple[str, ast.FunctionDef, int | None, bool] | None:
        """The function a call runs: (module, def, its class's MRO index, bound to self)."""
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "self"
            and owner is not None
        ):
            found = method(self.order, func.attr)
            if found:
                return self.in_order(found, True)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Call)
            and dotted(func.value.func) == ["super"]
            and owner is not None
        ):
            found = method(self.order, func.attr, owner + 1)
            if found:
                return self.in_order(found, True)
            return None
        target = self.sources.resolve(module, func)
        if isinstance(target, tuple) and isinstance(target[1], ast.FunctionDef):
            return target[0], target[1], None, False
        if isinstance(target, tuple) and isinstance(target[1], ast.ClassDef):
            order = mro(self.sources.cls(target[0], target[1]))
            found = method(order, "__init__")
            if found and isinstance(order[found[0]], Class):
                return order[found[0]].module, found[1], None, True  # another object
        return None

    def in_order(self, found: tuple[int, Any], bound: bool):
        index, node = found
        owner = self.order[index]
        assert isinstance(owner, Class)
        return owner.module, node, index, bound


class Facts(NamedTuple):
    """What the analysis reads of one function, gathered once."""

    assignments: list[tuple[list[ast.expr], ast.expr]]
    calls: list[ast.Call]
    guarded: dict[int, bool]  # id(call) -> behind a safe-mode check


FACTS: dict[int, Facts] = {}


def facts(function: ast.FunctionDef) -> Facts:
    if id(function) not in FACTS:
        parents = parent_map(function)
        calls = [n for n in ast.walk(function) if isinstance(n, ast.Call)]
        guarded = {id(c): is_guarded(c, parents) for c in calls}
        FACTS[id(function)] = Facts(assignments_of(function), calls, guarded)
    return FACTS[id(function)]


SPREAD: dict[tuple[int, frozenset[str]], tuple[set[str], set[str]]] = {}


def spread(function: ast.FunctionDef, tainted: set[str]) -> tuple[set[str], set[str]]:
    """The locals and ``self`` attributes assigned from the tainted names (to a fixpoint)."""
    key = (id(function), frozenset(tainted))
    if key not in SPREAD:
        SPREAD[key] = spread_once(function, set(tainted))
    return SPREAD[key]


def spread_once(function: ast.FunctionDef, names: set[str]) -> tuple[set[str], set[str]]:
    attrs: set[str] = set()
    assignments = facts(function).assignments
    changed = True
    while changed:
        changed = False
        for targets, value in assignments:
            if not carries(value, names, attrs):
                continue
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name) and leaf.id not in names:
                        names.add(leaf.id)
                        changed = True
                    elif (
                        isinstance(leaf, ast.Attribute)
                        and dotted(leaf) == ["self", leaf.attr]
                        and leaf.attr not in attrs
                    ):
                        attrs.add(leaf.attr)
                        changed = True
    return names, attrs


def assignments_of(function: ast.FunctionDef) -> list[tuple[list[ast.expr], ast.expr]]:
    """Every ``(targets, value)`` the function binds: assignments, loops, ``with ... as``."""
    assignments: list[tuple[list[ast.expr], ast.expr]] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            assignments.append((node.targets, node.value))
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
            if node.value is not None:
                assignments.append(([node.target], node.value))
        elif isinstance(node, (ast.For, ast.comprehension)):
            assignments.append(([node.target], node.iter))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            assignments.append(([node.optional_vars], node.context_expr))
    return assignments


def carries(expr: ast.expr, names: set[str], attrs: set[str]) -> bool:
    """Whether ``expr`` mentions a tainted local or ``self`` attribute."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and node.id in names:
            return True
        if isinstance(node, ast.Attribute) and node.attr in attrs and dotted(node)[:1] == ["self"]:
            return True
    return False


def sink_name(func: ast.expr) -> str | None:
    """The :data:`SINKS` entry a call's function matches, if any."""
    parts = dotted(func)
    if not parts and isinstance(func, ast.Attribute):
        parts = [func.attr]  # a method of a call's result: its own name
    for n in (2, 1):
        if ".".join(parts[-n:]) in SINKS:
            return ".".join(parts[-n:])
    return None


def parent_map(function: ast.FunctionDef) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}


def mentions_safe_mode(expr: ast.expr) -> bool:
    return any(
        isinstance(n, ast.Call) and dotted(n.func)[-1:] == ["in_safe_mode"] for n in ast.walk(expr)
    )


def raises(body: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Raise) for stmt in body for n in ast.walk(stmt))


def is_guarded(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Whether a safe-mode check that raises stands before ``node`` on every way to it."""
    child, parent = node, parents.get(id(node))
    while parent is not None:
        if isinstance(parent, ast.If) and mentions_safe_mode(parent.test):
            negated = isinstance(parent.test, ast.UnaryOp) and isinstance(parent.test.op, ast.Not)
            inside_else = any(child is s for s in parent.orelse)
            if (inside_else and raises(parent.body)) or (negated and not inside_else):
                return True
        for body in ("body", "orelse", "finalbody"):
            statements = getattr(parent, body, None)
            if isinstance(statements, list) and any(child is s for s in statements):
                before = statements[: [id(s) for s in statements].index(id(child))]
                if any(
                    isinstance(s, ast.If) and mentions_safe_mode(s.test) and raises(s.body)
                    for s in before
                ):
                    return True
        child, parent = parent, parents.get(id(parent))
    return False


def fields_of(sources: Sources, cls: Class) -> dict[str, bool]:
    """``{field: reads_in_safe_mode}`` for every constructor field of ``cls`` reaching a sink."""
    order = mro(cls)
    if not deserializable(order):
        return {}
    found = method(order, "__init__")
    if found is None or not isinstance(order[found[0]], Class):
        return {}
    index, init = found
    candidates: list[str] = []
    for position in range(index, len(order)):
        if isinstance(order[position], Class):
            for node in order[position].node.body:  # type: ignore[union-attr]
                if isinstance(node, ast.FunctionDef) and node.name == "__init__":
                    candidates += [p for p in parameters(node)[0] if p not in candidates]
    named, kwargs = parameters(init)
    result: dict[str, bool] = {}
    for field in candidates:
        if field in named:
            start = frozenset({field})
        elif kwargs:
            start = frozenset({IN_KWARGS})
        else:
            continue
        analysis = Analysis(sources, order, field)
        owner = order[index]
        assert isinstance(owner, Class)
        analysis.run(owner.module, init, index, start, False)
        if analysis.sinks:
            result[field] = not all(analysis.sinks)
    return result


def collect(libraries: tuple[str, ...] = LIBRARIES) -> dict[str, Any]:
    sources = Sources(libraries)
    document: dict[str, Any] = {}
    for library in libraries:
        if library not in sources.roots:
            continue
        classes: dict[str, dict[str, dict[str, bool]]] = {}
        modules = sorted(set(sources.library_modules(library)))
        for name in modules:
            module = sources.module(name)
            if module is None:
                continue
            for node in module.tree.body:
                if not isinstance(node, ast.ClassDef):
                    continue
                for field, reads in fields_of(sources, sources.cls(name, node)).items():
                    entry = classes.setdefault(node.name, {}).setdefault(field, {})
                    entry["reads_in_safe_mode"] = entry.get("reads_in_safe_mode", False) or reads
        document[library] = {
            "version": importlib.metadata.version(library.replace("_", "-")),
            "classes": {c: dict(sorted(f.items())) for c, f in sorted(classes.items())},
        }
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    if "--print" in sys.argv[1:]:
        sys.stdout.write(render(collect()))
    else:
        OUT.write_text(render(collect()), encoding="utf-8")
        print(f"wrote {os.path.relpath(OUT)}")
