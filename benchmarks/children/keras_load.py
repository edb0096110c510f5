"""A whole process that loads one model with ``keras.saving.load_model``: timed from outside.

    python benchmarks/children/keras_load.py MODEL.keras

The reference for ``whole_load.py``: the model's plugin objects (``bench_layers``: 20
layer classes, a loss and a schedule) are passed as ``custom_objects``, as a user
without layerhub would.
"""

import sys

import bench_layers.layers as L
import keras

objects = {f"BenchLayers>Block{i}": getattr(L, f"Block{i}") for i in range(20)}
objects.update({f"BenchLayers>{n}": getattr(L, n) for n in ("BenchLoss", "BenchSchedule")})
keras.saving.load_model(sys.argv[1], custom_objects=objects)
