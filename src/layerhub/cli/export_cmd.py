"""``layerhub export FILE OUT``: resolve a saved model's plugins, then ``model.export``.

The artifact needs neither layerhub nor the plugins to serve: a TensorFlow SavedModel
holds the traced forward pass. Formats other than ``tf_saved_model`` work where their
dependency is installed; where it is not, the command says what to install (exit 2)
before loading anything.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from ..errors import ExportError, MissingDependencyError
from .output import emit_json

#: export format -> (module it needs, what to pip-install). Keras names the formats.
FORMATS = {
    "tf_saved_model": ("tensorflow", "tensorflow"),
    "onnx": ("onnx", "onnx tf2onnx"),
    "openvino": ("openvino", "openvino"),
    "litert": ("tensorflow", "tensorflow"),
}


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


def check_dependency(export_format: str) -> None:
    module, install = FORMATS[export_format]
    if importlib.util.find_spec(module) is None:
        raise MissingDependencyError(
            f"export format {export_format!r} needs the {module!r} package, which is not "
            f"installed: pip install {install}"
        )


def check_output(out: Path, overwrite: bool) -> None:
    if out.exists() and not overwrite and (out.is_file() or any(out.iterdir())):
        raise ExportError(f"{out} exists and is not empty (pass --overwrite to replace it)")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    check_dependency(args.format)
    check_output(out, args.overwrite)

    from ..loading import load_model

    model = load_model(args.file, compile=False)
    try:
        model.export(str(out), format=args.format, verbose=False)
    except ImportError as exc:  # a dependency of the format's converter (e.g. tf2onnx)
        raise MissingDependencyError(
            f"export format {args.format!r} needs a package that is not installed: {exc}"
        ) from exc
    import keras

    result = {
        "file": args.file,
        "output": str(out),
        "format": args.format,
        "model": model.name,
        "backend": keras.backend.backend(),
    }
    if args.json:
        emit_json(result)
    else:
        print(f"exported {args.file} ({model.name}) as {args.format} to {out}")
    return 0
