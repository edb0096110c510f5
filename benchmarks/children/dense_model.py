"""Build the fast-load benchmark's model: ``DEPTH`` square Dense layers of ``WIDTH`` units.

    python benchmarks/children/dense_model.py WIDTH DEPTH OUT.keras

Measures nothing: it only saves the model with Keras.
"""

import sys

import keras

width, depth, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
x = inputs = keras.Input((width,))
for _ in range(depth):
    x = keras.layers.Dense(width)(x)
keras.Model(inputs, x).save(path)
