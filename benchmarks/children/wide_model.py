"""Build the schema-validation benchmark's model: ``COUNT`` plugin layers in branches of 50.

    python benchmarks/children/wide_model.py COUNT OUT.keras

Needs the ``bench_layers`` plugin (``synth.layer_plugin``) on ``PYTHONPATH``. Measures
nothing: it only saves the model with Keras.
"""

import sys

import bench_layers.layers as L
import keras

count, path = int(sys.argv[1]), sys.argv[2]
inputs = keras.Input((4,))
branches = []
for b in range(0, count, 50):  # branches of 50: a 2,000-deep chain exceeds Python's recursion
    x = inputs
    for i in range(b, min(b + 50, count)):
        x = getattr(L, f"Block{i % 20}")(4, name=f"b{i}")(x)
    branches.append(x)
x = keras.layers.Concatenate()(branches) if len(branches) > 1 else branches[0]
keras.Model(inputs, x).save(path)
