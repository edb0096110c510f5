"""What ``layerhub search QUERY`` finds: registered names from everything layerhub knows.

The sources, in the order a tie is broken: installed plugins and indexed distributions
(the registry), then the trusted index, the curated index and ``LAYERHUB_INDEX`` for what
is not installed. A query matches a registered name, the class (or function) name of its
target, its module path, or its one-line summary, case-insensitively; results rank
exact, then prefix, then substring, then summary matches. Nothing is imported: an
installed plugin's summary is the one its index record holds, if any.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from ..index.document import Index, configured, curated_index
from ..index.trusted import trusted
from ..names import normalize_name
from .discovery import get_registry

__all__ = ["RANKS", "Match", "search"]

#: How a result matched, best first.
RANKS = ("exact", "prefix", "substring", "summary")


class Match(NamedTuple):
    """One registered name a query found, with who provides it and how to get it."""

    name: str
    rank: str
    kind: str
    distribution: str
    version: str
    source: str  # entry-point, trusted, curated, index
    installed: bool
    target: str
    summary: str = ""
    conformance: str = ""  # pass, fail, not tried (an index's record); "" unrecorded
    index_url: str = ""  # the PEP 503 repository of a published index that holds it

    @property
    def install(self) -> str:
        """The line that installs it (``pip install DIST``, from its index's repository)."""
        where = f"--extra-index-url {self.index_url} " if self.index_url else ""
        return f"pip install {where}{self.distribution}"

    def as_dict(self) -> dict[str, Any]:
        return {**self._asdict(), "install": self.install}


def rank(query: str, name: str, target: str, summary: str) -> int | None:
    """The index into :data:`RANKS` of how ``query`` (lower case) matches, or ``None``."""
    module, _, attr = target.partition(":")
    short = name.rpartition(">")[2]
    words = [w.lower() for w in (name, short, attr.rpartition(".")[2]) if w]
    if query in words:
        return 0
    if any(w.startswith(query) for w in words) or module.lower().startswith(query):
        return 1
    if any(query in w for w in (*words, module.lower())):
        return 2
    return 3 if query in summary.lower() else None


def search(query: str, index: Index | None = None) -> list[Match]:
    """Every registered name matching ``query``, best first (see the module docstring).

    ``index`` is the published index to search besides the shipped ones (by default
    the one ``LAYERHUB_INDEX`` names).
    """
    needle = query.strip().lower()
    if not needle:
        return []
    found: dict[tuple[str, str], tuple[int, Match]] = {}

    def offer(rank_: int | None, match: Match) -> None:
        key = (match.name, normalize_name(match.distribution))
        if rank_ is not None and key not in found:
            found[key] = (rank_, match._replace(rank=RANKS[rank_]))

    indexes = {"trusted": trusted(), "curated": curated_index()}
    for entry in get_registry():
        provider = entry.provider
        record = record_of(indexes.values(), provider.distribution, entry.name)
        summary = record.get("summary", "")
        offer(
            rank(needle, entry.name, entry.target_path, summary),
            Match(
                entry.name,
                "",
                record.get("kind", ""),
                provider.distribution,
                provider.version,
                provider.source.value,
                True,
                entry.target_path,
                summary,
                record.get("conformance", ""),
            ),
        )
    published = index if index is not None else configured()
    sources = [*indexes.items(), *([("index", published)] if published else [])]
    for source, idx in sources:
        for dist in idx.distributions:
            for obj in dist["objects"]:
                summary = obj.get("summary", "")
                offer(
                    rank(needle, obj["name"], obj["target"], summary),
                    Match(
                        obj["name"],
                        "",
                        obj.get("kind", ""),
                        dist["name"],
                        dist["version"],
                        source,
                        False,
                        obj["target"],
                        summary,
                        obj.get("conformance", "not tried"),
                        (idx.simple_url or "") if source == "index" else "",
                    ),
                )
    ordered = sorted(
        found.values(), key=lambda r: (r[0], not r[1].installed, r[1].name.lower(), r[1].source)
    )
    return [match for _, match in ordered]


def record_of(indexes: Iterable[Index], distribution: str, name: str) -> Mapping[str, Any]:
    """The first index record of ``name`` in ``distribution`` (``{}`` when none has one)."""
    for index in indexes:
        record = index.record(distribution, name)
        if record is not None:
            return record
    return {}
