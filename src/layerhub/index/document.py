"""The index document: which distributions provide which registered names.

One document format (``schemas/json/index.schema.json``) serves three indexes:

- the **curated** index shipped in ``data/curated_index.json`` (popular layer packages
  with no layerhub entry point, produced by ``layerhub trust`` introspection);
- the user's **trusted** index (:mod:`layerhub.index.trusted`), written by ``layerhub trust``;
- a **published** index written by ``layerhub index build`` beside a PEP 503
  repository, read through ``--index`` or ``LAYERHUB_INDEX``.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.parse
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from .. import data, settings
from ..errors import IndexFormatError, IndexUnavailableError
from ..names import normalize_name
from ..version import __version__

__all__ = [
    "EMPTY",
    "FORMAT",
    "INDEX_FILENAME",
    "Index",
    "check_index",
    "configured",
    "curated_index",
    "document",
    "fetch",
    "load",
]

FORMAT = 1
INDEX_FILENAME = "layerhub-index.json"
MAX_INDEX_BYTES = 64 * 1024 * 1024
#: What a failed validation says the document is not.
WHAT = "layerhub index"


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
    return {
        "format": FORMAT,
        "generator": f"layerhub {__version__}",
        **extra,
        "distributions": dists,
        "names": dict(sorted(names.items())),
    }


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
            check_index(doc, location, IndexFormatError)
        elif not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise IndexFormatError(f"{location}: not a {WHAT} (format {FORMAT})")
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

    def record(self, distribution: str, name: str) -> dict[str, Any] | None:
        """The object record (target, kind, summary...) of ``name`` in ``distribution``."""
        key = normalize_name(distribution)
        for dist in self.distributions:
            if normalize_name(dist["name"]) == key:
                return next((o for o in dist["objects"] if o["name"] == name), None)
        return None

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


def check_index(doc: Any, where: str, error: type[Exception]) -> None:
    """Raise ``error`` naming every way ``doc`` breaks the index schema.

    The validator is imported here, not at the top: discovery reads the curated and
    trusted indexes through this module without validating them.
    """
    from ..schemas.shipped import INDEX_SCHEMA
    from ..schemas.violations import require_valid

    require_valid(doc, INDEX_SCHEMA, where, WHAT, error)


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

    timeout = settings.number(settings.INDEX_TIMEOUT, 30)
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
    return Index.parse(
        data.read("data/curated_index.json"), "layerhub/data/curated_index.json", validate=False
    )


def configured() -> Index | None:
    """The index ``LAYERHUB_INDEX`` names, or ``None`` when it is unset."""
    source = settings.text(settings.INDEX)
    return load(source) if source else None
