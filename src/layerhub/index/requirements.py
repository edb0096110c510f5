"""What to ``pip install`` for a name nothing installed provides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from ..names import normalize_name
from ..references.keras_names import keras_library, library_distribution
from .document import Index, configured, curated_index
from .installed import installed_distribution, under
from .manifest import recorded_requirements
from .trusted import trusted

__all__ = ["Hint", "defines", "hints_for", "index_hint", "module_hint", "requirements_for"]


class Hint(NamedTuple):
    """What to install for one name (``None`` when the indexes cannot tell which of
    several distributions the model needs) and why, when that needs saying."""

    requirement: str | None
    note: str = ""


def requirements_for(
    names: Iterable[str | tuple[str, str | None]],
    manifest: Mapping[str, Any] | None = None,
    index: Index | None = None,
) -> dict[str, str]:
    """name -> what to ``pip install`` for it (see :func:`hints_for`)."""
    hints = hints_for(names, manifest, index)
    return {name: hint.requirement for name, hint in hints.items() if hint.requirement}


def hints_for(
    names: Iterable[str | tuple[str, str | None]],
    manifest: Mapping[str, Any] | None = None,
    index: Index | None = None,
) -> dict[str, Hint]:
    """name -> :class:`Hint` for each of ``names`` (a name, or ``(name, module)`` with the
    ``module`` its config names) that some source knows, in this order:

    1. the archive's ``manifest``: the exact ``dist==version`` that saved it;
    2. a Keras library (``keras_hub``...) the module is under: Keras imports it itself;
    3. the user's trusted index (``layerhub trust``), pinned to the version trusted, also
       once the distribution is uninstalled;
    4. the curated index, by registered name, else by the module prefixes of the classes
       a distribution defines without registering them;
    5. ``index`` (by default the one ``LAYERHUB_INDEX`` names, read only if still needed).

    A name several distributions of one index provide is a clash: the module narrows it
    down where it can; otherwise the hint names them all and installs none.
    """
    recorded = recorded_requirements(manifest)
    found: dict[str, Hint] = {}
    pending: dict[str, str | None] = {}
    for item in names:
        name, module = (item, None) if isinstance(item, str) else item
        if name in found or name in pending:
            continue
        library = keras_library(module)
        if name in recorded:
            found[name] = Hint(recorded[name])
        elif library:
            found[name] = Hint(library_distribution(library), f"{library} is a Keras library")
        else:
            hint = trusted_hint(name) or index_hint(curated_index(), name, module)
            if hint:
                found[name] = hint
            else:
                pending[name] = module
    if pending and index is None:
        index = configured()
    for name, module in pending.items():
        hint = index_hint(index, name, module) if index else None
        if hint:
            found[name] = hint
    return found


def trusted_hint(name: str) -> Hint | None:
    """The trusted distribution that provides ``name``, pinned to the version trusted."""
    index = trusted()
    providers = index.providers(name)
    if not providers:
        return None
    if len({normalize_name(p["distribution"]) for p in providers}) > 1:
        return clash(providers, "trusted")
    dist, version = providers[0]["distribution"], providers[0]["version"]
    note = "" if installed_distribution(dist) else "trusted, no longer installed"
    return Hint(f"{dist}=={version}" if version else dist, note)


def index_hint(index: Index, name: str, module: str | None) -> Hint | None:
    """What ``index`` says provides ``name`` (a clash narrowed down by ``module``), else
    the distribution whose module prefixes ``module`` is under."""
    providers = index.providers(name)
    dists = {normalize_name(p["distribution"]) for p in providers}
    if len(dists) > 1 and module:
        narrowed = [p for p in providers if defines(index, p["distribution"], name, module)]
        if len({normalize_name(p["distribution"]) for p in narrowed}) == 1:
            return Hint(narrowed[0]["distribution"])
    if len(dists) > 1:
        return clash(providers, "curated" if index is curated_index() else "")
    if providers:
        return Hint(index.requirement(name))
    if module:
        return module_hint(index, module)
    return None


def module_hint(index: Index, module: str) -> Hint | None:
    """The distribution whose module prefixes ``module`` is under; when several ship that
    import package (a package and its fork), a hint naming every one of them."""
    dists = sorted(
        {
            d["name"]
            for d in index.distributions
            if any(under(module, p) for p in d.get("modules", ()))
        },
        key=normalize_name,
    )
    if len(dists) == 1:
        return Hint(dists[0])
    if dists:
        package = module.partition(".")[0]
        return Hint(
            None,
            f"{' and '.join(dists)} {'both' if len(dists) == 2 else 'all'} ship the import "
            f"package {package!r}; "
            "install the one the model was saved with",
        )
    return None


def defines(index: Index, distribution: str, name: str, module: str) -> bool:
    record = index.record(distribution, name)
    return record is not None and record["target"].partition(":")[0] == module


def clash(providers: Iterable[Mapping[str, str]], source: str) -> Hint:
    dists = sorted({p["distribution"] for p in providers}, key=normalize_name)
    where = f" (in the {source} index)" if source else ""
    return Hint(
        None,
        f"a name clash{where}: {' and '.join(dists)} both provide it; "
        "install the one the model was saved with",
    )
