"""Regenerate ``src/layerhub/data/keras_builtins.json`` from the installed Keras.

layerhub must recognise Keras built-ins without importing keras (``import layerhub``,
discovery, ``scan`` and ``validate`` never import it), so the names of every public
class and function Keras can deserialize are shipped as data. A test checks that the
file matches the installed Keras; run this script after upgrading Keras.

    python scripts/update_keras_builtins.py
"""

from __future__ import annotations

import inspect
import json
import pathlib
import types

OUT = pathlib.Path(__file__).resolve().parents[1] / "src/layerhub/data/keras_builtins.json"


def collect() -> dict:
    import keras

    names: set[str] = set()
    seen: set[int] = set()

    def walk(module: types.ModuleType) -> None:
        if id(module) in seen:
            return
        seen.add(id(module))
        for attr in dir(module):
            if attr.startswith("_"):
                continue
            value = getattr(module, attr, None)
            if isinstance(value, types.ModuleType):
                if value.__name__.startswith("keras"):
                    walk(value)
            elif inspect.isclass(value) or callable(value):
                names.add(attr)

    walk(keras)
    return {"keras_version": keras.__version__, "names": sorted(names)}


if __name__ == "__main__":
    OUT.write_text(json.dumps(collect(), indent=0) + "\n")
    print(f"wrote {OUT}")
