"""In-process time of the safety check ``load_model`` runs before Keras, against Keras's load.

    python benchmarks/children/load_check.py MODEL.keras RUNS

With the registry discovered and the allow-list read first (neither is timed): one
warm-up of each, then ``RUNS`` rounds, in an order that flips every round, of
``read_archive`` alone, ``read_archive`` + ``analyze`` (the walk and the policy findings;
schema validation has its own figures) and ``keras.saving.load_model`` of the same file
with its 20 plugin classes as ``custom_objects``. Prints the medians as JSON, and whether
keras was imported before Keras's own load (the check must not import it).
"""

import importlib
import json
import statistics
import sys
import time

from layerhub.archive.reader import read_archive
from layerhub.plugins.allowlist import AllowList
from layerhub.plugins.discovery import get_registry
from layerhub.safety.scan import analyze

path, runs = sys.argv[1], int(sys.argv[2])
registry, policy = get_registry(), AllowList.load()


def clock(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def read():
    return read_archive(path)


def check():
    return analyze(read_archive(path), registry, policy, schemas=False)


read()
findings = check()
keras_imported = "keras" in sys.modules
keras = importlib.import_module("keras")
layers = importlib.import_module("bench_layers.layers")
custom_objects = {f"BenchLayers>Block{i}": getattr(layers, f"Block{i}") for i in range(20)}


def plain():
    return keras.saving.load_model(path, custom_objects=custom_objects)


plain()
times = {"read": [], "check": [], "keras": []}
for i in range(runs):
    order = [("read", read), ("check", check), ("keras", plain)]
    for name, fn in order if i % 2 == 0 else order[::-1]:
        times[name].append(clock(fn))
result = {k: statistics.median(v) for k, v in times.items()}
print(json.dumps({**result, "keras_imported": keras_imported, "findings": len(findings)}))
