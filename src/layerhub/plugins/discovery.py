"""Discovery: entry points -> pluggy -> one registry, with broken plugins isolated.

Discovery runs once, lazily, on first need (:func:`get_registry`). It never imports
keras: plugin modules are light by contract, and targets stay lazy.

Environment (the pytest conventions):

- ``LAYERHUB_DISABLE_PLUGINS=a,b`` disables plugins by entry-point or distribution name;
- ``LAYERHUB_DISABLE_PLUGIN_AUTOLOAD=1`` disables every entry-point plugin;
- ``LAYERHUB_PREFER=dist-a,dist-b`` chooses who wins when plugins claim one name;
- ``LAYERHUB_STRICT=1`` turns plugin warnings into errors (for CI);
- ``LAYERHUB_DISABLE_CURATED=1`` ignores the curated index shipped with layerhub.

Installed distributions the user trusted (``layerhub trust``) or the curated index maps
join the registry too, as lazy entries (:mod:`layerhub.index.installed`).

Each plugin's hook runs through pluggy on its own: the plugin is registered with the
plugin manager, ``pm.hook.layerhub_register`` is called, and the plugin is unregistered
again. So a failure stays that plugin's, and ``tryfirst``/``trylast``/``wrapper``
options order and wrap its own implementations as pluggy documents them.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .. import settings
from ..errors import PluginError, PluginWarning
from ..index.installed import (
    IndexedDistribution,
    identity,
    indexed_distributions,
    installed_distribution,
)
from ..names import normalize_name
from .cache import DiscoveryCache, Point
from .metadata import read_entry_points
from .registrar import PluginRegistrar
from .registry import (
    ENTRY_POINT_GROUP,
    OBJECTS_GROUP,
    STATIC_GROUPS,
    Entry,
    Provider,
    ProviderSource,
    Registry,
)

if TYPE_CHECKING:
    import importlib_metadata
    import pluggy

__all__ = ["Discovery", "DiscoveryRun", "discover", "get_discovery", "get_registry", "reset"]


class PluginInfo(NamedTuple):
    """What discovery found for one entry point: ``status`` is ok, disabled or failed."""

    provider: Provider
    value: str
    status: str
    error: str = ""
    names: tuple[str, ...] = ()


class Discovery(NamedTuple):
    """The outcome of one discovery: the registry, a report of every plugin, and the
    installed distributions whose names come from the trusted or curated index."""

    registry: Registry
    plugins: tuple[PluginInfo, ...]
    indexed: tuple[IndexedDistribution, ...] = ()
    #: Names a distribution declares both statically and in its hook, differently.
    disagreements: tuple[str, ...] = ()


def plugin_manager() -> pluggy.PluginManager:
    from .manager import PluginManager  # here: a replayed discovery never imports pluggy

    return PluginManager()


def discover(
    extra: Iterable[tuple[Provider, object]] = (),
    *,
    strict: bool | None = None,
) -> Discovery:
    """Load every enabled ``layerhub`` entry point and collect its registrations.

    ``extra`` adds in-process plugins (provider, plugin object) after the entry points.
    A plugin that fails to import or whose hook raises is reported as ``failed`` and
    warned about; its partial registrations are dropped and every other plugin works.
    A plugin whose files are unchanged since a previous process recorded its
    registrations is not imported: they are replayed (:mod:`layerhub.plugins.cache`).
    """
    run = DiscoveryRun(settings.flag(settings.STRICT) if strict is None else strict)
    points = run.entry_points()
    for point in points:
        if point.group == ENTRY_POINT_GROUP:
            run.load(point)
    run.collect(points)
    run.declare()
    for provider, plugin in extra:
        run.register(provider, getattr(plugin, "__name__", repr(plugin)), plugin)
    return run.finish(points)


class DiscoveryRun:
    """One discovery in progress: the settings it read once, the cache, the plugin
    manager (created on the first live registration: a replayed discovery never imports
    pluggy), and what every plugin has given so far. :func:`discover` drives it."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.disabled = {normalize_name(n) for n in settings.items(settings.DISABLE_PLUGINS)}
        self.autoload = not settings.flag(settings.DISABLE_PLUGIN_AUTOLOAD)
        use_cache = self.autoload and not settings.flag(settings.NO_CACHE)
        self.cache = DiscoveryCache.open() if use_cache else None
        self.pm: pluggy.PluginManager | None = None
        self.infos: list[PluginInfo] = []
        self.entries: list[Entry] = []
        #: The static declarations, per distribution: group -> name -> value.
        self.static: dict[Provider, dict[str, dict[str, str]]] = {}
        self.disagreements: list[str] = []
        #: Every installed distribution, when this run listed them (:func:`scan_metadata`).
        self.installed: dict[str, str] | None = None
        #: The distributions whose hooks registered names (a declaration may overrule).
        self.hooked: set[str] = set()

    def entry_points(self) -> list[Point]:
        """The cache's record of the entry points while it holds, else a fresh listing."""
        points = self.cache.points() if self.cache else None
        if points is None:
            points, self.installed = scan_metadata(self.strict)
        return points

    def load(self, point: Point) -> None:
        """One entry point: a static declaration kept for :meth:`declare`, or a hook
        disabled, replayed from the cache, or imported and run."""
        if point.group != ENTRY_POINT_GROUP:
            self.collect([point])
            return
        provider = Provider(point.distribution, point.version, point.name)
        names = {normalize_name(point.name), normalize_name(point.distribution)}
        if not self.autoload or names & self.disabled:
            self.infos.append(PluginInfo(provider, point.value, "disabled"))
            return
        recorded = self.cache.record(point) if self.cache else None
        if recorded is not None:
            entries = [Entry(*row[:2], provider, *row[2:5], tuple(row[5])) for row in recorded]
            self.accept(provider, point.value, entries)
            return
        try:
            plugin = load_entry_point(point)
        except Exception as exc:
            self.fail(provider, point.value, f"{type(exc).__name__}: {exc}")
            return
        registered = self.register(provider, point.value, plugin)
        if self.cache and registered is not None:
            self.cache.remember(point, registered)

    def register(self, provider: Provider, value: str, plugin: object) -> list[Entry] | None:
        """Run one plugin's hook alone, so its failure or its partial work stays its own.

        Returns the plugin's entries if it registered cleanly (no error, no warning).
        """
        self.pm = pm = self.pm or plugin_manager()
        registrar = PluginRegistrar(provider)
        error = ""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PluginWarning)
            try:
                pm.register(plugin, name=f"{provider.distribution}:{provider.plugin}")
                pm.hook.layerhub_register(registry=registrar)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
            finally:
                if pm.is_registered(plugin):
                    pm.unregister(plugin)
        for warning in caught:
            if self.strict and issubclass(warning.category, PluginWarning):
                raise PluginError(str(warning.message))
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
        if error:
            self.fail(provider, value, error)
            return None
        self.accept(provider, value, registrar.entries)
        return None if caught else registrar.entries

    def collect(self, points: Iterable[Point]) -> None:
        """Keep the static declarations among ``points`` for :meth:`declare` (the first
        value of a name wins, as for a hook's second ``add`` of it)."""
        key: tuple[str, str] | None = None
        groups: dict[str, dict[str, str]] = {}
        for point in points:
            if point.group == ENTRY_POINT_GROUP:
                continue
            if (point.distribution, point.version) != key:
                key = (point.distribution, point.version)
                provider = Provider(point.distribution, point.version, OBJECTS_GROUP)
                groups = self.static.setdefault(provider, {})
            groups.setdefault(point.group, {}).setdefault(point.name, point.value)

    def declare(self) -> None:
        """The static declarations as registrations, each distribution's through a
        :class:`PluginRegistrar` of its own, as a hook's: the same rules, warnings and
        isolation. Nothing is imported. Where the distribution's hook registered a name
        it also declares, the declaration wins (it is what every process sees, run or
        not run the hook) and a difference is kept for ``doctor``."""
        for provider, groups in self.static.items():
            value = f"{OBJECTS_GROUP} ({len(groups.get(OBJECTS_GROUP, {}))} names)"
            if not self.autoload or normalize_name(provider.distribution) in self.disabled:
                self.infos.append(PluginInfo(provider, value, "disabled"))
                continue
            registrar = PluginRegistrar(provider)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", PluginWarning)
                for problem in static_registrations(registrar, groups):
                    warnings.warn(f"{provider.describe()}: {problem}", PluginWarning, stacklevel=2)
            for warning in caught:
                if self.strict and issubclass(warning.category, PluginWarning):
                    raise PluginError(str(warning.message))
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
            self.overrule(provider, registrar.entries)
            self.accept(provider, value, registrar.entries)

    def overrule(self, provider: Provider, declared: list[Entry]) -> None:
        """Drop the hook's entries of names ``declared`` statically by the same
        distribution, noting each one registered differently."""
        dist = normalize_name(provider.distribution)
        if dist not in self.hooked:
            return  # no hook of this distribution registered anything (the usual case)
        mine = {e.name: e for e in declared}
        kept = []
        for entry in self.entries:
            static = mine.get(entry.name)
            if static is None or normalize_name(entry.provider.distribution) != dist:
                kept.append(entry)
                continue
            fields = ("target_path", "schema", "example", "estimate", "aliases")
            differ = [f for f in fields if getattr(entry, f) != getattr(static, f)]
            if differ:
                self.disagreements.append(
                    f"{entry.name!r}: {provider.requirement} declares it in {OBJECTS_GROUP} and "
                    f"registers it in its hook {entry.provider.plugin!r} with another "
                    f"{', '.join(differ)}; the declaration is used"
                )
        self.entries = kept

    def accept(self, provider: Provider, value: str, registered: list[Entry]) -> None:
        if registered and not provider.static:
            self.hooked.add(normalize_name(provider.distribution))
        self.entries.extend(registered)
        names = tuple(e.name for e in registered)
        self.infos.append(PluginInfo(provider, value, "ok", names=names))

    def fail(self, provider: Provider, value: str, error: str) -> None:
        """A plugin skipped: warned about and reported, or an error when ``strict``."""
        message = f"{provider.describe()} was skipped: {error}"
        if self.strict:
            raise PluginError(message)
        warnings.warn(message, PluginWarning, stacklevel=4)
        self.infos.append(PluginInfo(provider, value, "failed", error))

    def finish(self, points: list[Point]) -> Discovery:
        """Add the installed trusted and curated distributions, save the cache and build
        the registry (warning about each conflict)."""
        cache = self.cache
        plugin_dists = {normalize_name(info.provider.distribution) for info in self.infos}
        find = installed_distribution
        if self.installed is not None:
            find = functools.partial(find_listed, self.installed)
        if cache:
            find = functools.partial(cache.installed, find=find)
        indexed = indexed_distributions(
            self.disabled | plugin_dists,
            curated=not settings.flag(settings.DISABLE_CURATED),
            find=find,
        )
        entries = self.entries + indexed_entries(indexed)
        if cache:
            cache.save(points)
        registry = Registry(entries, prefer=settings.items(settings.PREFER))
        for conflict in registry.conflicts:
            warnings.warn(f"layerhub: {conflict.describe()}", PluginWarning, stacklevel=3)
        return Discovery(registry, tuple(self.infos), tuple(indexed), tuple(self.disagreements))


