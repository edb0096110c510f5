"""The registry: every custom object the installed providers offer, imported lazily.

An :class:`Entry` maps a Keras registered name (``"Package>Name"``) to a lazy target
(``"module.path:attribute"``) and remembers who provides it (:class:`Provider`). Targets
are imported only when :meth:`Registry.resolve` is asked for their name.
"""

from __future__ import annotations

import enum
import importlib
import threading
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from ..errors import PluginError, RenamedObjectWarning
from ..names import normalize_name
from ..schemas.refs import SchemaRef

__all__ = [
    "ENTRY_POINT_GROUP",
    "OBJECTS_GROUP",
    "STATIC_GROUPS",
    "USER_PROVIDER",
    "Entry",
    "Provider",
    "ProviderSource",
    "Registry",
    "check_target",
    "import_target",
]

#: The entry-point group plugins announce themselves in (re-exported by hookspecs; kept
#: here so that discovery can list entry points without importing pluggy).
ENTRY_POINT_GROUP = "layerhub"
#: The static declaration: one entry point per registered name, ``"Name" = "module:attr"``,
#: read from package metadata without importing anything (docs/plugins.md).
OBJECTS_GROUP = "layerhub.objects"
#: Its companions, keyed by registered name (aliases: by old name, valued with the target
#: of the object it was renamed to), each the value ``registry.add`` takes: a schema as
#: ``"package:file.json"``, an example or estimate as ``"module:function"``.
STATIC_GROUPS = {
    OBJECTS_GROUP: "target",
    "layerhub.schemas": "schema",
    "layerhub.examples": "example",
    "layerhub.estimates": "estimate",
    "layerhub.aliases": "aliases",
}


class ProviderSource(enum.Enum):
    """How a provider came to offer its names; the values are the manifest's words."""

    ENTRY_POINT = "entry-point"  # a plugin: a ``layerhub`` entry point and its hook
    TRUSTED = "trusted"  # the user's trusted index (``layerhub trust``)
    CURATED = "curated"  # the curated index shipped with layerhub
    USER = "user"  # the caller's own objects (``custom_objects``, ``schema infer``)


class Provider(NamedTuple):
    """Who provides an entry: a distribution (by its metadata name), its version, how
    (:class:`ProviderSource`) and, for a plugin, the name of its entry point."""

    distribution: str
    version: str
    plugin: str = ""
    source: ProviderSource = ProviderSource.ENTRY_POINT

    @property
    def requirement(self) -> str:
        return f"{self.distribution}=={self.version}" if self.version else self.distribution

    @property
    def static(self) -> bool:
        """Whether the names come from the static ``layerhub.objects`` declaration."""
        return self.plugin == OBJECTS_GROUP

    def describe(self) -> str:
        """``layerhub plugin 'acme' from acme-blocks==1.0``, a static declaration, or an index."""
        if self.static:
            return f"{self.requirement}, declared in {OBJECTS_GROUP}"
        if self.source is ProviderSource.ENTRY_POINT:
            return f"layerhub plugin {self.plugin!r} from {self.requirement}"
        return f"{self.requirement} (from the {self.source.value} index)"


USER_PROVIDER = Provider("the caller", "", source=ProviderSource.USER)


#: Serialises target imports so that each is imported once. One lock for every entry:
#: imports hold Python's import lock anyway, and a registry has thousands of entries.
_TARGET_IMPORT = threading.RLock()


