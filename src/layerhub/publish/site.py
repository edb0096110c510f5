"""``layerhub index build``: a directory of wheels -> a pip-installable site and its index.

The site is static files any web server (or ``file://``) can serve::

    SITE/files/<wheel>                       the wheels, copied
    SITE/simple/index.html                   PEP 503 root: one link per project
    SITE/simple/<project>/index.html         one link per wheel, with #sha256=...
    SITE/layerhub-index.json                 registered name -> distributions, versions
    SITE/index.html, names/, distributions/  the catalog people browse (publish.catalog)

``pip install --index-url SITE/simple/ NAME`` installs from it; the index JSON
(``schemas/json/index.schema.json``) points at ``simple/`` so ``layerhub resolve --install``
does too. Names come from each wheel's own hook (:mod:`layerhub.publish.wheelnames`); keras is
never imported.
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
import zipfile
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from ..errors import IndexBuildError
from ..index.document import INDEX_FILENAME, curated_index, document
from ..names import normalize_name
from .catalog import write_catalog
from .wheelnames import wheel_names

__all__ = ["PAGE", "build", "build_curated", "sha256"]

PAGE = """<!DOCTYPE html>
<html>
  <head><meta name="pypi:repository-version" content="1.0"><title>{title}</title></head>
  <body>
{links}
  </body>
</html>
"""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def requires_python(wheel: Path) -> str | None:
    """``Requires-Python`` of the wheel's METADATA (pip skips incompatible files early)."""
    with zipfile.ZipFile(wheel) as zf:
        name = next((n for n in zf.namelist() if n.endswith(".dist-info/METADATA")), None)
        if name is None:
            raise IndexBuildError(f"{wheel.name}: no .dist-info/METADATA (not a wheel?)")
        metadata = BytesParser().parsebytes(zf.read(name), headersonly=True)
    return metadata.get("Requires-Python")


def curated_record(project: str, version: str) -> dict[str, Any] | None:
    """The curated record of exactly this release of a package without entry points."""
    for record in curated_index().distributions:
        if normalize_name(record["name"]) == project and record["version"] == version:
            return {**record, "source": "introspection"}
    return None


def build(wheel_dir: Path, out: Path) -> dict[str, Any]:
    """Write the site for every ``*.whl`` in ``wheel_dir`` into ``out``; return its index."""
    if not Path(wheel_dir).is_dir():
        raise IndexBuildError(f"{wheel_dir}: not a directory")
    wheels = sorted(Path(wheel_dir).glob("*.whl"))
    if not wheels:
        raise IndexBuildError(f"{wheel_dir}: no .whl files to publish")
    files = out / "files"
    files.mkdir(parents=True, exist_ok=True)
    projects: dict[str, list[str]] = {}
    records: list[dict[str, Any]] = []
    for wheel in wheels:
        try:
            name, version, _, _ = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename as exc:
            raise IndexBuildError(f"{wheel.name}: {exc}") from None
        project = canonicalize_name(name)
        found = wheel_names(wheel)
        if not found:
            found = [r for r in [curated_record(project, str(version))] if r]
        records.extend({**r, "wheel": wheel.name} for r in found)
        if (files / wheel.name).resolve() != wheel.resolve():
            shutil.copyfile(wheel, files / wheel.name)
        attrs = ""
        python = requires_python(wheel)
        if python:
            attrs = f' data-requires-python="{html.escape(python)}"'
        href = f"../../files/{html.escape(wheel.name)}#sha256={sha256(wheel)}"
        projects.setdefault(project, []).append(
            f'    <a href="{href}"{attrs}>{html.escape(wheel.name)}</a><br>'
        )
    simple = out / "simple"
    for project, links in projects.items():
        (simple / project).mkdir(parents=True, exist_ok=True)
        page = PAGE.format(title=f"Links for {project}", links="\n".join(links))
        (simple / project / "index.html").write_text(page)
    root = [f'    <a href="{p}/">{p}</a><br>' for p in sorted(projects)]
    (simple / "index.html").write_text(PAGE.format(title="Simple index", links="\n".join(root)))
    doc = document(records, simple="simple/")
    (out / INDEX_FILENAME).write_text(json.dumps(doc, indent=1) + "\n")
    write_catalog(doc, out, "Plugin index")
    return doc


def build_curated(out: Path) -> dict[str, Any]:
    """The catalog of the curated index (no repository: its packages are on PyPI)."""
    doc = curated_index().doc
    write_catalog(doc, out, "Keras layer packages (layerhub curated index)")
    return doc
