"""The curated and trusted records of installed distributions, for discovery.

A distribution the user trusted (``layerhub trust``) or the curated index maps joins
the registry like a plugin: discovery turns each record found here into lazy entries,
whose targets are imported only when a model needs them. Reads metadata only: neither
keras nor the distributions are imported.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from ..names import normalize_name
from ..references.keras_names import shadows_builtin
from .document import curated_index
from .trusted import trusted

if TYPE_CHECKING:
    import importlib_metadata

__all__ = [
    "CURATED",
    "TRUSTED",
    "IndexedDistribution",
    "identity",
    "indexed_distributions",
    "installed_distribution",
    "module_owners",
    "module_provider",
    "under",
]

TRUSTED = "trusted"
CURATED = "curated"


class IndexedDistribution(NamedTuple):
    """An installed distribution whose names come from an index, not from an entry point.

    ``objects`` are the index's records (``name``, ``target``, ...), less any name that
    would shadow a Keras built-in; ``modules`` the prefixes of the modules where it
    defines Keras-serializable classes it does not register.
    """

    distribution: str
    version: str
    source: str  # TRUSTED or CURATED
    indexed_version: str
    objects: tuple[dict[str, Any], ...]
    modules: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(o["name"] for o in self.objects)


def identity(dist: importlib_metadata.Distribution | None) -> tuple[str, str]:
    """``(name, version)`` of a distribution, reading its metadata headers once.

    ``dist.name`` and ``dist.version`` each parse the whole metadata file with the
    email parser; with hundreds of plugins that was most of discovery (see
    benchmarks/results.md). The two headers come first, so a line scan suffices. A
    distribution missing either one (a hand-made or damaged ``METADATA``) is named
    ``"?"`` or versioned ``""`` rather than stopping discovery.
    """
    if dist is None:
        return "?", ""
    headers: dict[str, str] = {}
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for line in text.splitlines():
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if sep and key in ("Name", "Version"):
            headers.setdefault(key, value.strip())
    if "Name" not in headers or "Version" not in headers:  # out of order, or missing
        metadata = dist.metadata
        headers.setdefault("Name", metadata.get("Name") or "?")
        headers.setdefault("Version", metadata.get("Version") or "")
    return headers["Name"], headers["Version"]


def installed_distribution(name: str) -> tuple[str, str] | None:
    """``(name, version)`` of the installed distribution ``name``, or ``None``."""
    import importlib_metadata

    try:
        dist = importlib_metadata.distribution(name)
    except importlib_metadata.PackageNotFoundError:
        return None
    return identity(dist)


def indexed_distributions(
    skip: Collection[str],
    curated: bool = True,
    find: Callable[[str], tuple[str, str] | None] = installed_distribution,
) -> list[IndexedDistribution]:
    """Every installed distribution the trusted or curated index maps.

    Trusted records (the user's own introspection of what is installed) replace curated
    ones of the same distribution; ``skip`` (normalized names: disabled distributions,
    and those that ship a layerhub entry point) are left out.
    """
    found: list[IndexedDistribution] = []
    seen = set(skip)
    sources = [(TRUSTED, trusted())]
    if curated:
        sources.append((CURATED, curated_index()))
    for source, index in sources:
        for record in index.distributions:
            key = normalize_name(record["name"])
            if key in seen:
                continue
            installed = find(record["name"])
            if installed is None:
                continue
            seen.add(key)
            # Same rule as for plugins: an index may not take over a Keras built-in.
            objects = tuple(o for o in record["objects"] if not shadows_builtin(o["name"]))
            modules = tuple(record.get("modules", ()))
            found.append(
                IndexedDistribution(*installed, source, record["version"], objects, modules)
            )
    return found


def module_provider(
    indexed: Iterable[IndexedDistribution], module: str | None
) -> IndexedDistribution | None:
    """The installed indexed distribution that owns ``module``.

    Such a class is named in a config only by its ``module`` and class name (it is not
    registered): layerhub imports it from there, as Keras does for its own libraries,
    because the curated index or the user's trust vouches for the distribution. Several
    distributions may ship one import package (a package and its fork), so the answer
    is the one that installed the module's top-level package
    (``importlib.metadata.packages_distributions``), not merely one whose index record
    names the prefix: when the module was installed by a distribution no index vouches
    for, there is none.
    """
    if not module:
        return None
    matches = [d for d in indexed if any(under(module, p) for p in d.modules)]
    if not matches:
        return None
    owners = module_owners(module)
    if not owners:  # metadata that lists no files: the index's word is all there is
        return matches[0]
    return next((d for d in matches if normalize_name(d.distribution) in owners), None)


def under(module: str, prefix: str) -> bool:
    """Whether ``module`` is the module or package ``prefix`` or inside it."""
    return module == prefix or module.startswith(prefix + ".")


def module_owners(module: str) -> set[str]:
    """The normalized names of the installed distributions that ship ``module``'s
    top-level package (read from their file lists; nothing is imported)."""
    import importlib_metadata

    top = module.partition(".")[0]
    return {normalize_name(d) for d in importlib_metadata.packages_distributions().get(top, ())}