class Entry:
    """One registered name, its lazy target and its provider.

    A plain class (registries hold thousands, and layerhub's start-up time matters):
    compared by identity, and weakly referenceable for the schema cache.

    Added in version 0.1.0.
    """

    __slots__ = (
        "__weakref__",
        "_loaded",
        "aliases",
        "estimate",
        "example",
        "name",
        "provider",
        "schema",
        "target",
    )

    def __init__(
        self,
        name: str,
        target: Any,
        provider: Provider,
        schema: SchemaRef | None = None,
        example: str | None = None,
        estimate: str | None = None,
        aliases: tuple[str, ...] = (),
    ) -> None:
        self.name, self.target, self.provider = name, target, provider
        self.schema, self.example, self.estimate = schema, example, estimate
        self.aliases = aliases
        self._loaded: Any = None

    def __repr__(self) -> str:
        return f"Entry({self.name!r}, {self.target_path!r}, {self.provider.requirement!r})"

    def describe_provider(self) -> str:
        return self.provider.describe()

    @property
    def is_lazy(self) -> bool:
        return isinstance(self.target, str)

    @property
    def target_path(self) -> str:
        """``module:attribute`` of the target, whether it was given lazily or not."""
        if self.is_lazy:
            return self.target
        module = getattr(self.target, "__module__", "?")
        return f"{module}:{getattr(self.target, '__qualname__', type(self.target).__name__)}"

    @property
    def loaded(self) -> bool:
        return not self.is_lazy or self._loaded is not None

    def load(self) -> Any:
        """Import the target (once) and return it; :class:`PluginError` names what failed."""
        if not self.is_lazy:
            return self.target
        with _TARGET_IMPORT:
            if self._loaded is None:
                self._loaded = import_target(self.target, self.provider)
            return self._loaded

    def load_estimate(self) -> Any:
        """The plugin's ``estimate`` function (:mod:`layerhub.safety.budget`), imported."""
        if self.estimate is None:
            raise PluginError(f"{self.name!r} has no estimate function")
        return import_target(self.estimate, self.provider)


