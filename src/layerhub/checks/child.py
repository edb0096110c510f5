"""The fresh process of the save/load check: ``python -m layerhub.checks.child MANIFEST``.

Loads every archive listed in the manifest through :func:`layerhub.load_model` -- nothing
imports the plugins beforehand -- and computes what the parent computed before saving
(:func:`layerhub.checks.probe.outputs`). One process serves every object, so TensorFlow
is imported once per run, not per object. It replies (:func:`layerhub.child.reply`) with
each archive's loaded weight shapes, or the error that stopped it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .. import child
from ..kerasio.loading import load_model
from .config import brief
from .probe import outputs, weight_shapes

__all__ = ["compute", "main"]


def compute(item: dict[str, Any]) -> dict[str, Any]:
    # The schema is the ``schema`` check's business: a config that breaks it must fail
    # that check, not every check that saves and loads.
    model = load_model(item["archive"], validate=False)
    data = np.load(item["data"])
    x = [data[f"x.{i}"] for i in range(item["inputs"])]
    x = x[0] if item["single_input"] else x
    y = data["y"] if item["trains"] else None
    np.savez(item["outputs"], **outputs(model, x, y, trains=item["trains"]))
    layer = model.get_layer(item["layer"]) if item["layer"] else None
    return {"weights": weight_shapes(layer) if layer is not None else None}


def main(manifest: str) -> int:
    items = json.loads(Path(manifest).read_text())
    results = {}
    for key, item in items.items():
        try:
            results[key] = compute(item)
        except Exception as exc:
            results[key] = {"error": brief(exc)}
    child.reply(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
