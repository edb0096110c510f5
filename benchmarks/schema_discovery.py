"""What schemas cost discovery: ``import layerhub`` + discovery of N plugins vs ``import keras``.

Writes N fake installed plugins (dist-info + entry point + a module registering ten
objects with dict schemas and two with file schemas) into a temporary site directory,
then times fresh interpreters (best of ``--repeat``):

- ``import layerhub`` alone;
- ``import layerhub`` + discovery (what every load pays; schemas are only form-checked);
- the same + the full meta-schema check of every schema (what an eager check would cost);
- ``import keras``.

Run: ``.venv/bin/python benchmarks/schema_discovery.py [--plugins 50] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["units"],
    "properties": {
        "name": {"type": "string"},
        "trainable": {"type": "boolean"},
        "dtype": {"type": ["string", "object", "null"]},
        "units": {"type": "integer", "minimum": 1},
        "rate": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "additionalProperties": False,
}


def write_plugin(site: Path, i: int) -> None:
    package = f"bench_plugin_{i}"
    (site / package / "schemas").mkdir(parents=True)
    (site / package / "__init__.py").write_text("")
    for k in range(2):
        (site / package / "schemas" / f"s{k}.json").write_text(json.dumps(SCHEMA))
    lines = [
        "import layerhub",
        f"SCHEMA = {SCHEMA!r}",
        "@layerhub.hookimpl",
        "def layerhub_register(registry):",
    ]
    lines += [
        f"    registry.add('Bench{i}>Layer{k}', '{package}.objects:Layer{k}', schema=SCHEMA)"
        for k in range(10)
    ]
    lines += [
        f"    registry.add('Bench{i}>File{k}', '{package}.objects:File{k}', "
        f"schema='{package}:schemas/s{k}.json')"
        for k in range(2)
    ]
    (site / package / "layerhub_plugin.py").write_text("\n".join(lines) + "\n")
    info = site / f"bench_plugin_{i}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: bench-plugin-{i}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[layerhub]\nbench{i} = {package}.layerhub_plugin\n")
    (info / "RECORD").write_text("")


def best(code: str, site: Path, repeat: int) -> float:
    # Bytecode caching on, as in a user's install; the first run writes the caches.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(site), TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plugins", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        for i in range(args.plugins):
            write_plugin(site, i)
        baseline = best("pass", site, args.repeat)
        rows = {
            "import layerhub": "import layerhub",
            "import layerhub + discovery": "import layerhub; assert len(layerhub.get_registry())",
            "... + eager meta-schema check of every schema": (
                "import layerhub; from layerhub.schemas import schema_problem\n"
                "assert not any(schema_problem(e.schema) for e in layerhub.get_registry())"
            ),
            "import keras": "import keras",
        }
        results = {label: best(code, site, args.repeat) - baseline for label, code in rows.items()}
    keras_time = results["import keras"]
    print(f"{args.plugins} plugins, {args.plugins * 12} schemas; interpreter start-up subtracted")
    for label, seconds in results.items():
        print(
            f"  {label:48s} {seconds * 1000:8.1f} ms  {100 * seconds / keras_time:5.1f}% of keras"
        )


if __name__ == "__main__":
    main()
