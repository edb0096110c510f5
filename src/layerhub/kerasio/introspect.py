"""What an installed distribution registers with Keras, found by importing it (in a child).

``layerhub trust DIST`` runs ``python -m layerhub.kerasio.introspect DIST`` in a
subprocess (:func:`layerhub.index.trusted.introspect_in_child`): that
child imports keras, snapshots Keras's global custom-object registry, imports every module
of the distribution (namespace packages and submodules included, from its installed
file list), and diffs the registry. Every new registered name -> ``module:attr`` whose
import gives back the same object. Registration through ``@register_keras_serializable``
and through ``get_custom_objects().update(...)`` both land in that registry, so both count.

It runs in a child because importing a package has side effects (it registers objects,
may change global Keras state, may crash) that must not touch the caller; the parent only
reads the JSON the child prints. The kind and summary of each object come from
:mod:`layerhub.plugins.describe`, as for ``layerhub show``.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import importlib_metadata

from ..child import reply
from ..plugins.describe import kind_of, summary_of

__all__ = ["main", "registrations"]


def module_names(dist: importlib_metadata.Distribution) -> list[str]:
    """Every importable module of ``dist``, parents first, from its installed file list.

    Works for namespace packages (no ``__init__.py``) since it reads files, not packages.
    ``__main__`` modules, tests and files outside the site directory are skipped.
    """
    names: set[str] = set()
    for file in dist.files or ():
        parts = file.parts
        if not parts or file.suffix != ".py" or ".." in parts or parts[0].endswith(".data"):
            continue
        parts = (*parts[:-1], parts[-1][: -len(".py")])
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts or not all(p.isidentifier() for p in parts):
            continue
        if "__main__" in parts or {"tests", "test", "conftest"} & set(parts):
            continue
        if parts[0].startswith("__editable__"):  # setuptools' editable-install finder
            continue
        names.add(".".join(parts))
    if not names:  # editable or legacy installs list no sources: walk the top-level packages
        names.update(walk_top_level(dist))
    return sorted(names, key=lambda n: (n.count("."), n))


def walk_top_level(dist: importlib_metadata.Distribution) -> Iterator[str]:
    import pkgutil

    top = [
        name
        for name, dists in importlib_metadata.packages_distributions().items()
        if dist.name in dists and name.isidentifier()
    ]
    for name in top:
        yield name
        with contextlib.suppress(Exception):
            package = importlib.import_module(name)
            for info in pkgutil.walk_packages(getattr(package, "__path__", []), f"{name}."):
                yield info.name


def target_of(obj: Any, modules: Iterable[str]) -> str | None:
    """``module:attr`` whose import gives back ``obj``, or ``None`` if there is none."""
    candidates = []
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and "<locals>" not in qualname:
        candidates.append(f"{module}:{qualname}")
    for name in modules:  # re-exported under another name, or defined dynamically
        namespace = vars(sys.modules[name]) if name in sys.modules else {}
        candidates.extend(f"{name}:{attr}" for attr, value in namespace.items() if value is obj)
    for candidate in candidates:
        module_name, _, attribute = candidate.partition(":")
        with contextlib.suppress(Exception):
            value: Any = importlib.import_module(module_name)
            for part in attribute.split("."):
                value = getattr(value, part)
            if value is obj:
                return candidate
    return None


def registrations(distribution: str) -> dict[str, Any]:
    """Import every module of ``distribution``; report what it registered with Keras."""
    dist = importlib_metadata.distribution(distribution)
    import keras

    registry = keras.saving.get_custom_objects()
    before = dict(registry)
    modules = module_names(dist)
    errors: dict[str, str] = {}
    imported: list[str] = []
    for name in modules:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                importlib.import_module(name)
            imported.append(name)
        except BaseException as exc:  # a module that fails (or exits) is reported, not fatal
            errors[name] = f"{type(exc).__name__}: {exc}".strip()
    own = set(imported)
    registered = {id(obj) for obj in registry.values()}
    objects, skipped = [], {}
    for name, obj in sorted(registry.items()):
        if before.get(name) is obj:
            continue
        target = target_of(obj, imported)
        if target is None or target.partition(":")[0] not in own:
            skipped[name] = (
                "not importable by module:attr"
                if target is None
                else f"{target} is not a module of {dist.name}"
            )
            continue
        objects.append(
            {"name": name, "target": target, "kind": kind_of(obj), "summary": summary_of(obj)}
        )
    return {
        "name": dist.name,
        "version": dist.version,
        "source": "introspection",
        "keras_version": keras.__version__,
        "objects": objects,
        "modules": module_prefixes(unregistered_modules(imported, registered), modules),
        "imported": len(imported),
        "import_errors": errors,
        "skipped": skipped,
    }


def unregistered_modules(imported: Iterable[str], registered: set[int]) -> set[str]:
    """The modules that define a Keras-serializable class (a layer, loss, metric... see
    :data:`~layerhub.plugins.describe.KIND_BASES`) that is not in Keras's registry: Keras
    finds such a class only by its config's ``module`` (for its own libraries) or through
    ``custom_objects``."""
    found = set()
    for name in imported:
        for value in list(vars(sys.modules[name]).values()):
            if (
                inspect.isclass(value)
                and value.__module__ == name
                and id(value) not in registered
                and kind_of(value) != "class"
            ):
                found.add(name)
                break
    return found


def module_prefixes(modules: Iterable[str], every: Sequence[str]) -> list[str]:
    """The shortest prefixes covering ``modules``: each one's top-level package, or its
    first two parts when the top level is a namespace package that others may share."""
    regular = {name for name in every if "." not in name}
    namespaces = {name.split(".")[0] for name in every} - regular
    prefixes = set()
    for name in modules:
        parts = name.split(".")
        prefixes.add(".".join(parts[:2]) if parts[0] in namespaces else parts[0])
    return sorted(prefixes)


def main(argv: list[str]) -> int:
    """Reply with one record per distribution named on the command line."""
    results = []
    for distribution in argv:
        try:
            results.append(registrations(distribution))
        except importlib_metadata.PackageNotFoundError:
            results.append({"name": distribution, "error": "not installed"})
    reply(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