#: A lazy target as ``check_target`` accepts it (``module.path:attr``), for the fast path.
TARGET_RE = re.compile(r"[^:\s]+:[^:\s]+")


def static_registrations(
    registrar: PluginRegistrar, groups: dict[str, dict[str, str]]
) -> list[str]:
    """``registrar.add`` each name of ``layerhub.objects`` with its companions (schema,
    example, estimate and the old names whose ``layerhub.aliases`` value is its target).
    Returns what could not be registered: a malformed value, a companion naming no
    declared object."""
    problems = []
    objects = groups.get(OBJECTS_GROUP, {})
    aliases: dict[str, list[str]] = {}
    for old, target in groups.get("layerhub.aliases", {}).items():
        aliases.setdefault(target, []).append(old)
    targets = set(objects.values())
    for group, names in groups.items():
        keys = (
            set(names.values()) - targets
            if group == "layerhub.aliases"
            else set(names) - set(objects)
        )
        for key in sorted(keys):
            problems.append(f"{group} names {key!r}, which no {OBJECTS_GROUP} entry declares")
    plain = not aliases and len(groups) == 1  # names and targets only: the usual case
    provider, entries, valid = registrar.provider, registrar.entries, TARGET_RE.fullmatch
    for name, target in objects.items():
        package, sep, _ = name.partition(">")
        if plain and sep and package != "keras" and "." not in package and valid(target):
            entries.append(Entry(name, target, provider))
            continue  # what registrar.add does for "Package>Name" = "module:attr"
        companions = {
            STATIC_GROUPS[group]: names[name]
            for group, names in groups.items()
            if group not in (OBJECTS_GROUP, "layerhub.aliases") and name in names
        }
        try:
            registrar.add(name, target, **companions, aliases=aliases.get(target, ()))
        except (TypeError, ValueError) as exc:
            problems.append(f"{OBJECTS_GROUP} entry {name!r} is ignored: {exc}")
    return problems


