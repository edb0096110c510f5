"""In-process time of many loads of small models: layerhub's against Keras's.

    python benchmarks/children/many_loads.py LOADS ROUNDS MODEL.keras...

What a test suite, a model-zoo scan or a serving process that reloads does: ``LOADS``
loads cycling over the given models, timed as one block. One warm-up block of each
(imports, discovery, page cache), then ``ROUNDS`` blocks of each, alternately (the
order flips every round). Prints the two medians (seconds per block) as JSON.
"""

import itertools
import json
import statistics
import sys
import time

import keras

import layerhub

loads, rounds, paths = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]


def block(load):
    def run():
        start = time.perf_counter()
        for path in itertools.islice(itertools.cycle(paths), loads):
            load(path)
        return time.perf_counter() - start

    return run


candidates = {"layerhub": block(layerhub.load_model), "keras": block(keras.saving.load_model)}
for run in candidates.values():
    run()
times = {name: [] for name in candidates}
for i in range(rounds):
    order = list(candidates.items())
    for name, run in order if i % 2 == 0 else order[::-1]:
        times[name].append(run())
print(json.dumps({name: statistics.median(values) for name, values in times.items()}))