def import_target(target: str, provider: Provider) -> Any:
    """Import ``"module.path:attr.sub"`` and return the attribute."""
    module_name, _, attribute = target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attribute.split(".") if attribute else ():
            obj = getattr(obj, part)
    except Exception as exc:  # an import error of any kind is the plugin's failure
        raise PluginError(
            f"cannot import {target!r} provided by {provider.requirement}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    return obj


def check_target(target: Any) -> None:
    if isinstance(target, str):
        module_name, sep, attribute = target.partition(":")
        if not sep or not module_name or not attribute:
            raise ValueError(f"a lazy target must read 'module.path:attribute', got {target!r}")
    elif not callable(target):
        raise TypeError(f"a target must be 'module:attr' or a class/function, got {target!r}")


class Conflict(NamedTuple):
    """Several providers claim one name; ``chosen`` is the one in use, unless the claim
    is ``ambiguous`` (then none is: see :class:`Registry`)."""

    name: str
    chosen: Provider
    others: tuple[Provider, ...]
    ambiguous: bool = False

    def describe(self) -> str:
        others = ", ".join(p.requirement for p in self.others)
        if self.ambiguous:
            return (
                f"{self.name!r} is provided by both {self.chosen.requirement} and {others} "
                "(installed packages the curated or trusted index maps); layerhub picks "
                "neither: pass the one the model needs in custom_objects, `layerhub trust` "
                "it, or set LAYERHUB_PREFER"
            )
        return (
            f"{self.name!r} is provided by {self.chosen.requirement} and {others}; "
            f"using {self.chosen.distribution} (set LAYERHUB_PREFER to choose another)"
        )


#: Index sources, strongest first: the user's trust decides over the curated index.
INDEX_RANK = {ProviderSource.TRUSTED: 0, ProviderSource.CURATED: 1}


class Registry:
    """Registered names -> entries, with conflicts resolved deterministically.

    When several providers claim one name, the first distribution listed in
    ``prefer`` wins, else the alphabetically first distribution; the conflict is kept
    in :attr:`conflicts` and reported with a warning. Distributions that only an index
    maps (no entry point: nobody declared the name for layerhub) are never picked
    alphabetically: a trusted one wins over curated ones, ``prefer`` decides, and
    otherwise the name is ambiguous, left out, and :meth:`resolve` names every claimant.

    Added in version 0.1.0.
    """

    def __init__(self, entries: Iterable[Entry] = (), prefer: Iterable[str] = ()) -> None:
        rank = {normalize_name(d): i for i, d in enumerate(prefer)}
        candidates: dict[str, list[Entry]] = {}
        for entry in entries:
            candidates.setdefault(entry.name, []).append(entry)
        self._entries: dict[str, Entry] = {}
        self.conflicts: list[Conflict] = []
        #: Names several index-mapped distributions claim with no winner.
        self.unresolved: dict[str, Conflict] = {}
        #: Old names -> the registered name they were renamed to (a real name never is one).
        self.aliases: dict[str, str] = {}
        for name, claimed in sorted(candidates.items()):
            self._entries[name] = claimed[0]
            if len(claimed) == 1:  # the usual case: nothing to rank
                continue
            claimed.sort(
                key=lambda e: (
                    rank.get(normalize_name(e.provider.distribution), len(rank)),
                    normalize_name(e.provider.distribution),
                    e.provider.source.value,
                    e.provider.plugin,
                )
            )
            if all(e.provider.source in INDEX_RANK for e in claimed) and not rank:
                claimed.sort(key=lambda e: INDEX_RANK[e.provider.source])  # stable
            self._entries[name] = claimed[0]
            providers = {e.provider for e in claimed[1:]} - {claimed[0].provider}
            if providers:
                conflict = Conflict(name, claimed[0].provider, tuple(sorted(providers, key=str)))
                if self.ambiguous(claimed, rank):
                    conflict = conflict._replace(ambiguous=True)
                    del self._entries[name]
                    self.unresolved[name] = conflict
                self.conflicts.append(conflict)
        for name, entry in sorted(self._entries.items()):
            for old in entry.aliases:
                if old not in self._entries:
                    self.aliases.setdefault(old, name)

    @staticmethod
    def ambiguous(claimed: list[Entry], rank: dict[str, int]) -> bool:
        """Whether sorted ``claimed`` has no winner: every claimant comes from an index,
        ``prefer`` names none of them, and the best index holds two distributions."""
        if any(e.provider.source not in INDEX_RANK for e in claimed):
            return False
        if any(normalize_name(e.provider.distribution) in rank for e in claimed):
            return False
        best = INDEX_RANK[claimed[0].provider.source]
        top = {
            normalize_name(e.provider.distribution)
            for e in claimed
            if INDEX_RANK[e.provider.source] == best
        }
        return len(top) > 1

    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self.aliases

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, name: str) -> Entry | None:
        """The entry of a registered name, or of the name an old name was renamed to."""
        entry = self._entries.get(name)
        if entry is None and name in self.aliases:
            return self._entries[self.aliases[name]]
        return entry

    def names(self) -> list[str]:
        return list(self._entries)

    def resolve(self, names: Iterable[str]) -> tuple[dict[str, Any], dict[str, str]]:
        """Import the targets of ``names`` that are registered.

        Returns ``(objects, failures)``: name -> object for what imported, and
        name -> reason for registered names whose target failed to import, or that
        several index-mapped distributions claim. Names not registered at all appear in
        neither. An old name (an alias) resolves to its new name's object, with a
        :class:`~layerhub.errors.RenamedObjectWarning` naming the new one.
        """
        objects: dict[str, Any] = {}
        failures: dict[str, str] = {}
        for name in names:
            entry = self.get(name)
            if entry is not None and entry.name != name:
                warnings.warn(
                    f"{name!r} is an old name of {entry.name!r} ({entry.describe_provider()}): "
                    f"loaded as {entry.name!r}; save the model again to write the new name",
                    RenamedObjectWarning,
                    stacklevel=2,
                )
            if entry is None:
                if name in self.unresolved:
                    failures[name] = self.unresolved[name].describe()
                continue
            try:
                objects[name] = entry.load()
            except PluginError as exc:
                failures[name] = str(exc)
        return objects, failures