def indexed_entries(indexed: Iterable[IndexedDistribution]) -> list[Entry]:
    """Lazy entries for the names of installed trusted or curated distributions."""
    entries = []
    for dist in indexed:
        # The index's name ("trusted", "curated") is the provider source's value.
        provider = Provider(dist.distribution, dist.version, source=ProviderSource(dist.source))
        entries.extend(Entry(o["name"], o["target"], provider) for o in dist.objects)
    return entries


def list_entry_points(strict: bool = False) -> list[Point]:
    """Entry points of the ``layerhub`` group and the static groups (``layerhub.objects``
    and its companions), each distribution once, in a stable order.

    Read by :mod:`.metadata` where the layout is plain (directories on ``sys.path``),
    else by ``importlib_metadata``, which counts a distribution seen twice on
    ``sys.path`` once too (the first one wins, as for imports) but gives up on every
    entry point when one ``entry_points.txt`` does not parse: then each distribution is
    read on its own (:func:`readable_entry_points`) and only the broken one is left out.
    A distribution's name and version are read once (from a wheel's ``.dist-info``
    directory name where it has one: no ``METADATA`` is opened for a static one).
    """
    return scan_metadata(strict)[0]


def scan_metadata(strict: bool = False) -> tuple[list[Point], dict[str, str] | None]:
    """:func:`list_entry_points`, and every installed distribution's metadata directory
    by normalised name when :mod:`.metadata` could read them (else ``None``)."""
    groups = {ENTRY_POINT_GROUP, *STATIC_GROUPS}
    read = read_entry_points(groups)
    if read is None:
        return listed_by_importlib(strict), None
    declared, broken, installed = read
    for path in broken:
        name = normalize_name(Path(path).name.rpartition(".")[0].partition("-")[0])
        skip_unreadable(name, "a line is not 'name = value'", path, strict)
    identities: dict[str, tuple[tuple[str, str], tuple[str, ...]]] = {}
    keyed = []
    for d in declared:
        known = identities.get(d.path)
        if known is None:
            path = Path(d.path)
            static = d.group != ENTRY_POINT_GROUP
            name_version = (static and wheel_identity(path)) or identity(path_distribution(path))
            known = identities[d.path] = (name_version, metadata_files(path))
        point = Point(*known[0], d.name, d.value, known[1], d.group)
        keyed.append(((d.normalized, d.group, d.name), point))
    keyed.sort(key=lambda pair: pair[0])
    return [point for _, point in keyed], installed


