"""A whole process that loads one model with ``layerhub.load_model``: timed from outside.

    python benchmarks/children/whole_load.py MODEL.keras True|False

The second argument is ``fast``; ``False`` is Keras's own load behind layerhub's checks.
Nothing else is imported, since the whole process is measured.
"""

import sys

import layerhub

layerhub.load_model(sys.argv[1], fast=sys.argv[2] == "True")
