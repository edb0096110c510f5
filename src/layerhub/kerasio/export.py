"""``layerhub export``: resolve a saved model's plugins, then ``model.export``.

The artifact needs neither layerhub nor the plugins to serve: a TensorFlow SavedModel
holds the traced forward pass. Formats other than ``tf_saved_model`` work where their
dependency is installed; where it is not, the error says what to install, before
anything is loaded.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from ..errors import ExportError, MissingDependencyError
from .loading import load_model

__all__ = ["FORMATS", "export_model"]

#: export format -> (module it needs, what to pip-install). Keras names the formats.
#: TensorFlow is an extra of layerhub's (``pip install layerhub`` leaves it out).
FORMATS = {
    "tf_saved_model": ("tensorflow", "'layerhub[tensorflow]'"),
    "onnx": ("onnx", "onnx tf2onnx"),
    "openvino": ("openvino", "openvino"),
    "litert": ("tensorflow", "'layerhub[tensorflow]'"),
}
#: What each format is called in an error message.
TITLES = {"tf_saved_model": "a SavedModel", "litert": "LiteRT"}


def check_dependency(export_format: str) -> None:
    module, install = FORMATS[export_format]
    if importlib.util.find_spec(module) is None:
        what = TITLES.get(export_format, f"format {export_format!r}")
        needs = "TensorFlow" if module == "tensorflow" else f"the {module!r} package"
        raise MissingDependencyError(
            f"export to {what} needs {needs}, which is not installed: pip install {install}"
        )


def check_output(out: Path, overwrite: bool) -> None:
    if out.exists() and not overwrite and (out.is_file() or any(out.iterdir())):
        raise ExportError(f"{out} exists and is not empty (pass --overwrite to replace it)")


def export_model(
    filepath: str | os.PathLike[str], out: Path, export_format: str, *, overwrite: bool = False
) -> dict[str, Any]:
    """Load ``filepath`` through layerhub and export it to ``out``; returns what was done."""
    check_dependency(export_format)
    check_output(out, overwrite)
    model = load_model(filepath, compile=False)
    try:
        model.export(str(out), format=export_format, verbose=False)
    except ImportError as exc:  # a dependency of the format's converter (e.g. tf2onnx)
        raise MissingDependencyError(
            f"export format {export_format!r} needs a package that is not installed: {exc}"
        ) from exc
    import keras

    return {
        "file": os.fspath(filepath),
        "output": str(out),
        "format": export_format,
        "model": model.name,
        "backend": keras.backend.backend(),
    }
