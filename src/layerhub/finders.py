"""Finding a module or a package's file by path search alone: nothing is imported.

Why: a statically declared plugin (``layerhub.objects``) promises that nothing of it is
imported until a file needs its objects, yet ``scan`` reads its schemas and ``doctor``
checks its targets. ``importlib.resources`` and ``importlib.util.find_spec`` of a
submodule both import the parent package, whose ``__init__`` may import anything
(keras); these functions walk the import system's path finders instead.
"""

from __future__ import annotations

from importlib.machinery import (
    BYTECODE_SUFFIXES,
    EXTENSION_SUFFIXES,
    SOURCE_SUFFIXES,
    ExtensionFileLoader,
    FileFinder,
    ModuleSpec,
    PathFinder,
    SourceFileLoader,
    SourcelessFileLoader,
)
from pathlib import Path

__all__ = ["find_module", "package_file"]


def find_module(name: str) -> ModuleSpec | None:
    """The spec of ``name`` found by path search alone: no package ``__init__`` runs.

    Below the top level, each location is searched with a plain :class:`FileFinder`:
    ``PathFinder`` builds a lazy namespace path for a folder with no ``__init__.py`` (as
    keras-hub and kimm ship), which reads its parent module from ``sys.modules`` and so
    fails (``KeyError``) when, as here, the parent is not imported.
    """
    parts = name.split(".")
    spec = PathFinder.find_spec(parts[0])
    for i in range(1, len(parts)):
        if spec is None:
            return None
        spec = find_in(".".join(parts[: i + 1]), list(spec.submodule_search_locations or []))
    return spec


#: The loaders of the default path finder, for :func:`find_in`.
LOADERS = (
    (ExtensionFileLoader, EXTENSION_SUFFIXES),
    (SourceFileLoader, SOURCE_SUFFIXES),
    (SourcelessFileLoader, BYTECODE_SUFFIXES),
)


def find_in(name: str, locations: list[str]) -> ModuleSpec | None:
    """The spec of ``name`` in ``locations``; a namespace package gets every portion."""
    portions: list[str] = []
    for location in locations:
        spec = FileFinder(location, *LOADERS).find_spec(name)
        if spec is None:
            continue
        if spec.loader is not None:
            return spec
        portions.extend(spec.submodule_search_locations or [])
    if not portions:
        return None
    spec = ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = portions
    return spec


def package_file(package: str, relative: str) -> Path | None:
    """The file ``relative`` (``/``-separated) inside the directory of ``package``, found
    without importing it; ``None`` if there is none there (a zipped package, say)."""
    spec = find_module(package)
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location, *relative.split("/"))
        if path.is_file():
            return path
    return None
