"""The fresh process of the save/load check: ``python -m layerhub.checks.child MANIFEST``.

Loads every archive listed in the manifest through :func:`layerhub.load_model` -- nothing
imports the plugins beforehand -- and computes what the parent computed before saving.
One process serves every object, so TensorFlow is imported once per run, not per object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np


def compute(item: dict[str, Any]) -> dict[str, Any]:
    import keras

    import layerhub

    from .probe import SEED, flat, weight_shapes

    # The schema is the ``schema`` check's business: a config that breaks it must fail
    # that check, not every check that saves and loads.
    model = layerhub.load_model(item["archive"], validate=False)
    data = np.load(item["data"])
    x = [data[f"x.{i}"] for i in range(item["inputs"])]
    x = x[0] if item["single_input"] else x
    outputs = {f"predict.{i}": a for i, a in enumerate(flat(model.predict(x, verbose=0)))}
    if item["trains"]:
        y = data["y"]
        results = model.evaluate(x, y, verbose=0, return_dict=True)
        outputs.update({f"evaluate.{k}": np.asarray(v) for k, v in sorted(results.items())})
        keras.utils.set_random_seed(SEED)
        model.train_on_batch(x, y)
        outputs["after_step"] = np.asarray(model.predict(x, verbose=0))
    np.savez(item["outputs"], **outputs)
    layer = model.get_layer(item["layer"]) if item["layer"] else None
    return {"weights": weight_shapes(layer) if layer is not None else None}


def main(manifest: str) -> int:
    from .config import brief

    items = json.loads(Path(manifest).read_text())
    results = {}
    for key, item in items.items():
        try:
            results[key] = compute(item)
        except Exception as exc:
            results[key] = {"error": brief(exc)}
    Path(manifest).with_suffix(".results.json").write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
