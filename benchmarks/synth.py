"""Inputs the benchmarks build for themselves: plugin distributions, models, archives.

Plugin distributions are written as real installed distributions (``*.dist-info`` with
``METADATA``, ``entry_points.txt`` and ``RECORD``, next to their package) into a site
directory that child processes get on ``PYTHONPATH``: what ``pip install --target``
leaves behind, without running pip 500 times. Models are built and saved by Keras in a
child process, so this process never imports Keras.
"""

from __future__ import annotations

import compileall
import json
import textwrap
import zipfile
from pathlib import Path

from measure import child, run_child

LAYER_CLASSES = 20


def write_distribution(site: Path, dist: str, package: str, files: dict[str, str]) -> None:
    """One installed distribution ``dist`` 1.0 whose ``package`` holds ``files``."""
    pkg = site / package
    pkg.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(textwrap.dedent(text))
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[layerhub]\n{package} = {package}.layerhub_plugin\n")
    (info / "INSTALLER").write_text("benchmarks\n")
    record = [f"{package}/{name},," for name in files] + [
        f"{info.name}/{n},," for n in ("METADATA", "entry_points.txt", "INSTALLER", "RECORD")
    ]
    (info / "RECORD").write_text("\n".join(record) + "\n")
    compileall.compile_dir(pkg, quiet=1)  # as pip does at install time


def hook_module(adds: str, prelude: str = "") -> str:
    """A plugin module whose ``layerhub_register`` hook runs the ``registry.add`` lines."""
    hook = f"@layerhub.hookimpl\ndef layerhub_register(registry):\n{adds}\n"
    return f"import layerhub\n\n{prelude}\n{hook}"


def light_plugins(site: Path, count: int, names_each: int = 10) -> Path:
    """``count`` plugins registering ``names_each`` lazy names each (targets never imported)."""
    for i in range(count):
        package = f"bench_plugin_{i:04d}"
        adds = "\n".join(
            f'    registry.add("BenchPlugin{i}>Obj{j}", "{package}.objects:Obj{j}")'
            for j in range(names_each)
        )
        write_distribution(
            site,
            f"bench-plugin-{i:04d}",
            package,
            {"__init__.py": "", "layerhub_plugin.py": hook_module(adds)},
        )
    return site


def static_plugins(site: Path, count: int, names_each: int = 10) -> Path:
    """``count`` distributions declaring ``names_each`` names each in ``layerhub.objects``
    (metadata only: no hook, nothing of theirs is ever imported)."""
    for i in range(count):
        package = f"bench_static_{i:04d}"
        info = site / f"bench_static_{i:04d}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: bench-static-{i:04d}\nVersion: 1.0\n"
        )
        lines = [f"BenchStatic{i}>Obj{j} = {package}.objects:Obj{j}" for j in range(names_each)]
        (info / "entry_points.txt").write_text("[layerhub.objects]\n" + "\n".join(lines) + "\n")
        (info / "RECORD").write_text(f"{info.name}/METADATA,,\n{info.name}/entry_points.txt,,\n")
    return site


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
SCHEMAS_EACH = 12  # 10 given as dicts, 2 as package files


def schema_plugins(site: Path, count: int) -> Path:
    """``count`` plugins registering 12 lazy names each, every one with a schema: 10 given
    as a dict, 2 as a ``"package:schemas/sK.json"`` file in the plugin's package."""
    for i in range(count):
        package = f"bench_schema_plugin_{i:04d}"
        adds = [
            f'    registry.add("BenchSchema{i}>Layer{k}", "{package}.objects:Layer{k}", '
            "schema=SCHEMA)"
            for k in range(10)
        ] + [
            f'    registry.add("BenchSchema{i}>File{k}", "{package}.objects:File{k}", '
            f'schema="{package}:schemas/s{k}.json")'
            for k in range(2)
        ]
        files = {
            "__init__.py": "",
            "layerhub_plugin.py": hook_module("\n".join(adds), f"SCHEMA = {SCHEMA!r}\n\n"),
        }
        files.update({f"schemas/s{k}.json": json.dumps(SCHEMA) for k in range(2)})
        write_distribution(site, f"bench-schema-plugin-{i:04d}", package, files)
    return site


