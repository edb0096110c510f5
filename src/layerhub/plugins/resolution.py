"""What a saved model needs installed: the requirement lines of ``layerhub resolve``.

For each custom name a model's config references: what installed provides it
(``dist==version``: a plugin, a trusted or curated distribution, or the Keras library its
module is under), else what the indexes name (:func:`layerhub.index.requirements.hints_for`:
the model's provenance manifest, the trusted and curated indexes, ``--index`` or
``LAYERHUB_INDEX``), else why nothing does. And layerhub itself, ``layerhub>=`` the
running version, whenever a name is not Keras's nor a Keras library's: loading the model
then needs layerhub (its plugins, its analysis), at least as new as the one that resolved
it; a newer one reads everything an older one wrote. Plugins are pinned (``==``) because
their code builds the model; layerhub only finds that code.

:func:`Resolution.lines` are the lines ``layerhub resolve`` prints and
:func:`layerhub.requirements` returns: one resolution, for a file or a model in memory.

It lives here, not in :mod:`layerhub.index`, because "what installed provides a name" is
the registry's answer (discovery, with its unresolved names and the module prefixes of
indexed distributions), and ``index`` sits below ``plugins``: the index's part, the hints,
stays in ``index``. Reads the file's config, never its weights; imports no keras.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..archive.reader import read_archive
from ..archive.sources import is_hub
from ..errors import MissingObject, MissingObjectsError
from ..index import document
from ..index.installed import installed_distribution, module_provider
from ..index.manifest import check_manifest, recorded_requirements
from ..index.requirements import hints_for
from ..references.keras_names import keras_library, library_distribution
from ..references.walk import custom_references
from ..version import __version__
from .discovery import get_discovery, get_registry

__all__ = ["LOADER", "Resolution", "installed_requirement", "resolve", "resolve_config"]

#: The requirement line of layerhub itself (see the module docstring).
LOADER = f"layerhub>={__version__}"


@dataclass(frozen=True)
class Resolution:
    """What one model file needs: ``requirements`` (each line -> the names it provides,
    in the config's order; :data:`LOADER` last, providing none), the ones already
    ``installed``, the names nothing resolves, each with its first location and why
    (``unresolved``), and what ``pip`` would install (``to_install``, from the index's
    own repository ``index_url`` when it has one)."""

    file: str  #: hf://owner/name@<commit sha> for a Hub repository
    commit: str | None
    loaded_from: Any  #: where the model was loaded from when saved (its manifest's record)
    requirements: dict[str, list[str]]
    installed: list[str]
    unresolved: dict[str, MissingObject]
    to_install: list[str]
    index_url: str | None = None

    @property
    def lines(self) -> list[str]:
        """The requirement lines, as ``layerhub resolve`` prints them."""
        return list(self.requirements)

    def raise_for_unresolved(self) -> None:
        """Raise :class:`~layerhub.MissingObjectsError` naming every name nothing resolves."""
        if self.unresolved:
            raise MissingObjectsError(self.unresolved.values(), self.file)

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


def resolve(path: str, index: str | None = None, provided: Collection[str] = ()) -> Resolution:
    """What the model at ``path`` (a ``.keras``, ``.h5``, model directory or
    ``hf://owner/name[@REV]``) needs installed; ``index`` is a layerhub index (JSON file,
    site directory or URL) asked last, by default the one ``LAYERHUB_INDEX`` names; the
    names in ``provided`` (the caller's own objects) need nothing.

    A damaged provenance manifest is bad input (:class:`~layerhub.errors.CorruptArchiveError`),
    as is an index that cannot be read.
    """
    archive = read_archive(path, weights=False)
    check_manifest(archive.manifest, archive.path)
    commit = archive.path.rpartition("@")[2] if is_hub(path) else None
    return resolve_config(
        archive.config,
        archive.manifest,
        documents=archive.documents,
        file=archive.path,
        commit=commit,
        index=index,
        provided=provided,
    )


def resolve_config(
    config: Mapping[str, Any],
    manifest: Mapping[str, Any] | None = None,
    *,
    documents: Iterable[tuple[str, Any]] = (),
    file: str = "",
    commit: str | None = None,
    index: str | None = None,
    provided: Collection[str] = (),
) -> Resolution:
    """What a model whose saved config is ``config`` (and, for a KerasHub preset, its
    other serialized ``documents``) needs installed (see :func:`resolve`): the one
    resolution of a file and of a model in memory (whose ``manifest`` is the one a save
    would write)."""
    references = [r for r in custom_references(config, documents) if r.name not in provided]
    wanted = {r.name: r.module for r in references}
    found = document.load(index) if index else document.configured()
    recorded = recorded_requirements(manifest)
    installed = {
        name: requirement
        for name, module in wanted.items()
        if name not in recorded and (requirement := installed_requirement(name, module))
    }
    missing = [(n, m) for n, m in wanted.items() if n not in installed]
    hints = hints_for(missing, manifest, index=found or document.EMPTY)
    registry = get_registry()
    requirements: dict[str, list[str]] = {}
    for name in wanted:
        hint = hints.get(name)
        requirement = installed.get(name) or (hint.requirement if hint else None)
        if requirement:
            requirements.setdefault(requirement, []).append(name)
    if any(keras_library(module) is None for module in wanted.values()):
        requirements[LOADER] = []  # a name only layerhub resolves: the loader itself
    first = {r.name: r.pointer for r in reversed(references)}
    unresolved = {
        name: MissingObject(
            name,
            first[name],
            (registry.unresolved[name].describe() if name in registry.unresolved else "")
            or (hints[name].note if name in hints else "no index knows who provides it"),
        )
        for name in wanted
        if name not in installed and not (name in hints and hints[name].requirement)
    }
    return Resolution(
        file=file,
        commit=commit,
        loaded_from=(manifest or {}).get("source"),
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
