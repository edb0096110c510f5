"""Child: load each named model with layerhub alone; compare with the saving process.

argv: folder, model names. Prints one JSON object: per model ``identical`` and the
loaded model's class module, or the ``MissingObjectsError`` and its requirements; and
``preimported``, the Keras and package modules already imported before any load.
"""

import json
import sys
from pathlib import Path

import numpy as np

import layerhub

WATCHED = ("keras", "tensorflow", "keras_hub", "keras_rs", "tcn", "keras_efficient_kan", "kimm")
folder, names = Path(sys.argv[1]), sys.argv[2:]
report = {"preimported": sorted(m for m in sys.modules if m.split(".")[0] in WATCHED)}
for name in names:
    try:
        model = layerhub.load_model(folder / f"{name}.keras")
    except layerhub.MissingObjectsError as exc:
        requirements = sorted({str(m.requirement) for m in exc.missing})
        report[name] = {"error": str(exc), "requirements": requirements}
        continue
    import keras

    inputs = np.load(folder / f"{name}.in.npy", allow_pickle=True)
    inputs = inputs.item() if inputs.dtype == object else inputs
    expected = np.load(folder / f"{name}.out.npy", allow_pickle=True)
    expected = keras.tree.flatten(expected.item() if expected.dtype == object else expected)
    got = [keras.ops.convert_to_numpy(x) for x in keras.tree.flatten(model(inputs))]
    same = len(got) == len(expected) and all(map(np.array_equal, got, expected))
    report[name] = {"identical": bool(same), "class": type(model).__module__}
print(json.dumps(report))