LAYERS_MODULE = """
import keras


def make(index):
    @keras.saving.register_keras_serializable(package="BenchLayers", name=f"Block{index}")
    class Block(keras.layers.Layer):
        def __init__(self, units=16, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

        def call(self, x):
            return keras.ops.relu(keras.ops.matmul(x, self.kernel) + self.bias)

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    Block.__name__ = Block.__qualname__ = f"Block{index}"
    return Block


for _i in range(COUNT):
    globals()[f"Block{_i}"] = make(_i)


@keras.saving.register_keras_serializable(package="BenchLayers", name="BenchLoss")
class BenchLoss(keras.losses.Loss):
    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        return self.scale * keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package="BenchLayers", name="BenchSchedule")
class BenchSchedule(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, rate=1e-3, decay=0.99):
        self.rate, self.decay = rate, decay

    def __call__(self, step):
        return self.rate * self.decay ** keras.ops.cast(step, "float32")

    def get_config(self):
        return {"rate": self.rate, "decay": self.decay}
"""


def layer_plugin(site: Path) -> Path:
    """A plugin providing :data:`LAYER_CLASSES` real Keras layer classes, with schemas."""
    schema = {"type": "object", "properties": {"units": {"type": "integer", "minimum": 1}}}
    adds = "\n".join(
        f'    registry.add("BenchLayers>Block{i}", "bench_layers.layers:Block{i}", '
        f"schema={schema!r})"
        for i in range(LAYER_CLASSES)
    )
    adds += "".join(
        f'\n    registry.add("BenchLayers>{name}", "bench_layers.layers:{name}")'
        for name in ("BenchLoss", "BenchSchedule")
    )
    hook = hook_module(adds)
    write_distribution(
        site,
        "bench-layers",
        "bench_layers",
        {
            "__init__.py": "",
            "layers.py": LAYERS_MODULE.replace("COUNT", str(LAYER_CLASSES)),
            "layerhub_plugin.py": hook,
        },
    )
    return site


def plugin_model(site: Path, path: Path, depth: int) -> Path:
    """A functional model of ``depth`` layers, every other one a plugin ``Block``."""
    run_child(child("plugin_model"), str(depth), str(path), site=site)
    return path


def compiled_model(
    site: Path | None, path: Path, depth: int, plugin_layers: int, units: int = 16
) -> Path:
    """``depth`` Dense(``units``) layers with ``plugin_layers`` plugin ``Block``s among
    them, compiled with the plugin's loss and learning-rate schedule (with no plugin
    layers: Keras's Adam and mean squared error)."""
    args = (str(depth), str(plugin_layers), str(path), str(units))
    run_child(child("compiled_model"), *args, site=site)
    return path


def dense_model(path: Path, megabytes: float, depth: int = 8) -> Path:
    """``depth`` Dense layers sized so their float32 weights total about ``megabytes``."""
    width = max(8, int((megabytes * 1e6 / 4 / depth) ** 0.5))
    run_child(child("dense_model"), str(width), str(depth), str(path))
    return path


def big_archive(path: Path, gibibytes: float, layers: int = 4) -> Path:
    """A ``.keras`` archive with about ``gibibytes`` of weights, written without Keras.

    ``config.json`` describes ``layers`` Dense layers whose kernels are square; the
    weights member has Keras's layout (``layers/dense*/vars/0``), stored uncompressed,
    streamed to disk so memory stays small.
    """
    import h5py
    import numpy as np

    per_layer = gibibytes * 2**30 / layers
    width = int((per_layer / 4) ** 0.5)
    names = ["dense"] + [f"dense_{i}" for i in range(1, layers)]
    config = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {"batch_shape": [None, width], "dtype": "float32", "name": "input"},
                }
            ]
            + [
                {
                    "module": "keras.layers",
                    "class_name": "Dense",
                    "config": {"name": name, "units": width, "use_bias": False},
                }
                for name in names
            ],
        },
    }
    weights = path.with_suffix(".weights.h5")
    chunk = np.ones((max(1, (64 << 20) // (width * 4)), width), np.float32)
    with h5py.File(weights, "w") as h5:
        for name in names:
            data = h5.create_dataset(f"layers/{name}/vars/0", (width, width), np.float32)
            for row in range(0, width, len(chunk)):
                data[row : row + len(chunk)] = chunk[: width - row]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        zf.writestr("config.json", json.dumps(config))
        zf.write(weights, "model.weights.h5")
    weights.unlink()
    return path


def wide_plugin_model(site: Path, path: Path, depth: int) -> Path:
    """A model of ``depth`` plugin layers (each with a schema), in branches of 50."""
    run_child(child("wide_model"), str(depth), str(path), site=site)
    return path
