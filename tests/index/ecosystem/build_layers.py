"""Child: tiny models of four indexed layer packages, saved with plain ``model.save``.

argv: the folder. Saves ``NAME.keras``, its inputs and predictions; prints name -> file.
"""

import json
import sys
from pathlib import Path

import keras
import keras_rs
import kimm
import numpy as np
from keras_efficient_kan import KANLinear
from tcn import TCN

out = Path(sys.argv[1])
keras.utils.set_random_seed(0)
x = keras.Input((4,))
models = {
    "keras-rs": keras.Model(x, keras_rs.layers.FeatureCross()(x, x)),
    "keras-tcn": keras.Sequential(
        [keras.Input((8, 3)), TCN(nb_filters=4, kernel_size=2, dilations=[1, 2])]
    ),
    "keras-efficient-kan": keras.Sequential([keras.Input((4,)), KANLinear(3)]),
    "kimm": kimm.models.MobileNetV3W050Small(
        weights=None, input_shape=(32, 32, 3), num_classes=3, include_preprocessing=False
    ),
}
report = {}
for name, model in models.items():
    inputs = np.random.default_rng(0).random((2, *model.input_shape[1:]), dtype="float32")
    np.save(out / f"{name}.in.npy", inputs)
    np.save(out / f"{name}.out.npy", keras.ops.convert_to_numpy(model(inputs)))
    model.save(out / f"{name}.keras")
    report[name] = str(out / f"{name}.keras")
print(json.dumps(report))
