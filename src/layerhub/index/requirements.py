"""What to ``pip install`` for a name nothing installed provides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .document import Index, configured, curated_index
from .manifest import recorded_requirements


def requirements_for(
    names: Iterable[str],
    manifest: Mapping[str, Any] | None = None,
    index: Index | None = None,
) -> dict[str, str]:
    """name -> what to ``pip install`` for it: the archive's manifest (the exact
    ``dist==version`` that saved it), else the curated index, else ``index`` (by
    default the one ``LAYERHUB_INDEX`` names, read only if still needed)."""
    recorded = recorded_requirements(manifest)
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
