"""The shape docs/architecture.md promises, checked against the code.

import-linter checks the layering itself (``make test`` runs ``lint-imports``); these
tests check what it cannot: one home for every exception class, every ``LAYERHUB_*``
variable and the version, and a top level of at most fifteen names.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re

from support import ROOT

import layerhub
from layerhub import settings

SRC = ROOT / "src" / "layerhub"
PY_FILES = sorted(SRC.rglob("*.py"))


def test_the_top_level_holds_at_most_seventeen_names():
    # Sixteen since layerhub.activate(), the switch for code that never calls layerhub;
    # seventeen since layerhub.requirements, what a model needs installed (for MLflow).
    assert len(layerhub.__all__) <= 17
    for name in layerhub.__all__:
        assert getattr(layerhub, name) is not None


def test_every_exception_class_lives_in_errors_or_signals():
    """User-facing errors in ``errors``; exceptions layerhub raises and catches itself in
    ``signals``."""
    defined_elsewhere = []
    for path in PY_FILES:
        if path.name in ("errors.py", "signals.py") and path.parent == SRC:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b).rpartition(".")[2] for b in node.bases}
                if any(b.endswith(("Error", "Exception", "Warning")) for b in bases):
                    defined_elsewhere.append(f"{path.relative_to(SRC)}:{node.name}")
    assert defined_elsewhere == []


def test_every_layerhub_variable_is_read_in_settings_and_documented():
    literal = re.compile(r"""["']LAYERHUB_[A-Z_]+["']""")
    readers = [p.relative_to(SRC) for p in PY_FILES if literal.search(p.read_text())]
    assert [str(p) for p in readers] == ["settings.py"]
    readme = (ROOT / "README.md").read_text()
    for variable in settings.VARIABLES:
        assert f"`{variable}" in readme, f"{variable} missing from the README"
        assert f"``{variable}" in settings.__doc__, f"{variable} missing in settings"


def test_the_version_is_written_once():
    assert importlib.metadata.version("layerhub") == layerhub.__version__
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert "layerhub.version.__version__" in pyproject
    written = [p for p in PY_FILES if re.search(r"^__version__ = ", p.read_text(), re.M)]
    assert written == [SRC / "version.py"]


def test_the_shipped_schemas_are_real_files_inside_the_package():
    folder = SRC / "schemas" / "json"
    assert not folder.is_symlink() and all(not p.is_symlink() for p in folder.iterdir())
    assert (ROOT / "schemas").resolve() == folder.resolve()
