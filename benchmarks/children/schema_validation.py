"""In-process times of schema validation, the reference walk and ``json.loads``.

    python benchmarks/children/schema_validation.py MODEL.keras

On the model's ``config.json``, with the registry discovered first: the import of the
validator library (``jsonschema_rs``), the first ``check_references`` in the process
(compiles the validators), the median of 5 later ones, of 5 reference walks and of 5
``json.loads`` of the config. Prints them as JSON, with how many objects were checked.
"""

import json
import statistics
import sys
import time
import zipfile

from layerhub.plugins.discovery import get_registry
from layerhub.references.walk import custom_references
from layerhub.schemas import plugin as schemas

registry = get_registry()
raw = zipfile.ZipFile(sys.argv[1]).read("config.json")


def clock(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


config = json.loads(raw)
references = custom_references(config)
library = clock(lambda: __import__("jsonschema_rs"))
cold = clock(lambda: schemas.check_references(references, registry))
warm = [clock(lambda: schemas.check_references(references, registry)) for _ in range(5)]
walk = [clock(lambda: custom_references(config)) for _ in range(5)]
parse = [clock(lambda: json.loads(raw)) for _ in range(5)]
report = schemas.check_references(references, registry)
print(
    json.dumps(
        {
            "library": library,
            "cold": cold,
            "warm": statistics.median(warm),
            "walk": statistics.median(walk),
            "json": statistics.median(parse),
            "checked": report.checked,
        }
    )
)
