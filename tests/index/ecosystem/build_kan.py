"""Child: a tiny model of ``tfkan.layers.DenseKAN``, from whichever distribution ships
``tfkan``.

argv: the folder and the file stem. Saves ``STEM.keras``, its inputs and predictions.
"""

import sys
from pathlib import Path

import keras
import numpy as np
from tfkan.layers import DenseKAN

out, stem = Path(sys.argv[1]), sys.argv[2]
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), DenseKAN(3)])
inputs = np.random.default_rng(0).random((2, 4), dtype="float32")
np.save(out / f"{stem}.in.npy", inputs)
np.save(out / f"{stem}.out.npy", keras.ops.convert_to_numpy(model(inputs)))
model.save(out / f"{stem}.keras")
