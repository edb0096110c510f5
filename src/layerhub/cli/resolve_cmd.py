"""``layerhub resolve FILE [--index PATH_OR_URL] [--install]``: the requirement lines a saved
model needs, from its provenance manifest, else the curated index, else ``--index`` /
``LAYERHUB_INDEX``; ``--install`` hands them to pip (using the index's own repository)."""

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
    from ..index.manifest import check_manifest
    from ..index.requirements import requirements_for
    from ..plugins.discovery import get_registry
    from ..references.walk import custom_references

    archive = read_archive(args.file, weights=False)
    check_manifest(archive.manifest, archive.path)  # a damaged manifest is bad input
    names = list(dict.fromkeys(r.name for r in custom_references(archive.config)))
    index = document.load(args.index) if args.index else document.configured()
    found = requirements_for(names, archive.manifest, index=index or document.EMPTY)
    registry = get_registry()
    unresolved = [n for n in names if n not in found and n not in registry]
    requirements: dict[str, list[str]] = {}
    for name, requirement in found.items():
        requirements.setdefault(requirement, []).append(name)
    simple = index.simple_url if index else None
    command = [sys.executable, "-m", "pip", "install"]
    command += ["--index-url", simple] if simple else []
    command += list(requirements)
    report = {
        "file": archive.path,  # hf://owner/name@<commit sha> for a Hub repository
        "commit": archive.path.rpartition("@")[2] if is_hub(args.file) else None,
        # where the model had been loaded from when it was saved (its manifest's record)
        "loaded_from": (archive.manifest or {}).get("source"),
        "requirements": [{"requirement": r, "names": n} for r, n in requirements.items()],
        "installed_only": [n for n in names if n not in found and n in registry],
        "unresolved": unresolved,
        "pip": command if args.install and requirements else None,
    }
    if not args.json:
        if report["commit"]:
            print(f"layerhub: {archive.path}", file=sys.stderr)
        for requirement in requirements:
            print(requirement)
        for name in unresolved:
            print(f"layerhub: no index knows who provides {name!r}", file=sys.stderr)
    status = 1 if unresolved else 0
    if args.install and requirements:
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
