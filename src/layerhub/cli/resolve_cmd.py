"""``layerhub resolve FILE [--index PATH_OR_URL] [--install] [--json]``: the requirement
lines a saved model needs, one per line, usable as a requirements file: from its
provenance manifest, else what installed provides each name (``dist==version``), else the
trusted and curated indexes, else ``--index`` / ``LAYERHUB_INDEX``; ``--install`` hands
the ones not installed to pip (using the index's own repository)."""

from __future__ import annotations

import argparse
import subprocess
import sys

from .output import emit_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("resolve", help="print (or install) the packages a model file needs")
    parser.add_argument(
        "file", metavar="FILE", help="a .keras, .h5, unzipped .keras model or hf://owner/name[@REV]"
    )
    parser.add_argument(
        "--index",
        metavar="PATH_OR_URL",
        help="a layerhub index: JSON file, site directory or URL (default: $LAYERHUB_INDEX)",
    )
    parser.add_argument("--install", action="store_true", help="pip install the requirements")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..archive.reader import read_archive
    from ..archive.sources import is_hub
    from ..index import document
    from ..index.manifest import check_manifest, recorded_requirements
    from ..index.requirements import hints_for
    from ..plugins.discovery import get_registry
    from ..references.walk import custom_references

    archive = read_archive(args.file, weights=False)
    check_manifest(archive.manifest, archive.path)  # a damaged manifest is bad input
    wanted = {r.name: r.module for r in custom_references(archive.config)}
    index = document.load(args.index) if args.index else document.configured()
    recorded = recorded_requirements(archive.manifest)
    installed = {
        name: requirement
        for name, module in wanted.items()
        if name not in recorded and (requirement := installed_requirement(name, module))
    }
    missing = [(n, m) for n, m in wanted.items() if n not in installed]
    hints = hints_for(missing, archive.manifest, index=index or document.EMPTY)
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
    to_install = list(dict.fromkeys(h.requirement for h in hints.values() if h.requirement))
    simple = index.simple_url if index else None
    command = [sys.executable, "-m", "pip", "install"]
    command += ["--index-url", simple] if simple else []
    command += to_install
    report = {
        "file": archive.path,  # hf://owner/name@<commit sha> for a Hub repository
        "commit": archive.path.rpartition("@")[2] if is_hub(args.file) else None,
        # where the model had been loaded from when it was saved (its manifest's record)
        "loaded_from": (archive.manifest or {}).get("source"),
        "requirements": [{"requirement": r, "names": n} for r, n in requirements.items()],
        "installed": sorted(set(installed.values())),
        "unresolved": sorted(unresolved),
        "pip": command if args.install and to_install else None,
    }
    if not args.json:
        if report["commit"]:
            print(f"layerhub: {archive.path}", file=sys.stderr)
        for requirement in requirements:
            print(requirement)
        for name, why in unresolved.items():
            print(f"layerhub: {name!r}: {why}", file=sys.stderr)
    status = 1 if unresolved else 0
    if args.install and to_install:
        if not args.json:
            print("running: " + " ".join(command), file=sys.stderr)
        proc = subprocess.run(command, stdout=sys.stderr)
        report["pip_exit"] = proc.returncode
        if proc.returncode != 0:
            print(f"layerhub: pip failed (exit {proc.returncode})", file=sys.stderr)
            status = 1
    if args.json:
        emit_json(report)
    return status


def installed_requirement(name: str, module: str | None) -> str | None:
    """``dist==version`` of what installed provides ``name``: a plugin, a trusted or
    curated distribution (by name, or by the module prefix of an unregistered class), or
    the Keras library (``keras_hub``...) its module is under."""
    from ..index.installed import installed_distribution, module_provider
    from ..plugins.discovery import get_discovery, get_registry
    from ..references.keras_names import keras_library, library_distribution

    library = keras_library(module)
    if library:
        found = installed_distribution(library_distribution(library))
        return f"{found[0]}=={found[1]}" if found else None
    entry = get_registry().get(name)
    if entry is not None:
        return entry.provider.requirement
    provider = module_provider(get_discovery().indexed, module)  # an unregistered class
    return f"{provider.distribution}=={provider.version}" if provider else None
