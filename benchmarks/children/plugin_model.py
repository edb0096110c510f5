"""Build the whole-load benchmark's model: ``DEPTH`` layers, every other one a plugin layer.

    python benchmarks/children/plugin_model.py DEPTH OUT.keras

Needs the ``bench_layers`` plugin (``synth.layer_plugin``) on ``PYTHONPATH``. Measures
nothing: it only saves the model with Keras.
"""

import sys

import bench_layers.layers as L
import keras

depth, path = int(sys.argv[1]), sys.argv[2]
x = inputs = keras.Input((16,))
for i in range(depth):
    if i % 2:
        x = getattr(L, f"Block{(i // 2) % 20}")(16, name=f"b{i}")(x)
    else:
        x = keras.layers.Dense(16, name=f"d{i}")(x)
keras.Model(inputs, x).save(path)
