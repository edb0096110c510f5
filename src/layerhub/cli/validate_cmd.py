"""``layerhub validate FILE...``: check saved models against every schema, without keras.

Each file's config is read (never its weights) and checked against layerhub's schemas
for ``config.json``, ``metadata.json`` and layerhub's provenance manifest
(``layerhub.json``), and every plugin object's config against its plugin's schema.
Exit 0 when every file is valid, 1 when any has a violation, 2 when any file cannot be
read at all (that file is reported, the others are still checked). With
``--changed-files`` (pre-commit), the files are those a commit changes: a file inside a
model directory or preset stands for that directory, validated once, and files that
hold no model config (weights-only files, other JSON) are left out, as ``scan`` does.
"""

from __future__ import annotations

import argparse
from collections import Counter

from ..archive.weights_file import weights_format
from ..plugins.validation import FileResult, validate_file
from ..safety.tree import find_artifacts
from .output import emit_json

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate",
        help="check saved models against layerhub's and the plugins' schemas",
        description=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help=".keras, .h5, model dir or hf://..."
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--changed-files",
        action="store_true",
        help="the FILEs are files a commit changes (pre-commit): a file inside a model "
        "directory stands for the directory, files that hold no model are left out",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    files = args.files
    if args.changed_files:
        changed = find_artifacts(files, changed=True).artifacts
        files = [path for path in changed if weights_format(path) is None]
    results = [validate_file(path) for path in files]
    if args.json:
        emit_json({"valid": all(r.valid for r in results), "files": [r.as_dict() for r in results]})
    else:
        for result in results:
            print_result(result)
    if any(r.error for r in results):
        return 2
    return 0 if all(r.valid for r in results) else 1


def print_result(result: FileResult) -> None:
    if result.error:
        print(f"{result.path}: unusable\n  {result.error}")
        return
    counts = f"{result.checked} plugin object(s) checked, {len(result.unchecked)} unchecked"
    verdict = "valid" if result.valid else f"{len(result.violations)} violation(s)"
    print(f"{result.path}: {verdict} ({counts})")
    for violation in result.violations:
        print(f"  {violation.describe()}")
    reasons = Counter((u.name, u.reason) for u in result.unchecked)
    for (name, reason), count in reasons.items():
        times = f" ({count} places)" if count > 1 else ""
        print(f"  unchecked: {name!r}{times}: {reason}")
