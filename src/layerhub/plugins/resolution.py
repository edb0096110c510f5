"""What a saved model needs installed: the requirement lines of ``layerhub resolve``.

For each custom name a model's config references: what installed provides it
(``dist==version``: a plugin, a trusted or curated distribution, or the Keras library its
module is under), else what the indexes name (:func:`layerhub.index.requirements.hints_for`:
the model's provenance manifest, the trusted and curated indexes, ``--index`` or
``LAYERHUB_INDEX``), else why nothing does.

It lives here, not in :mod:`layerhub.index`, because "what installed provides a name" is
the registry's answer (discovery, with its unresolved names and the module prefixes of
indexed distributions), and ``index`` sits below ``plugins``: the index's part, the hints,
stays in ``index``. Reads the file's config, never its weights; imports no keras.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from ..archive.reader import read_archive
from ..archive.sources import is_hub
from ..index import document
from ..index.installed import installed_distribution, module_provider
from ..index.manifest import check_manifest, recorded_requirements
from ..index.requirements import hints_for
from ..references.keras_names import keras_library, library_distribution
from ..references.walk import custom_references
from .discovery import get_discovery, get_registry

__all__ = ["Resolution", "installed_requirement", "resolve"]


@dataclass(frozen=True)
class Resolution:
    """What one model file needs: ``requirements`` (each line -> the names it provides,
    in the config's order), the ones already ``installed``, the names nothing resolves
    with why (``unresolved``), and what ``pip`` would install (``to_install``, from the
    index's own repository ``index_url`` when it has one)."""

    file: str  #: hf://owner/name@<commit sha> for a Hub repository
    commit: str | None
    loaded_from: Any  #: where the model was loaded from when saved (its manifest's record)
    requirements: dict[str, list[str]]
    installed: list[str]
    unresolved: dict[str, str]
    to_install: list[str]
    index_url: str | None = None

    @property
    def pip_command(self) -> list[str]:
        """The ``pip install`` command for :attr:`to_install`, with this interpreter."""
        command = [sys.executable, "-m", "pip", "install"]
        command += ["--index-url", self.index_url] if self.index_url else []
        return command + self.to_install

    def as_dict(self, install: bool = False) -> dict[str, Any]:
        """The ``--json`` report; ``pip`` is the command when ``install`` runs one."""
        return {
            "file": self.file,
            "commit": self.commit,
            "loaded_from": self.loaded_from,
            "requirements": [{"requirement": r, "names": n} for r, n in self.requirements.items()],
            "installed": self.installed,
            "unresolved": sorted(self.unresolved),
            "pip": self.pip_command if install and self.to_install else None,
        }


def resolve(path: str, index: str | None = None) -> Resolution:
    """What the model at ``path`` (a ``.keras``, ``.h5``, model directory or
    ``hf://owner/name[@REV]``) needs installed; ``index`` is a layerhub index (JSON file,
    site directory or URL) asked last, by default the one ``LAYERHUB_INDEX`` names.

    A damaged provenance manifest is bad input (:class:`~layerhub.errors.CorruptArchiveError`),
    as is an index that cannot be read.
    """
    archive = read_archive(path, weights=False)
    check_manifest(archive.manifest, archive.path)
    wanted = {r.name: r.module for r in custom_references(archive.config, archive.documents)}
    found = document.load(index) if index else document.configured()
    recorded = recorded_requirements(archive.manifest)
    installed = {
        name: requirement
        for name, module in wanted.items()
        if name not in recorded and (requirement := installed_requirement(name, module))
    }
    missing = [(n, m) for n, m in wanted.items() if n not in installed]
    hints = hints_for(missing, archive.manifest, index=found or document.EMPTY)
    registry = get_registry()
    requirements: dict[str, list[str]] = {}
    for name in wanted:
        hint = hints.get(name)
        requirement = installed.get(name) or (hint.requirement if hint else None)
        if requirement:
            requirements.setdefault(requirement, []).append(name)
    unresolved = {
        name: (registry.unresolved[name].describe() if name in registry.unresolved else "")
        or (hints[name].note if name in hints else "no index knows who provides it")
        for name in wanted
        if name not in installed and not (name in hints and hints[name].requirement)
    }
    return Resolution(
        file=archive.path,
        commit=archive.path.rpartition("@")[2] if is_hub(path) else None,
        loaded_from=(archive.manifest or {}).get("source"),
        requirements=requirements,
        installed=sorted(set(installed.values())),
        unresolved=unresolved,
        to_install=list(dict.fromkeys(h.requirement for h in hints.values() if h.requirement)),
        index_url=found.simple_url if found else None,
    )


def installed_requirement(name: str, module: str | None) -> str | None:
    """``dist==version`` of what installed provides ``name``: a plugin, a trusted or
    curated distribution (by name, or by the module prefix of an unregistered class), or
    the Keras library (``keras_hub``...) its module is under."""
    library = keras_library(module)
    if library:
        found = installed_distribution(library_distribution(library))
        return f"{found[0]}=={found[1]}" if found else None
    entry = get_registry().get(name)
    if entry is not None:
        return entry.provider.requirement
    provider = module_provider(get_discovery().indexed, module)  # an unregistered class
    return f"{provider.distribution}=={provider.version}" if provider else None
