"""``layerhub new NAME``: a plugin project that passes ``layerhub check`` and builds a wheel
as generated.

Why: a plugin author used to copy the README's snippet and guess the rest (layout,
schema, tests). The scaffold is the static form (``layerhub.objects``: no dependency on
layerhub, nothing run to learn the names), one layer with its schema and its example, the
conformance suite as pytest cases (``parametrize_with_checks``), a pre-commit
configuration and a README. Plain text templates: nothing here imports keras.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import AuthoringError
from ..names import normalize_name
from ..version import __version__

__all__ = ["scaffold"]

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*$")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"
description = "Keras layers, declared for layerhub."
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["keras>=3.8,<4"]

[project.optional-dependencies]
test = ["layerhub>={layerhub}", "pytest>=8"]

# What layerhub reads without importing anything: one entry point per registered name.
[project.entry-points."layerhub.objects"]
"{package}>Scale" = "{module}.layers:Scale"

[project.entry-points."layerhub.schemas"]
"{package}>Scale" = "{module}:scale.schema.json"

[project.entry-points."layerhub.examples"]
"{package}>Scale" = "{module}.examples:scale"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
{module} = ["*.schema.json"]
"""

INIT = '''\
"""{dist}: Keras layers. layerhub finds them from this package's metadata
(pyproject.toml), so nothing here needs to import layerhub."""

from .layers import Scale

__all__ = ["Scale"]
'''

LAYERS = '''\
"""The layers. ``package`` and the class name make the registered name that
``model.save`` writes and that pyproject.toml declares: "{package}>Scale"."""

import keras


@keras.saving.register_keras_serializable(package="{package}")
class Scale(keras.layers.Layer):
    """Multiplies its input by a learned per-feature scale, starting at ``init``."""

    def __init__(self, init=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.scale = self.add_weight(
            shape=(input_shape[-1],),
            initializer=keras.initializers.Constant(self.init),
            name="scale",
        )

    def call(self, inputs):
        return inputs * self.scale

    def get_config(self):
        return {{**super().get_config(), "init": self.init}}
'''

EXAMPLES = '''\
"""Examples for the conformance checks: each returns (instance, example_input)."""

import numpy as np

from .layers import Scale


def scale():
    return Scale(init=0.5), np.ones((2, 4), dtype="float32")
'''

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "{package}>Scale",
    "type": "object",
    "required": ["init"],
    "properties": {
        "init": {"type": "number", "description": "the scale every feature starts at"},
        "name": {"type": "string"},
        "trainable": {"type": "boolean"},
    },
}

TESTS = '''\
"""Every layerhub conformance check, one pytest case per object and check."""

from layerhub.checks import parametrize_with_checks


@parametrize_with_checks("{dist}")
def test_layerhub(layerhub_case):
    layerhub_case()
'''

PRE_COMMIT = """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.6.9
    hooks:
      - id: ruff
      - id: ruff-format
  - repo: local
    hooks:
      # The conformance suite over this plugin (install it first: pip install -e '.[test]').
      - id: layerhub-check
        name: layerhub check
        entry: layerhub check --plugin {dist}
        language: system
        pass_filenames: false
        files: ^(src/|pyproject\\.toml)
"""

README = """\
# {dist}

Keras layers, declared for [layerhub](https://pypi.org/project/layerhub/): a model saved
with them loads with `layerhub.load_model(path)` and no `custom_objects`, once this
package is installed.

## How layerhub finds them

`pyproject.toml` declares each registered name in the `layerhub.objects` entry points,
with its schema (`layerhub.schemas`) and its example (`layerhub.examples`). layerhub reads
them from the installed package's metadata: this package needs no dependency on
layerhub, and nothing of it is imported until a model uses its layers.

To add a layer: register it with `@keras.saving.register_keras_serializable(package=
"{package}")`, add its line to each group, and a schema (`layerhub schema infer
{module}.layers:NewLayer` writes a starter).

## Develop

    pip install -e '.[test]'
    layerhub check --plugin {dist}   # the conformance suite
    pytest                           # the same checks as pytest cases
    pre-commit install
"""


def scaffold(name: str, parent: Path) -> list[Path]:
    """Write the project ``parent/name``; returns the files written."""
    if not NAME_RE.match(name):
        raise AuthoringError(
            f"{name!r} is not a distribution name: letters and digits, separated by '-', '_' or '.'"
        )
    dist = normalize_name(name)
    module = dist.replace("-", "_")
    package = "".join(part.capitalize() for part in dist.split("-"))
    root = parent / dist
    if root.exists():
        raise AuthoringError(f"{root} already exists")
    values = {"dist": dist, "module": module, "package": package, "layerhub": __version__}
    schema = json.loads(json.dumps(SCHEMA).replace("{package}", package))
    files = {
        "pyproject.toml": PYPROJECT,
        "README.md": README,
        ".pre-commit-config.yaml": PRE_COMMIT,
        f"src/{module}/__init__.py": INIT,
        f"src/{module}/layers.py": LAYERS,
        f"src/{module}/examples.py": EXAMPLES,
        f"tests/test_{module}.py": TESTS,
    }
    written = []
    for relative, template in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values), encoding="utf-8")
        written.append(path)
    path = root / "src" / module / "scale.schema.json"
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    return [*written, path]
