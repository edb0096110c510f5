"""Time ``import layerhub`` + discovery + the meta-schema check of every plugin schema.

What discovery would cost if it checked each schema eagerly (it checks only their form;
the full check runs when a schema is first needed). Interpreter start-up is excluded.
Prints ``{"s": seconds, "keras": imported, "schemas": how many were checked}``.

    python benchmarks/children/eager_schema_check.py
"""

import json
import sys
import time


def main() -> dict:
    start = time.perf_counter()
    import layerhub
    from layerhub.schemas.plugin import schema_problem

    schemas = [e.schema for e in layerhub.get_registry() if e.schema is not None]
    assert not any(schema_problem(schema) for schema in schemas)
    seconds = time.perf_counter() - start
    return {"s": seconds, "keras": "keras" in sys.modules, "schemas": len(schemas)}


if __name__ == "__main__":
    print(json.dumps(main()))