def find_listed(installed: dict[str, str], name: str) -> tuple[str, str] | None:
    """``installed_distribution(name)``, answered from a :func:`scan_metadata` listing."""
    path = installed.get(normalize_name(name))
    return None if path is None else identity(path_distribution(Path(path)))


def path_distribution(path: Path) -> importlib_metadata.Distribution:
    import importlib_metadata

    return importlib_metadata.PathDistribution(path)


def listed_by_importlib(strict: bool) -> list[Point]:
    """:func:`list_entry_points` through ``importlib_metadata`` (any layout)."""
    import importlib_metadata

    try:
        found = list(importlib_metadata.entry_points())
    except Exception:  # one distribution's malformed metadata: find which, skip it alone
        found = readable_entry_points(strict)
    identities: dict[int, tuple[str, tuple[str, str], tuple[str, ...]]] = {}
    keyed = []
    for ep in found:
        if ep.group != ENTRY_POINT_GROUP and ep.group not in STATIC_GROUPS:
            continue
        known = identities.get(id(ep.dist))
        if known is None:
            path = getattr(ep.dist, "_path", None)
            path = path if isinstance(path, Path) else None
            static = ep.group != ENTRY_POINT_GROUP
            name_version = (static and path and wheel_identity(path)) or identity(ep.dist)
            files = metadata_files(path) if path else ()
            known = (normalize_name(name_version[0]), name_version, files)
            identities[id(ep.dist)] = known
        point = Point(*known[1], ep.name, ep.value, known[2], ep.group)
        keyed.append(((known[0], ep.group, ep.name), point))
    keyed.sort(key=lambda pair: pair[0])
    return [point for _, point in keyed]


