"""``layerhub doctor``: every problem with the installed plugins, found without running them.

Discovery already isolates broken plugins (import errors, hook errors); the doctor
reports those, and what would only fail later, when a model needs it: targets that do
not exist, schemas that are missing or not JSON Schemas, names shadowing Keras
built-ins, names claimed twice, allow-list entries naming distributions that are not
installed, and trusted-index entries (``layerhub trust``) out of step with what is
installed, and names a distribution declares statically (``layerhub.objects``) and
registers in its hook differently. Targets and schema files are located and read
statically (``ast``, the import system's finders): no plugin target is imported, so
keras never is.
"""

from __future__ import annotations

import ast
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import importlib_metadata

from ..finders import find_module, package_file
from ..findings import Finding, Severity
from ..index.trusted import store_path, trusted
from ..schemas.plugin import schema_problem
from .allowlist import AllowList
from .discovery import Discovery, discover
from .registry import OBJECTS_GROUP, Entry

__all__ = ["diagnose"]


def diagnose() -> tuple[Discovery, list[Finding]]:
    """Run a fresh discovery and check everything it found."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        discovery = discover()
        stale = stale_trust_entries()
    problems: list[Finding] = []
    for info in discovery.plugins:
        where = f"plugin:{info.provider.plugin} ({info.provider.requirement})"
        if info.status == "failed":
            problems.append(Finding("plugin-failed", Severity.HIGH, info.error, where))
        elif info.status == "disabled":
            problems.append(Finding("plugin-disabled", Severity.INFO, "disabled", where))
    for disagreement in discovery.disagreements:
        problems.append(Finding("static-hook-disagreement", Severity.MEDIUM, disagreement))
    for conflict in discovery.registry.conflicts:
        problems.append(
            Finding("name-conflict", Severity.MEDIUM, conflict.describe(), conflict.name)
        )
    for warning in caught:
        text = str(warning.message)
        if "shadow" in text:
            problems.append(Finding("shadowed-name", Severity.MEDIUM, text))
        elif "trusted index" in text:
            problems.append(Finding("trust-store", Severity.MEDIUM, text))
        elif f"declared in {OBJECTS_GROUP}" in text:
            problems.append(Finding("static-declaration", Severity.MEDIUM, text))
    for entry in discovery.registry:
        problems += entry_problems(entry)
    problems += stale
    problems += stale_allowlist_entries(AllowList.load())
    return discovery, problems


def entry_problems(entry: Entry) -> list[Finding]:
    where = f"{entry.name} ({entry.provider.requirement})"
    problems = []
    if entry.is_lazy:
        error = missing_target(entry.target)
        if error:
            problems.append(Finding("missing-target", Severity.HIGH, error, where))
    if entry.schema is not None:
        error = schema_file_problem(entry.schema)
        if error:
            problems.append(Finding("bad-schema", Severity.HIGH, error, where))
    return problems


def missing_target(target: str) -> str:
    """Why ``"module:attribute"`` cannot be imported, or ``""`` when it looks fine."""
    module_name, _, attribute = target.partition(":")
    first = attribute.split(".")[0]
    if module_name in sys.modules:
        found = hasattr(sys.modules[module_name], first)
        return "" if found else f"{target!r}: module {module_name} has no {first!r}"
    spec = find_module(module_name)
    if spec is None:
        return f"{target!r}: no module named {module_name!r}"
    origin = spec.origin or ""
    if not origin.endswith(".py"):
        return ""  # an extension module or a namespace package: cannot tell statically
    try:
        tree = ast.parse(Path(origin).read_bytes(), origin)
    except (OSError, SyntaxError, ValueError) as exc:
        return f"{target!r}: cannot read {origin} ({exc})"
    names = top_level_names(tree)
    if first in names or "*" in names or "__getattr__" in names:
        return ""
    return f"{target!r}: {module_name} defines no {first!r}"


def top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def schema_file_problem(schema: Any) -> str:
    """Why a schema (a dict or ``"package:path.json"``) is unusable, or ``""``."""
    if isinstance(schema, str):
        package, _, relative = schema.partition(":")
        found = package_file(package, relative)
        if found is None:
            return f"schema file {schema!r} not found"
        try:
            schema = json.loads(found.read_text())
        except (OSError, ValueError) as exc:
            return f"schema file {schema!r} is not JSON ({exc})"
    if not isinstance(schema, dict):
        return f"a schema must be a JSON object, got {type(schema).__name__}"
    # The file was read statically above; the rules are the ones load and save apply.
    return schema_problem(schema) or ""


def installed_version(distribution: str) -> str | None:
    try:
        return importlib_metadata.version(distribution)
    except importlib_metadata.PackageNotFoundError:
        return None


def stale_trust_entries() -> list[Finding]:
    """Entries of the trusted index (``layerhub trust``) that no longer match what is
    installed: the distribution is gone, or another version replaced the one introspected."""

    problems = []
    for record in trusted().distributions:
        name, recorded = record["name"], record.get("version")
        version = installed_version(name)
        if version is None:
            message = f"trusted distribution {name!r} is not installed"
        elif recorded and version != recorded:
            message = (
                f"trusted distribution {name!r} was introspected at {recorded}, {version} is "
                f"installed (run: layerhub trust {name})"
            )
        else:
            continue
        problems.append(Finding("stale-trust-entry", Severity.MEDIUM, message, str(store_path())))
    return problems


def stale_allowlist_entries(allowlist: AllowList) -> list[Finding]:
    """Allowed providers that are not installed (a typo, or a removed distribution)."""
    return [
        Finding(
            "stale-allowlist-entry",
            Severity.MEDIUM,
            f"allowed provider {name!r} is not installed",
            allowlist.providers_source,
        )
        for name in sorted(allowlist.providers or ())
        if installed_version(name) is None
    ]
