"""Peak memory (max RSS) of one load in a fresh process that has imported keras and layerhub.

    python benchmarks/children/peak_memory.py MODEL.keras layerhub|keras

Loads once with ``layerhub.load_model`` or ``keras.saving.load_model``. Prints the
process's high-water mark and its growth during the load, in MiB, as JSON.
"""

import json
import resource
import sys

import keras

import layerhub

base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[2] == "layerhub":
    model = layerhub.load_model(sys.argv[1])
else:
    model = keras.saving.load_model(sys.argv[1])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"peak": peak / 1024, "growth": (peak - base) / 1024}))
