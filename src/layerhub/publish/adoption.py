"""``layerhub adopt DIST``: the static declaration a package that registers Keras objects
without layerhub could ship, so that its maintainers adopt layerhub in one pull request.

Why here: the declaration is the ``layerhub.objects`` entry points (no dependency on
layerhub, nothing of it run), written from what the package really registers (found by
importing it in a child, as ``layerhub trust`` does: :mod:`layerhub.kerasio.adoption`)
with a starter schema per class (as ``layerhub schema infer`` writes it). Each schema
file goes into the top-level package of its object's module, named so that the
``layerhub.schemas`` value (``"package:custom_tcn.schema.json"``) is a valid entry-point
reference for every build backend's validator (a dotted name after the colon).

``--write`` edits a ``pyproject.toml`` with tomlkit (the ``author`` extra), which keeps
the file's comments and layout; schema files already there are kept, not overwritten.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from .. import child
from ..errors import AuthoringError, MissingDependencyError
from ..plugins.registry import OBJECTS_GROUP
from ..signals import ChildFailed

__all__ = ["Adoption", "adopt"]

SCHEMAS_GROUP = "layerhub.schemas"
#: The pattern that ships the starter schemas in a setuptools wheel.
SCHEMA_FILES = "*.schema.json"


class Adoption(NamedTuple):
    """What ``DIST`` registers, and the declaration and schema files that say so."""

    distribution: str
    version: str
    objects: list[dict[str, Any]]
    skipped: dict[str, str]

    @property
    def schema_files(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """registered name -> (``package/file.schema.json``, schema), for classes with one."""
        files = {}
        for obj in self.objects:
            if obj["schema"] is not None:
                package = obj["target"].partition(":")[0].split(".")[0]
                slug = re.sub(r"\W+", "_", obj["name"]).strip("_").lower() or "object"
                files[obj["name"]] = (f"{package}/{slug}.schema.json", obj["schema"])
        return files

    def groups(self) -> dict[str, dict[str, str]]:
        """The entry-point groups of the declaration: name -> value."""
        schemas = {name: path.replace("/", ":", 1) for name, (path, _) in self.schema_files.items()}
        objects = {obj["name"]: obj["target"] for obj in self.objects}
        return {OBJECTS_GROUP: objects, **({SCHEMAS_GROUP: schemas} if schemas else {})}

    def block(self) -> str:
        """The ``pyproject.toml`` tables, as text to paste."""
        lines = []
        for group, entries in self.groups().items():
            lines.append(f'[project.entry-points."{group}"]')
            lines += [
                f"{json.dumps(name)} = {json.dumps(value)}" for name, value in entries.items()
            ]
            lines.append("")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "distribution": self.distribution,
            "version": self.version,
            "entry_points": self.groups(),
            "schemas": {path: schema for path, schema in self.schema_files.values()},
            "notes": {o["name"]: o["notes"] for o in self.objects if o["notes"]},
            "skipped": self.skipped,
        }

    def write(self, pyproject: Path) -> list[Path]:
        """Add the declaration to ``pyproject`` (keeping its formatting) and write the
        schema files into the packages beside it; returns the files written."""
        tomlkit = import_tomlkit()
        try:
            document = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # tomlkit's parse errors are ValueErrors
            raise AuthoringError(f"cannot read {pyproject}: {exc}") from None
        project = document.get("project")
        if project is None:
            raise AuthoringError(f"{pyproject} has no [project] table to declare entry points in")
        entry_points = project.setdefault("entry-points", tomlkit.table(is_super_table=True))
        for group, entries in self.groups().items():
            table = entry_points.setdefault(group, tomlkit.table())
            for name, value in entries.items():
                table[name] = value
        written = self.write_schemas(pyproject.parent)
        if written and is_setuptools(document):
            add_package_data(document, sorted({p.parent.name for p in written}), tomlkit)
        pyproject.write_text(tomlkit.dumps(document), encoding="utf-8")
        return [pyproject, *written]

    def write_schemas(self, root: Path) -> list[Path]:
        written = []
        for path, schema in self.schema_files.values():
            package, _, file = path.partition("/")
            found = [d for d in (root / package, root / "src" / package) if d.is_dir()]
            if not found:
                raise AuthoringError(
                    f"package {package!r} is neither in {root} nor in {root / 'src'}: "
                    f"cannot write its schema {file}"
                )
            target = found[0] / file
            if not target.exists():
                target.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
                written.append(target)
        return written


def import_tomlkit() -> Any:
    try:
        import tomlkit
    except ImportError:
        raise MissingDependencyError(
            "editing pyproject.toml needs tomlkit: pip install 'layerhub[author]'"
        ) from None
    return tomlkit


def is_setuptools(document: Any) -> bool:
    backend = document.get("build-system", {}).get("build-backend", "setuptools.build_meta")
    return str(backend).startswith("setuptools")


def add_package_data(document: Any, packages: list[str], tomlkit: Any) -> None:
    """``[tool.setuptools.package-data] package = ["*.schema.json"]``, so the wheel ships them."""
    tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
    setuptools = tool.setdefault("setuptools", tomlkit.table(is_super_table=True))
    data = setuptools.setdefault("package-data", tomlkit.table())
    for package in packages:
        patterns = data.setdefault(package, tomlkit.array())
        if SCHEMA_FILES not in patterns:
            patterns.append(SCHEMA_FILES)


def adopt(distribution: str) -> Adoption:
    """Introspect ``distribution`` in a child process (it imports the package and keras)."""
    try:
        record = child.run("layerhub.kerasio.adoption", [distribution])
    except ChildFailed as exc:
        raise AuthoringError(f"introspecting {distribution} failed ({exc})") from None
    if record.get("error"):
        raise AuthoringError(f"{distribution} is not installed in this environment")
    if not record["objects"]:
        raise AuthoringError(
            f"{record['name']} {record['version']} registers no Keras object: nothing to declare"
        )
    return Adoption(record["name"], record["version"], record["objects"], record["skipped"])
