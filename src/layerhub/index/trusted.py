"""The user's trusted index: third-party distributions with no layerhub entry point.

``layerhub trust DIST`` introspects ``DIST`` in a child process
(:mod:`layerhub.kerasio.introspect`) and records every name it registers with Keras in
``trusted.json`` under the layerhub home (``LAYERHUB_HOME``, else the platform's user
data directory). From then on discovery maps those names to lazy targets, like a
plugin's. Only the user's explicit trust list (and the curated index) ever leads
layerhub to import a module of a package that is not a plugin: an archive naming a
module never does.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .. import settings
from ..errors import IndexFormatError, PluginWarning, TrustError
from ..names import normalize_name
from ..signals import ChildFailed
from .document import EMPTY, Index, check_index, document

__all__ = ["introspect_in_child", "save", "store_path", "trust", "trusted", "untrust"]

STORE_NAME = "trusted.json"
#: The module whose ``python -m`` run introspects distributions (it imports keras).
INTROSPECTION = "layerhub.kerasio.introspect"


def store_path() -> Path:
    """The trusted index file, under ``LAYERHUB_HOME`` or the user data directory."""
    return settings.user_dir(settings.HOME, "data") / STORE_NAME


def trusted() -> Index:
    """The trusted index (empty when nothing is trusted). A damaged file is ignored with
    a warning, so one bad edit never stops discovery."""
    path = store_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return EMPTY
    except OSError as exc:
        warnings.warn(f"layerhub: cannot read {path}: {exc}", PluginWarning, stacklevel=2)
        return EMPTY
    try:
        return Index.parse(data, str(path), validate=False)
    except IndexFormatError as exc:
        warnings.warn(f"layerhub: ignoring the trusted index: {exc}", PluginWarning, stacklevel=2)
        return EMPTY


def introspect_in_child(
    distributions: Sequence[str], *, path: Sequence[str] = (), timeout: float | None = None
) -> list[dict[str, Any]]:
    """What each of ``distributions`` registers with Keras, found in a child process
    (with ``path`` before ``sys.path``: where ``scripts/update_curated_index.py`` put them)."""
    from .. import child  # here, as in save: discovery imports this module for trusted()

    try:
        results: list[dict[str, Any]] = child.run(
            INTROSPECTION, distributions, path=path, timeout=timeout
        )
    except ChildFailed as exc:
        raise TrustError(f"introspecting {', '.join(distributions)} failed ({exc})") from None
    missing = [r["name"] for r in results if r.get("error")]
    if missing:
        raise TrustError(f"not installed in this environment: {', '.join(missing)}")
    return results


def trust(distributions: Sequence[str]) -> list[dict[str, Any]]:
    """Introspect ``distributions`` and save what they register; returns their records.

    A distribution that registers nothing is returned but not saved.
    """
    records = introspect_in_child(distributions)
    keep = [r for r in records if r["objects"]]
    if keep:
        save(keep, remove=())
    return records


def untrust(distributions: Iterable[str]) -> list[str]:
    """Forget ``distributions``; returns the names that were trusted."""
    wanted = {normalize_name(d) for d in distributions}
    removed = [d["name"] for d in trusted().distributions if normalize_name(d["name"]) in wanted]
    if removed:
        save([], remove=wanted)
    return removed


def save(records: Sequence[dict[str, Any]], remove: Iterable[str]) -> None:
    """Replace (or drop) records in the store, validated, written atomically."""
    from .. import atomic

    drop = {normalize_name(r["name"]) for r in records} | set(remove)
    kept = [d for d in trusted().distributions if normalize_name(d["name"]) not in drop]
    fields = ("name", "version", "source", "keras_version", "objects", "modules")
    new = [{k: r[k] for k in fields if k in r} for r in records]
    doc = document([*kept, *new])
    path = store_path()
    check_index(doc, str(path), TrustError)
    atomic.write_text(path, json.dumps(doc, indent=1) + "\n")
