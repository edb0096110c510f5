"""``layerhub export FILE OUT``: resolve a saved model's plugins, then ``model.export``.

The artifact needs neither layerhub nor the plugins to serve: a TensorFlow SavedModel
holds the traced forward pass. Formats other than ``tf_saved_model`` work where their
dependency is installed; where it is not, the command says what to install (exit 2)
before loading anything.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..kerasio.export import FORMATS, export_model
from .output import emit_json

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export", help="export a saved model for serving (plugins resolved)")
    parser.add_argument("file", help="a .keras archive (zip or directory) or a legacy .h5 model")
    parser.add_argument("out", help="where to write the artifact")
    parser.add_argument(
        "--format", default="tf_saved_model", choices=sorted(FORMATS), help="(default: %(default)s)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    result = export_model(args.file, Path(args.out), args.format, overwrite=args.overwrite)
    if args.json:
        emit_json(result)
    else:
        print(f"exported {args.file} ({result['model']}) as {args.format} to {args.out}")
    return 0
