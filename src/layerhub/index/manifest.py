"""The provenance manifest (``layerhub.json``) a model saved by layerhub carries.

:func:`layerhub.kerasio.provenance.add_manifest` writes it: for each custom object the
registered name, the distribution and version that provided it, and the sha256 of its
config schema; plus the layerhub, keras and backend versions. Reading it needs no keras:
:func:`check_manifest` validates it and warns about providers installed at another
major version, and :func:`recorded_requirements` names the exact ``dist==version`` to
install when a provider is missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from ..archive.layout import MANIFEST_MEMBER
from ..errors import CorruptArchiveError, ProvenanceWarning
from ..schemas.shipped import MANIFEST_SCHEMA
from ..schemas.violations import require_valid

__all__ = ["FORMAT", "check_manifest", "major", "recorded_requirements"]

FORMAT = 1


def check_manifest(manifest: Mapping[str, Any] | None, source: str = "") -> None:
    """Validate ``manifest`` and warn for each provider installed at another major version."""
    if manifest is None:
        return
    import importlib_metadata

    where = f"{source}!{MANIFEST_MEMBER}" if source else MANIFEST_MEMBER
    require_valid(manifest, MANIFEST_SCHEMA, where, "layerhub manifest", CorruptArchiveError)
    providers: dict[tuple[str, str], list[str]] = {}
    for obj in manifest["objects"]:
        if obj.get("distribution") and obj.get("version"):
            providers.setdefault((obj["distribution"], obj["version"]), []).append(obj["name"])
    for (dist, recorded), names in providers.items():
        try:
            installed = importlib_metadata.version(dist)
        except importlib_metadata.PackageNotFoundError:
            continue  # missing providers surface as MissingObjectsError, with the requirement
        if major(installed) != major(recorded):
            shown = ", ".join(repr(n) for n in names[:3]) + (" ..." if len(names) > 3 else "")
            warnings.warn(
                f"layerhub: {source or 'the model'} was saved with {dist}=={recorded} "
                f"providing {len(names)} object(s) ({shown}), but {dist} {installed} is "
                f"installed (another major version); to load it as saved: "
                f"pip install '{dist}=={recorded}'",
                ProvenanceWarning,
                stacklevel=3,
            )


def recorded_requirements(manifest: Mapping[str, Any] | None) -> dict[str, str]:
    """name -> ``dist==version`` for every object the manifest says a distribution provided."""
    recorded: dict[str, str] = {}
    for obj in (manifest or {}).get("objects", ()):
        if isinstance(obj, Mapping) and isinstance(obj.get("distribution"), str):
            version = obj.get("version")
            recorded[obj["name"]] = (
                f"{obj['distribution']}=={version}" if version else obj["distribution"]
            )
    return recorded


def major(version: str) -> int | str:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version).major
    except InvalidVersion:
        return version
