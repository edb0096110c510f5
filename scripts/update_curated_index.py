"""Regenerate ``src/layerhub/data/curated_index.json`` by introspecting installed packages.

The curated index is produced exactly like a user's ``layerhub trust``: each distribution
is imported in a child process and what it registers with Keras is recorded. Install the
packages first (``--no-deps`` is enough when keras is already installed), run this, then
uninstall them::

    .venv/bin/python -m pip install --no-deps keras-rs keras-tcn keras-efficient-kan
    .venv/bin/python scripts/update_curated_index.py keras-rs keras-tcn keras-efficient-kan
    .venv/bin/python -m pip uninstall -y keras-rs keras-tcn keras-efficient-kan
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from layerhub.index.document import document
from layerhub.index.trusted import introspect_in_child

OUT = Path(__file__).resolve().parents[1] / "src" / "layerhub" / "data" / "curated_index.json"
FIELDS = ("name", "version", "source", "keras_version", "objects")


def main(distributions: list[str]) -> int:
    records = introspect_in_child(distributions)
    for record in records:
        errors = record["import_errors"]
        print(
            f"{record['name']} {record['version']}: {len(record['objects'])} object(s), "
            f"{record['modules']} module(s) imported, {len(errors)} failed"
        )
        for module, error in errors.items():
            print(f"  skipped {module}: {error}")
    doc = document([{k: r[k] for k in FIELDS} for r in records])
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["keras-rs", "keras-tcn", "keras-efficient-kan"]))
