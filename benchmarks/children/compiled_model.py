"""Build a small compiled model: ``DEPTH`` Dense(16) layers, ``PLUGINS`` plugin layers.

    python benchmarks/children/compiled_model.py DEPTH PLUGINS OUT.keras [UNITS [trained]]

With ``PLUGINS`` > 0 the plugin ``Block`` layers are spread evenly among the Dense
layers and the model is compiled with the plugin's ``BenchLoss`` and an Adam whose
learning rate is the plugin's ``BenchSchedule`` (so ``PLUGINS`` + 2 plugin objects);
with 0 it is compiled with Keras's own Adam and mean squared error. ``UNITS`` (16) is
the width of every layer. With ``trained``, the model is fit for one epoch on random
data before it is saved, so the archive holds the optimizer's slots (Adam's moments)
and step count, as a model saved after training does. Needs the
``bench_layers`` plugin (``synth.layer_plugin``) on ``PYTHONPATH`` in the first case.
Measures nothing: it only saves the model with Keras.
"""

import sys

import keras

depth, plugins, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
units = int(sys.argv[4]) if len(sys.argv) > 4 else 16
trained = sys.argv[5:] == ["trained"]
every = depth // plugins if plugins else 0
x = inputs = keras.Input((units,))
for i in range(depth):
    x = keras.layers.Dense(units, name=f"d{i}")(x)
    if every and i % every == every - 1 and i // every < plugins:
        import bench_layers.layers as L

        x = getattr(L, f"Block{(i // every) % 20}")(units, name=f"b{i}")(x)
model = keras.Model(inputs, x)
if plugins:
    import bench_layers.layers as L

    model.compile(optimizer=keras.optimizers.Adam(L.BenchSchedule()), loss=L.BenchLoss())
else:
    model.compile(optimizer="adam", loss="mse")
if trained:
    import numpy as np

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, units)), rng.normal(size=(64, units))
    model.fit(x.astype("float32"), y.astype("float32"), batch_size=32, epochs=1, verbose=0)
model.save(path)
