"""A whole process that opens a ``.keras`` zip and parses its ``config.json``.

    python benchmarks/children/zip_json.py MODEL.keras

The reference for ``layerhub scan --json``, timed from outside: the least any reader of
the archive's config must do.
"""

import json
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as z:
    json.loads(z.read("config.json"))
