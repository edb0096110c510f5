"""Regenerate ``src/layerhub/data/keras_builtins.json`` from the installed Keras.

layerhub must recognise Keras built-ins without importing keras (``import layerhub``,
discovery, ``scan`` and ``validate`` never import it), so the names of every public
class and function Keras can deserialize are shipped as data. A test checks that the
file matches the installed Keras; run this script after upgrading Keras.

    python scripts/update_keras_builtins.py
"""

from __future__ import annotations

import ast
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
    return {
        "keras_version": keras.__version__,
        "libraries": libraries(),
        "names": sorted(names),
    }


def libraries() -> list[str]:
    """The packages ``serialization_lib`` imports a config's ``module`` for by itself:
    the set literal it tests a module's top-level package against (``package in {...}``)."""
    from keras.src.saving import serialization_lib

    tree = ast.parse(inspect.getsource(serialization_lib))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Name)
            and node.left.id == "package"
            and isinstance(node.ops[0], ast.In)
            and isinstance(node.comparators[0], ast.Set)
        ):
            return sorted(ast.literal_eval(node.comparators[0]))
    raise SystemExit("keras.src.saving.serialization_lib no longer tests `package in {...}`")


if __name__ == "__main__":
    OUT.write_text(json.dumps(collect(), indent=0) + "\n")
    print(f"wrote {OUT}")
