"""The index: which distribution provides each Keras registered name.

One document format (``schemas/index.schema.json``) serves three indexes:

- the **curated** index shipped in ``data/curated_index.json`` (popular layer packages
  with no layerhub entry point, produced by :mod:`layerhub.introspect`);
- the user's **trusted** index (:mod:`layerhub.trust`), written by ``layerhub trust``;
- a **published** index written by ``layerhub index build`` beside a PEP 503
  repository, read through ``--index`` or ``LAYERHUB_INDEX``.

Curated and trusted entries of *installed* distributions join discovery
(:func:`installed_entries`) as lazy entries, exactly like a plugin's: their targets are
imported only when a model needs them. Nothing here imports keras.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from . import package_data
from .errors import IndexFormatError, IndexUnavailableError
from .keras_builtins import shadows_builtin
from .registry import Entry, Provider, normalize_name

FORMAT = 1
INDEX_VAR = "LAYERHUB_INDEX"
TIMEOUT_VAR = "LAYERHUB_INDEX_TIMEOUT"
INDEX_FILENAME = "layerhub-index.json"
MAX_INDEX_BYTES = 64 * 1024 * 1024
CURATED = "<curated>"
TRUSTED = "<trusted>"


def document(distributions: Iterable[Mapping[str, Any]], **extra: Any) -> dict[str, Any]:
    """An index document: ``distributions`` plus the ``names`` map derived from them."""
    dists = sorted(
        (dict(d) for d in distributions), key=lambda d: (normalize_name(d["name"]), d["version"])
    )
    names: dict[str, list[dict[str, str]]] = {}
    for dist in dists:
        for obj in dist["objects"]:
            names.setdefault(obj["name"], []).append(
                {"distribution": dist["name"], "version": dist["version"]}
            )
    from . import __version__

    return {
        "format": FORMAT,
        "generator": f"layerhub {__version__}",
        **extra,
        "distributions": dists,
        "names": dict(sorted(names.items())),
    }


def check(doc: Any, filename: str, where: str, error: type[Exception]) -> None:
    """Validate ``doc`` against a shipped schema; ``error`` names the first violation."""
    from jsonschema.exceptions import best_match

    from .schemas import shipped_validator

    problem = best_match(shipped_validator(filename).iter_errors(doc))
    if problem is not None:
        pointer = "/" + "/".join(str(p) for p in problem.absolute_path)
        raise error(f"{where}: not a layerhub index ({problem.message} at {pointer})")


class Index(NamedTuple):
    """A loaded index document and where it came from (to resolve relative URLs)."""

    doc: dict[str, Any]
    location: str = ""

    @classmethod
    def parse(cls, data: bytes, location: str, validate: bool = True) -> Index:
        """Parse and (unless ``validate`` is false: files layerhub wrote and checked
        itself, read on the discovery path where importing jsonschema costs) validate."""
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise IndexFormatError(f"{location}: not valid JSON ({exc})") from None
        if validate:
            check(doc, "index.schema.json", location, IndexFormatError)
        elif not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise IndexFormatError(f"{location}: not a layerhub index (format {FORMAT})")
        return cls(doc, location)

    @property
    def distributions(self) -> list[dict[str, Any]]:
        return self.doc["distributions"]

    @property
    def simple_url(self) -> str | None:
        """Absolute URL of the PEP 503 repository the index describes, if any."""
        simple = self.doc.get("simple")
        if not simple:
            return None
        base = self.location if "://" in self.location else Path(self.location).as_uri()
        return urllib.parse.urljoin(base, simple)

    def providers(self, name: str) -> list[dict[str, str]]:
        return self.doc["names"].get(name, [])

    def requirement(self, name: str) -> str | None:
        """The requirement that provides ``name``: the distribution, pinned to its newest
        providing version unless every indexed version of it provides the name."""
        providers = self.providers(name)
        if not providers:
            return None
        dist = sorted(providers, key=lambda p: normalize_name(p["distribution"]))[0]
        key = normalize_name(dist["distribution"])
        providing = {p["version"] for p in providers if normalize_name(p["distribution"]) == key}
        indexed = {d["version"] for d in self.distributions if normalize_name(d["name"]) == key}
        if providing >= indexed or not all(providing):
            return dist["distribution"]
        from packaging.version import InvalidVersion, Version

        def newest(version: str) -> tuple[int, Version | str]:
            try:
                return (1, Version(version))
            except InvalidVersion:
                return (0, version)

        return f"{dist['distribution']}=={max(providing, key=newest)}"


#: An index that knows no names.
EMPTY = Index(document([]), "<empty>")


def load(source: str | os.PathLike[str]) -> Index:
    """An index from a JSON file, a site directory, or an http(s)/file URL of either.

    A site (directory or URL not ending in ``.json``) holds :data:`INDEX_FILENAME`.
    Network and file failures raise :class:`IndexUnavailableError` in one line.
    """
    text = os.fspath(source)
    scheme = urllib.parse.urlsplit(text).scheme
    if scheme in ("http", "https", "file"):
        url = text if text.endswith(".json") else text.rstrip("/") + "/" + INDEX_FILENAME
        return Index.parse(fetch(url), url)
    if len(scheme) > 1:
        raise IndexUnavailableError(f"{text}: unsupported index URL scheme {scheme!r}")
    path = Path(text)
    if path.is_dir():
        path = path / INDEX_FILENAME
    try:
        with path.open("rb") as f:
            data = f.read(MAX_INDEX_BYTES + 1)
    except OSError as exc:
        raise IndexUnavailableError(f"cannot read index {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_INDEX_BYTES:
        raise IndexFormatError(f"{path}: over {MAX_INDEX_BYTES} bytes")
    return Index.parse(data, str(path.resolve()))


def fetch(url: str) -> bytes:
    """The bytes at ``url`` (bounded); urllib is imported here, off the discovery path."""
    import urllib.error
    import urllib.request

    timeout = float(os.environ.get(TIMEOUT_VAR) or 30)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read(MAX_INDEX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise IndexUnavailableError(
            f"cannot fetch index {url}: HTTP {exc.code} {exc.reason}"
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise IndexUnavailableError(f"cannot fetch index {url}: {reason}") from None
    if len(data) > MAX_INDEX_BYTES:
        raise IndexFormatError(f"{url}: over {MAX_INDEX_BYTES} bytes")
    return data


@functools.cache
def curated_index() -> Index:
    """The index shipped with layerhub (see ``scripts/update_curated_index.py``)."""
    data = package_data.read("data/curated_index.json")
    return Index.parse(data, "layerhub/data/curated_index.json", validate=False)


def configured() -> Index | None:
    """The index ``LAYERHUB_INDEX`` names, or ``None`` when it is unset."""
    source = os.environ.get(INDEX_VAR, "").strip()
    return load(source) if source else None


# -- installed index: curated and trusted entries of installed distributions -----------
class IndexedDistribution(NamedTuple):
    """An installed distribution whose names come from an index, not from an entry point."""

    provider: Provider
    source: str  # "trusted" or "curated"
    indexed_version: str
    names: tuple[str, ...]


def installed_distribution(name: str) -> tuple[str, str] | None:
    """``(name, version)`` of the installed distribution ``name``, or ``None``."""
    import importlib_metadata

    try:
        dist = importlib_metadata.distribution(name)
    except importlib_metadata.PackageNotFoundError:
        return None
    return dist.name, dist.version


def installed_entries(
    disabled: set[str],
    plugin_distributions: set[str],
    curated: bool = True,
    find: Callable[[str], tuple[str, str] | None] = installed_distribution,
) -> tuple[list[Entry], list[IndexedDistribution]]:
    """Lazy entries for every installed distribution the trusted or curated index maps.

    Trusted entries (the user's own introspection of what is installed) replace curated
    ones of the same distribution; a distribution that ships a layerhub entry point is
    left to its plugin; ``disabled`` (normalized names) are skipped. Reads metadata
    only: neither keras nor the distributions are imported.
    """
    from .trust import trusted

    entries: list[Entry] = []
    found: list[IndexedDistribution] = []
    seen = set(disabled) | set(plugin_distributions)
    sources = [("trusted", TRUSTED, trusted())]
    if curated:
        sources.append(("curated", CURATED, curated_index()))
    for source, marker, index in sources:
        for record in index.distributions:
            key = normalize_name(record["name"])
            if key in seen:
                continue
            found_dist = find(record["name"])
            if found_dist is None:
                continue
            seen.add(key)
            provider = Provider(*found_dist, marker)
            # Same rule as for plugins: an index may not take over a Keras built-in.
            objects = [o for o in record["objects"] if not shadows_builtin(o["name"])]
            entries.extend(Entry(o["name"], o["target"], provider) for o in objects)
            names = tuple(o["name"] for o in objects)
            found.append(IndexedDistribution(provider, source, record["version"], names))
    return entries, found


def record_of(entry: Entry) -> dict[str, Any] | None:
    """The index record (kind, summary...) behind a trusted or curated entry."""
    from .trust import trusted

    index = {TRUSTED: trusted, CURATED: curated_index}.get(entry.provider.plugin)
    if index is None:
        return None
    key = normalize_name(entry.provider.distribution)
    for dist in index().distributions:
        if normalize_name(dist["name"]) == key:
            return next((o for o in dist["objects"] if o["name"] == entry.name), None)
    return None


def requirements_for(
    names: Iterable[str],
    manifest: Mapping[str, Any] | None = None,
    index: Index | None = None,
) -> dict[str, str]:
    """name -> what to ``pip install`` for it: the archive's manifest (the exact
    ``dist==version`` that saved it), else the curated index, else ``index`` (by
    default the one ``LAYERHUB_INDEX`` names, read only if still needed)."""
    recorded: dict[str, str] = {}
    for obj in (manifest or {}).get("objects", ()):
        if isinstance(obj, Mapping) and isinstance(obj.get("distribution"), str):
            version = obj.get("version")
            recorded[obj["name"]] = (
                f"{obj['distribution']}=={version}" if version else obj["distribution"]
            )
    found: dict[str, str] = {}
    pending = []
    for name in dict.fromkeys(names):
        requirement = recorded.get(name) or curated_index().requirement(name)
        if requirement:
            found[name] = requirement
        else:
            pending.append(name)
    if pending and index is None:
        index = configured()
    for name in pending:
        requirement = index.requirement(name) if index else None
        if requirement:
            found[name] = requirement
    return found
