"""What discovery found, kept on disk, so a process need not import every plugin again.

Why: discovery imports each plugin's hook module and runs its hook. With hundreds of
plugins that costs ~10x listing their entry points (benchmarks/findings.md), on every
``import layerhub`` that loads a model. Hooks are declarative by contract, so what they
register is a function of the plugin's files: recorded once, replayed while those
files are unchanged.

What the record depends on, checked on every use (``os.stat`` and ``os.listdir``
only, no import):

- *which* entry points exist: ``sys.path`` itself, the names of the distribution
  metadata directories in each of its entries (what pip adds or removes), and the
  stat of each plugin distribution's metadata files (``entry_points.txt`` and
  ``METADATA``: a reinstall writes new ones, ``pip install -e`` of a legacy egg-info
  rewrites them in place);
- *what one plugin registers*: the stat of every module file of the plugin's
  top-level package loaded when its hook ran, so an edit to an editable plugin's
  source shows at once.

Static declarations (``layerhub.objects`` and companions) are entry points like the
rest: their points are recorded and replayed, and need no record of what they register
(nothing ran to register it).

Never recorded: plugins that failed (retried and warned about on every run), plugins
whose hook warned, plugins that register objects instead of lazy ``"module:attr"``
targets, schemas that are not JSON. ``LAYERHUB_NO_CACHE=1`` turns the cache off;
``LAYERHUB_CACHE_DIR`` moves it (default: the platform's user cache directory). A
damaged, foreign or unwritable cache is ignored: the worst case is a discovery as
slow as with no cache at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from .. import settings
from ..version import __version__

__all__ = ["FORMAT", "DiscoveryCache", "Point", "environment", "fresh"]

FORMAT = 3
#: The entry-point group of hooks (registry.ENTRY_POINT_GROUP); only hooks have records.
HOOK_GROUP = "layerhub"

Stamp = list[int] | None
#: What importlib.metadata looks for in a ``sys.path`` directory.
METADATA_SUFFIXES = (".dist-info", ".egg-info", ".egg")


class Point(NamedTuple):
    """One entry point of a ``layerhub`` group, as much as discovery needs of it.

    ``files`` are the distribution's metadata directory, then the files in it whose
    stats vouch for the rest (the directory's own replacement shows in its parent's).
    ``group`` is ``layerhub`` (a hook) or one of the static groups (``layerhub.objects``...).
    """

    distribution: str
    version: str
    name: str
    value: str
    files: tuple[str, ...]
    group: str = "layerhub"  # HOOK_GROUP

    @property
    def key(self) -> str:
        return f"{self.files[0] if self.files else '?'}#{self.name}={self.value}"

    @property
    def package(self) -> str:
        """The top-level package of the hook module: its modules vouch for the hook."""
        return self.value.partition(":")[0].strip().partition(".")[0]


def points_json(points: Iterable[Point]) -> list[Any]:
    """``points`` grouped by distribution, each one's identity and files written once
    (a static declaration has an entry point per name: thousands with many plugins).
    Discovery lists a distribution's points together, sharing one ``files`` tuple."""
    grouped: list[Any] = []
    files: tuple[str, ...] | None = None
    rows: list[list[str]] = []
    for p in points:
        if p.files is not files or not grouped or grouped[-1][:2] != [p.distribution, p.version]:
            files, rows = p.files, []
            grouped.append([p.distribution, p.version, list(files), rows])
        rows.append([p.group, p.name, p.value])
    return grouped


def points_from_json(data: list[Any]) -> list[Point]:
    return [
        Point(distribution, version, name, value, tuple(files), group)
        for distribution, version, files, rows in data
        for group, name, value in rows
    ]


def stamp(path: str) -> Stamp:
    """What changes when ``path`` changes: mtime, size and inode; ``None`` if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def environment() -> list[Any]:
    """Everything outside the plugins' own files that decides which entry points exist."""
    paths = [os.path.abspath(p or os.curdir) for p in sys.path if isinstance(p, str)]
    kinds = [f if isinstance(f, type) else type(f) for f in sys.meta_path]
    # layerhub's own finder (activation's after-import hooks) finds nothing itself: an
    # activated process shares the record of one that is not
    finders = [
        f"{kind.__module__}.{kind.__qualname__}"
        for kind in kinds
        if not kind.__module__.startswith("layerhub.")
    ]
    return [sys.version, __version__, finders, [[p, distributions_in(p)] for p in paths]]


def distributions_in(path: str) -> int | Stamp:
    """A fingerprint of the distributions a ``sys.path`` entry holds: their metadata
    directory names (a directory's other files, a model saved into the working
    directory say, change nothing), or the stamp of a zip file."""
    try:
        names = os.listdir(path)
    except NotADirectoryError:
        return stamp(path)
    except OSError:
        return None
    found = sorted(n for n in names if n.lower().endswith(METADATA_SUFFIXES))
    return zlib.crc32("\0".join(found).encode())


