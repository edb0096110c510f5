"""The names a plugin wheel provides, read without installing it and without keras.

``layerhub index build`` must say which registered names each wheel provides. The only
source of truth is the plugin's own ``layerhub_register`` hook, so :func:`wheel_names`
unpacks the wheel into a temporary directory and runs ``python -m
layerhub.publish.wheelnames DIR`` in a child process (:mod:`layerhub.child`), which:

- puts ``DIR`` first on ``sys.path`` and reads the wheel's ``layerhub`` entry points,
  and its static declaration (``layerhub.objects`` and companions: read, never run;
  an alias is indexed as a name of its own, with its new name's target);
- imports each entry-point module and calls its hook against a recording registry,
  through the same code path as discovery (:func:`layerhub.plugins.discovery.discover`);
- refuses any import of keras, tensorflow, jax or torch (the plugin contract says the
  hook module stays light; a hook that needs them fails with a clear error).

So the code that runs is exactly the plugin's entry-point module and its hook, never its
layers. Targets are recorded as written (``module:attr``), not imported.
"""

from __future__ import annotations

import importlib.abc
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import importlib_metadata

from .. import child, settings
from ..errors import IndexBuildError
from ..plugins.discovery import discover, static_registrations
from ..plugins.registrar import PluginRegistrar
from ..plugins.registry import ENTRY_POINT_GROUP, OBJECTS_GROUP, STATIC_GROUPS, Provider
from ..schemas.refs import schema_sha256
from ..signals import ChildFailed

__all__ = ["wheel_names"]

BLOCKED = frozenset({"keras", "tensorflow", "jax", "torch"})


class BlockHeavyImports(importlib.abc.MetaPathFinder):
    """Make ``import keras`` (and friends) fail while a plugin's hook runs."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname.partition(".")[0] in BLOCKED:
            raise ImportError(
                f"{fullname!r} may not be imported by a plugin's entry-point module or hook "
                "(layerhub reads a wheel's names without keras)"
            )


def wheel_names(wheel: Path) -> list[dict[str, Any]]:
    """Entry-point records (index ``distribution`` objects) for the plugins in ``wheel``.

    An empty list when the wheel declares no ``layerhub`` entry point and no
    ``layerhub.objects``.
    """
    with tempfile.TemporaryDirectory(prefix="layerhub-wheel-") as tmp:
        unpacked = Path(tmp) / "site"
        try:
            with zipfile.ZipFile(wheel) as zf:
                zf.extractall(unpacked)  # zipfile drops absolute paths and '..' parts
        except (zipfile.BadZipFile, OSError) as exc:
            raise IndexBuildError(f"{wheel.name}: not a readable wheel ({exc})") from None
        env = {
            settings.DISABLE_PLUGIN_AUTOLOAD: "1",
            settings.DISABLE_CURATED: "1",
            settings.HOME: str(Path(tmp) / "home"),
            settings.STRICT: "1",
        }
        try:
            return child.run(__name__, [str(unpacked)], env=env)
        except ChildFailed as exc:
            raise IndexBuildError(f"{wheel.name}: cannot read its layerhub names ({exc})") from None


def read_unpacked(site: str) -> list[dict[str, Any]]:
    """Child side: run the hooks of the distribution unpacked in ``site``."""
    sys.meta_path.insert(0, BlockHeavyImports())
    sys.path.insert(0, site)
    records = []
    for dist in importlib_metadata.distributions(path=[site]):
        eps = [ep for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP]
        groups: dict[str, dict[str, str]] = {}
        for ep in dist.entry_points:
            if ep.group in STATIC_GROUPS:
                groups.setdefault(ep.group, {})[ep.name] = ep.value
        if not eps and not groups:
            continue
        plugins = [(Provider(dist.name, dist.version, ep.name), ep.load()) for ep in eps]
        entries = {e.name: e for e in discover(plugins, strict=True).registry} if plugins else {}
        if groups:  # the declaration wins over the hook, as in discovery
            registrar = PluginRegistrar(Provider(dist.name, dist.version, OBJECTS_GROUP))
            problems = static_registrations(registrar, groups)
            if problems:
                raise IndexBuildError(f"{dist.name}: {'; '.join(problems)}")
            entries.update((e.name, e) for e in registrar.entries)
        # An old name (alias) is indexed as a name of its own, with the new one's target,
        # so that a file saved under it says which distribution to install.
        rows = [(e.name, e) for e in entries.values()]
        rows += [(old, e) for e in entries.values() for old in e.aliases if old not in entries]
        objects = [
            {"name": name, "target": e.target_path, "schema_sha256": schema_sha256(e.schema)}
            for name, e in sorted(rows, key=lambda row: row[0])
        ]
        record = {"name": dist.name, "version": dist.version, "source": "entry-point"}
        records.append({**record, "objects": objects})
    return records


if __name__ == "__main__":
    child.reply(read_unpacked(sys.argv[1]))