def wheel_identity(path: Path) -> tuple[str, str] | None:
    """``(name, version)`` from a ``{name}-{version}.dist-info`` directory's name (the
    wheel spec writes it so; the name normalised), or ``None`` for any other layout."""
    if not path.name.endswith(".dist-info"):
        return None
    name, sep, version = path.name[: -len(".dist-info")].partition("-")
    return (normalize_name(name), version) if sep and name and version else None


def skip_unreadable(name: str, error: str, where: object, strict: bool) -> None:
    message = (
        f"distribution {name!r} was skipped: its entry_points.txt cannot be read "
        f"({error}) in {where}"
    )
    if strict:
        raise PluginError(message)
    warnings.warn(message, PluginWarning, stacklevel=5)


def readable_entry_points(strict: bool) -> list[importlib_metadata.EntryPoint]:
    """The entry points of the ``layerhub`` and static groups of every distribution
    whose ``entry_points.txt`` parses, the first one of each name on ``sys.path`` (as
    imports pick); each one that does not is warned about (an error with ``strict``)
    and skipped."""
    import importlib_metadata

    found: list[importlib_metadata.EntryPoint] = []
    seen: set[str] = set()
    for dist in importlib_metadata.distributions():
        name = normalize_name(identity(dist)[0])
        if name in seen:
            continue
        seen.add(name)
        try:
            found += [
                ep
                for ep in dist.entry_points
                if ep.group == ENTRY_POINT_GROUP or ep.group in STATIC_GROUPS
            ]
        except Exception as exc:
            where = getattr(dist, "_path", name)
            skip_unreadable(name, f"{type(exc).__name__}: {exc}", where, strict)
    return found


def load_entry_point(point: Point) -> object:
    """Import the object an entry point names (``module:attr``, as the packaging spec says)."""
    import importlib_metadata

    return importlib_metadata.EntryPoint(point.name, point.value, ENTRY_POINT_GROUP).load()


def metadata_files(path: Path) -> tuple[str, ...]:
    """The metadata directory ``path`` of a distribution and the files in it that
    describe the plugin (a distribution elsewhere, in a zipped egg or behind a custom
    finder, has none: its changes cannot be seen with ``os.stat``, so discovery is then
    never cached)."""
    metadata = "METADATA" if path.name.endswith(".dist-info") else "PKG-INFO"
    where = str(path)
    return (where, os.path.join(where, "entry_points.txt"), os.path.join(where, metadata))


_lock = threading.Lock()
_discovery: Discovery | None = None


def get_discovery() -> Discovery:
    """The process-wide discovery, run on first call (thread-safe)."""
    global _discovery
    if _discovery is None:
        with _lock:
            if _discovery is None:
                _discovery = discover()
    return _discovery


def get_registry() -> Registry:
    """The process-wide registry of every installed, enabled plugin.

    Added in version 0.1.0.
    """
    return get_discovery().registry


def reset() -> None:
    """Forget the cached discovery (after installing plugins, or in tests)."""
    global _discovery
    with _lock:
        _discovery = None