def module_stamps(packages: Iterable[str]) -> dict[str, list[list[Any]]]:
    """Every loaded module of each top-level package, with its file's stamp."""
    wanted = set(packages)
    stamps: dict[str, list[list[Any]]] = {package: [] for package in wanted}
    for name, module in list(sys.modules.items()):
        top = name.partition(".")[0]
        file = getattr(module, "__file__", None) if top in wanted else None
        if isinstance(file, str):
            stamps[top].append([file, stamp(file)])
    return {package: sorted(found) for package, found in stamps.items()}


def fresh(stamps: Iterable[list[Any]]) -> bool:
    return all(stamp(path) == recorded for path, recorded in stamps)


class DiscoveryCache:
    """The record of one interpreter's discovery: entry points and what each registered."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self._data = data
        self._environment = environment()
        self._records: dict[str, Any] = dict(data.get("records") or {})
        self._installed: dict[str, Any] = dict(data.get("installed") or {})
        self._changed = False

    @classmethod
    def open(cls) -> DiscoveryCache:
        """The cache of this interpreter."""
        identity = f"{sys.executable}\0{sys.prefix}\0{sys.version}"
        name = f"discovery-{zlib.crc32(identity.encode()):08x}.json"
        path = settings.user_dir(settings.CACHE_DIR, "cache") / name
        try:
            data = json.loads(path.read_bytes())
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                data = {}
        except (OSError, ValueError):
            data = {}
        return cls(path, data)

    def points(self) -> list[Point] | None:
        """The recorded entry points, if neither the environment nor their metadata changed."""
        try:
            if self._data.get("environment") == self._environment and fresh(
                self._data["point_stamps"]
            ):
                return points_from_json(self._data["points"])
        except (KeyError, TypeError, ValueError):
            pass
        self._changed = True  # the caller scans again; the new list is worth keeping
        self._installed = {}  # which distributions are installed may have changed too
        return None

    def installed(
        self, name: str, find: Callable[[str], tuple[str, str] | None]
    ) -> tuple[str, str] | None:
        """``find(name)`` (an installed distribution's name and version), remembered
        while the environment is unchanged. Call after :meth:`points`."""
        if name not in self._installed:
            self._installed[name] = find(name)
            self._changed = True
        found = self._installed[name]
        return (found[0], found[1]) if isinstance(found, list | tuple) else None

    def record(self, point: Point) -> list[list[Any]] | None:
        """The registrations ``point`` made when last imported, if its files are unchanged."""
        record = self._records.get(point.key)
        try:
            if record is None or not fresh(record["modules"]):
                return None
            entries = record["entries"]
            if not all(isinstance(e, list) and len(e) == 6 for e in entries):
                return None
        except (KeyError, TypeError, ValueError):
            return None
        return entries

    def remember(self, point: Point, entries: Iterable[Any]) -> None:
        """Record what ``point`` registered (name, target, schema, example, estimate, aliases)."""
        rows = [[e.name, e.target, e.schema, e.example, e.estimate, e.aliases] for e in entries]
        if not all(isinstance(row[1], str) for row in rows):
            return
        # Names and targets are strings: only the other values need JSON's verdict.
        others = [v for row in rows for v in row[2:] if not (v is None or isinstance(v, str))]
        try:
            if others:
                json.dumps(others)
        except (TypeError, ValueError):
            return
        self._records[point.key] = {"entries": rows, "package": point.package}
        self._changed = True

    def save(self, points: list[Point]) -> None:
        """Write the record back if anything changed; a failure only costs speed."""
        if not self._changed or any(not point.files for point in points):
            return
        keys = {point.key for point in points if point.group == HOOK_GROUP}
        new = {k: r for k, r in self._records.items() if k in keys and "package" in r}
        stamps = module_stamps(r["package"] for r in new.values())
        for record in new.values():
            record["modules"] = stamps[record.pop("package")]
        data = {
            "format": FORMAT,
            "environment": self._environment,
            "points": points_json(points),
            "point_stamps": [
                [f, stamp(f)] for f in dict.fromkeys(f for p in points for f in p.files[1:])
            ],
            "records": {k: v for k, v in self._records.items() if k in keys},
            "installed": self._installed,
        }
        from .. import atomic  # here: most discoveries replay the record and write nothing

        # The record is ours and acyclic (remember() checked every plugin value), so
        # JSON's circularity check, half the cost of dumps, is skipped. Not flushed to
        # disk: after a crash a damaged record is rebuilt, a stale one fails its stamps.
        with contextlib.suppress(OSError, ValueError, RecursionError):
            text = json.dumps(data, separators=(",", ":"), check_circular=False)
            atomic.write_text(self.path, text, durable=False)
