"""The public API is what docs/api.md documents, and nothing else.

- every module declares ``__all__``, and each name in it is defined there;
- each public module (the facade, ``layerhub.errors``, ``layerhub.checks``,
  ``layerhub.safety``) exports
  exactly the names docs/api.md documents for it, and shows no other in ``dir()``: a
  name added to one of them without documenting it fails here;
- every documented object exists and its docstring says which version added it.

Read from the source (``ast``) where importing would import Keras.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from support import ROOT

SRC = ROOT / "src"
DOCUMENTED = re.findall(r"^::: ([\w.]+)$", (ROOT / "docs" / "api.md").read_text(), re.M)
PUBLIC_MODULES = ("layerhub", "layerhub.errors", "layerhub.checks", "layerhub.safety")
MODULES = sorted(SRC.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_names(tree: ast.Module) -> set[str]:
    """Everything a module binds at its top level (definitions, assignments, imports)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).partition(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def declared_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return list(ast.literal_eval(node.value))
    return None


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_every_module_declares_what_it_offers(path: Path) -> None:
    tree = ast.parse(path.read_text())
    names = declared_all(tree)
    assert names is not None, f"{module_name(path)} declares no __all__"
    lazy = set(re.findall(r'"(\w+)": "layerhub\.', path.read_text()))  # PEP 562 maps
    undefined = set(names) - top_level_names(tree) - lazy
    assert not undefined, f"{module_name(path)}.__all__ names undefined {sorted(undefined)}"


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_public_modules_export_exactly_what_is_documented(module: str) -> None:
    exported = set(importlib.import_module(module).__all__) - {"__version__"}
    documented = {
        name.rpartition(".")[2] for name in DOCUMENTED if name.rpartition(".")[0] == module
    }
    # The facade re-exports the errors users catch most; they are documented once, in errors.
    reexported = {n for n in exported if f"layerhub.errors.{n}" in DOCUMENTED}
    assert exported - reexported == documented - reexported, (
        f"{module}: exported but not in docs/api.md: {sorted(exported - documented - reexported)}"
        f"; documented but not exported: {sorted(documented - exported)}"
    )
    public = {n for n in dir(importlib.import_module(module)) if not n.startswith("_")}
    if module != "layerhub.errors":  # a plain module: its imports show in dir()
        assert public == exported, f"{module}: dir() shows {sorted(public - exported)}"


def test_errors_defines_only_what_it_exports() -> None:
    tree = ast.parse((SRC / "layerhub" / "errors.py").read_text())
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    assert classes == set(importlib.import_module("layerhub.errors").__all__)


def definition(dotted: str) -> tuple[ast.AST, list[ast.stmt]]:
    """The node defining ``dotted`` and the statements around it, following the facade's
    lazy map and package re-exports (statically: nothing is imported)."""
    module, _, name = dotted.rpartition(".")
    path = SRC / module.replace(".", "/")
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    text = path.read_text()
    tree = ast.parse(text)
    for index, node in enumerate(tree.body):
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if getattr(node, "name", None) == name or getattr(target, "id", None) == name:
            return node, tree.body[index + 1 : index + 2]
    lazy = re.search(rf'"{name}": "([\w.]+)"', text)
    if lazy:
        return definition(f"{lazy.group(1)}.{name}")
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and name in {a.name for a in node.names}:
            source = ".".join(module.split(".")[: len(module.split(".")) - node.level + 1])
            return definition(f"{source}.{node.module}.{name}" if node.module else name)
    raise AssertionError(f"docs/api.md documents {dotted}, which does not exist")


@pytest.mark.parametrize("dotted", DOCUMENTED)
def test_every_documented_name_says_which_version_added_it(dotted: str) -> None:
    node, after = definition(dotted)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        doc = ast.get_docstring(node) or ""
    else:  # an attribute: its docstring is the string literal that follows it
        first = after[0] if after else None
        value = getattr(first, "value", None)
        doc = value.value if isinstance(value, ast.Constant) else ""
    assert re.search(r"Added in version \d+\.\d+\.\d+\.", doc), f"{dotted}: no 'Added in version'"
