"""The registry: every custom object the installed plugins provide, imported lazily.

An :class:`Entry` maps a Keras registered name (``"Package>Name"``) to a lazy target
(``"module.path:attribute"``) and remembers which distribution provides it. Targets are
imported only when :meth:`Registry.resolve` is asked for their name.
"""

from __future__ import annotations

import functools
import importlib
import re
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from .errors import PluginError, PluginWarning
from .keras_builtins import shadows_builtin

#: A schema is a JSON Schema dict, or ``"package:relative/path.json"`` naming a JSON file
#: shipped inside a Python package (read with :mod:`importlib.resources`).
SchemaRef = Mapping[str, Any] | str
#: The one reference form for a schema file shipped in a plugin package.
PACKAGE_REF_RE = re.compile(
    r"^(?P<package>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<path>[\w.\-]+(?:/[\w.\-]+)*\.json)$"
)

USER_PROVIDER_NAME = "<user>"
#: The entry-point group plugins announce themselves in (re-exported by hookspecs; kept
#: here so that discovery can list entry points without importing pluggy).
ENTRY_POINT_GROUP = "layerhub"


class Provider(NamedTuple):
    """Who provides an entry: a distribution (by its metadata name) and its version."""

    distribution: str
    version: str
    plugin: str

    @property
    def requirement(self) -> str:
        return f"{self.distribution}=={self.version}" if self.version else self.distribution


USER_PROVIDER = Provider(USER_PROVIDER_NAME, "", USER_PROVIDER_NAME)


#: Serialises target imports so that each is imported once. One lock for every entry:
#: imports hold Python's import lock anyway, and a registry has thousands of entries.
_TARGET_IMPORT = threading.RLock()


class Entry:
    """One registered name, its lazy target and its provider.

    A plain class (registries hold thousands, and layerhub's start-up time matters):
    compared by identity, and weakly referenceable for the schema cache.
    """

    __slots__ = ("__weakref__", "_loaded", "example", "name", "provider", "schema", "target")

    def __init__(
        self,
        name: str,
        target: Any,
        provider: Provider,
        schema: SchemaRef | None = None,
        example: str | None = None,
    ) -> None:
        self.name, self.target, self.provider = name, target, provider
        self.schema, self.example = schema, example
        self._loaded: Any = None

    def __repr__(self) -> str:
        return f"Entry({self.name!r}, {self.target_path!r}, {self.provider.requirement!r})"

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


def ref_problem(schema: object) -> str | None:
    """What is wrong with the *form* of a registered schema, or ``None``.

    Cheap on purpose (no file is read, jsonschema is not imported): discovery calls it
    for every registration.
    """
    if isinstance(schema, Mapping):
        return None
    if not isinstance(schema, str):
        return f"must be a dict or 'package:path/inside/package.json', got {type(schema).__name__}"
    match = PACKAGE_REF_RE.match(schema)
    if match is None or ".." in match["path"].split("/"):
        return f"{schema!r} does not read 'package:path/inside/package.json'"
    return None


def check_target(target: Any) -> None:
    if isinstance(target, str):
        module_name, sep, attribute = target.partition(":")
        if not sep or not module_name or not attribute:
            raise ValueError(f"a lazy target must read 'module.path:attribute', got {target!r}")
    elif not callable(target):
        raise TypeError(f"a target must be 'module:attr' or a class/function, got {target!r}")


class Conflict(NamedTuple):
    """Several providers claim one name; ``chosen`` is the one in use."""

    name: str
    chosen: Provider
    others: tuple[Provider, ...]

    def describe(self) -> str:
        others = ", ".join(p.requirement for p in self.others)
        return (
            f"{self.name!r} is provided by {self.chosen.requirement} and {others}; "
            f"using {self.chosen.distribution} (set LAYERHUB_PREFER to choose another)"
        )


class PluginRegistrar:
    """What a plugin's ``layerhub_register`` hook receives: ``add`` for one provider."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.entries: list[Entry] = []

    def add(
        self,
        name: str,
        target: Any,
        *,
        schema: SchemaRef | None = None,
        example: str | None = None,
    ) -> None:
        """Register ``target`` under the Keras registered ``name``.

        ``schema`` is a JSON Schema for the object's ``get_config()``: a dict, or
        ``"package:path/inside/package.json"``. ``example`` optionally names a
        ``"module:function"`` taking no arguments and returning ``(instance,
        example_input)`` for the conformance checks (docs/conformance.md).
        """
        if not isinstance(name, str) or not name.strip():
            raise TypeError(f"a registered name must be a non-empty string, got {name!r}")
        check_target(target)
        problem = None if schema is None else ref_problem(schema)
        if problem:
            warnings.warn(
                f"layerhub plugin {self.provider.plugin!r} from {self.provider.requirement}: "
                f"the schema of {name!r} {problem}; its configs are not validated",
                PluginWarning,
                stacklevel=2,
            )
            schema = None
        if example is not None:
            check_target(example)
        if shadows_builtin(name):
            warnings.warn(
                f"layerhub plugin {self.provider.distribution!r} may not register {name!r}: "
                "it would shadow a Keras built-in; the registration is ignored",
                PluginWarning,
                stacklevel=2,
            )
            return
        self.entries.append(Entry(name, target, self.provider, schema, example))


class Registry:
    """Registered names -> entries, with conflicts resolved deterministically.

    When several providers claim one name, the first distribution listed in
    ``prefer`` wins, else the alphabetically first distribution; the conflict is kept
    in :attr:`conflicts` and reported with a warning.
    """

    def __init__(self, entries: Iterable[Entry] = (), prefer: Iterable[str] = ()) -> None:
        rank = {normalize_name(d): i for i, d in enumerate(prefer)}
        candidates: dict[str, list[Entry]] = {}
        for entry in entries:
            candidates.setdefault(entry.name, []).append(entry)
        self._entries: dict[str, Entry] = {}
        self.conflicts: list[Conflict] = []
        for name, claimed in sorted(candidates.items()):
            self._entries[name] = claimed[0]
            if len(claimed) == 1:  # the usual case: nothing to rank
                continue
            claimed.sort(
                key=lambda e: (
                    rank.get(normalize_name(e.provider.distribution), len(rank)),
                    normalize_name(e.provider.distribution),
                    e.provider.plugin,
                )
            )
            self._entries[name] = claimed[0]
            providers = {e.provider for e in claimed[1:]} - {claimed[0].provider}
            if providers:
                self.conflicts.append(
                    Conflict(name, claimed[0].provider, tuple(sorted(providers, key=str)))
                )

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, name: str) -> Entry | None:
        return self._entries.get(name)

    def names(self) -> list[str]:
        return list(self._entries)

    def resolve(self, names: Iterable[str]) -> tuple[dict[str, Any], dict[str, str]]:
        """Import the targets of ``names`` that are registered.

        Returns ``(objects, failures)``: name -> object for what imported, and
        name -> reason for registered names whose target failed to import. Names not
        registered at all appear in neither.
        """
        objects: dict[str, Any] = {}
        failures: dict[str, str] = {}
        for name in names:
            entry = self._entries.get(name)
            if entry is None:
                continue
            try:
                objects[name] = entry.load()
            except PluginError as exc:
                failures[name] = str(exc)
        return objects, failures


@functools.lru_cache(maxsize=4096)
def normalize_name(name: str) -> str:
    """PEP 503 normalisation, so ``Acme_Blocks`` and ``acme-blocks`` are one distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()
