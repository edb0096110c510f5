"""In-process load times of one model: raw weights read, Keras's load, layerhub's load.

    python benchmarks/children/load_times.py MODEL.keras RUNS

One warm-up of each (imports, discovery, page cache), then ``RUNS`` rounds of the three
in an order that flips every round. The raw read is
``zipfile.ZipFile(path).read("model.weights.h5")``. Prints the three medians as JSON.

Each time runs until the backend has finished what the call queued: JAX dispatches
asynchronously, and ``keras.saving.load_model`` on JAX returns while the initializers
of its 500 MB of weights still run on XLA's threads for over a second, which would be
charged to whichever load is timed next (the three are timed in one process).
"""

import json
import statistics
import sys
import time
import zipfile

import keras

import layerhub

path, runs = sys.argv[1], int(sys.argv[2])


def settle():
    """Wait for the work the backend has queued (JAX runs it in order, so one tiny
    computation waited on comes after all of it); other backends return when done."""
    if keras.backend.backend() == "jax":
        import jax.numpy as jnp

        (jnp.zeros(()) + 1).block_until_ready()


def clock(fn):
    start = time.perf_counter()
    fn()
    settle()
    return time.perf_counter() - start


def raw():
    return zipfile.ZipFile(path).read("model.weights.h5")


def plain():
    return keras.saving.load_model(path)


def fast():
    return layerhub.load_model(path)


for fn in (raw, plain, fast):
    fn()  # warm: imports, discovery, page cache
    settle()
times = {"raw": [], "keras": [], "layerhub": []}
for i in range(runs):  # the order flips every run, so drift in the machine's load hits all
    order = [("raw", raw), ("keras", plain), ("layerhub", fast)]
    for name, fn in order if i % 2 == 0 else order[::-1]:
        times[name].append(clock(fn))
print(json.dumps({k: statistics.median(v) for k, v in times.items()}))
