"""KerasHub presets of the ``hub-backbone`` test plugin, and the child processes that save
and load them (tests/kerasio/test_from_preset.py, tests/hub/test_from_preset_hub.py).

Children run on TensorFlow with keras-hub and the plugin installed in ``--target`` sites
on PYTHONPATH; the loading children never import the plugin (nor layerhub) themselves:
``LAYERHUB_ACTIVATE=1`` and the pip-installed layerhub wheel's ``.pth`` do everything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from support import ROOT, install, pip, shared_build

TIMEOUT = 300

#: Interpreter start for the layerhub wheel's site: ``site.addsitedir`` runs its
#: ``layerhub-activate.pth`` as at start-up (a ``--target`` directory on PYTHONPATH is
#: not a site directory), as tests/kerasio/test_dropin.py does.
START = "import site, sys; site.addsitedir(sys.argv.pop(1))\n"

#: A process that imports the plugin: builds the tiny backbone, saves it as a preset
#: (under LAYERHUB_ACTIVATE=1 when the caller sets it) and writes its predictions; with a
#: second argument, uploads the preset there with KerasHub's own ``upload_preset``.
SAVE = (
    START
    + """
import json, sys
import numpy as np
import keras_hub
from hub_backbone.backbone import TinyBackbone

preset = sys.argv[1]
backbone = TinyBackbone(vocabulary_size=50, hidden_dim=8)
backbone.save_to_preset(preset)
tokens = np.arange(12, dtype="int32").reshape(2, 6) % 50
np.save(preset + ".tokens.npy", tokens)
np.save(preset + ".expected.npy", backbone.predict(tokens, verbose=0))
# a real Lambda as Keras serializes it (bytecode), touching the canary if it ever runs
touch = lambda x: (open(__import__("os").environ["HOSTILE_CANARY"], "a").close(), x)[1]
lam = __import__("keras").layers.Lambda(touch, name="head")
with open(preset + ".lambda.json", "w") as f:
    json.dump(__import__("keras").saving.serialize_keras_object(lam), f)
if len(sys.argv) > 2:
    keras_hub.upload_preset(sys.argv[2], preset)
print(json.dumps({"files": sorted(__import__("os").listdir(preset))}))
"""
)

#: KerasHub-only code (what a serving tool or notebook runs): no plugin, no layerhub.
LOAD = (
    START
    + """
import json, sys
started = sorted(m for m in ("layerhub", "keras", "keras_hub", "hub_backbone")
                 if m in sys.modules)
import numpy as np
import keras_hub

preset, saved = sys.argv[1], sys.argv[2]
report = {"started": started}
try:
    backbone = keras_hub.models.Backbone.from_preset(preset)
except Exception as exc:
    report["error"] = type(exc).__name__
    report["message"] = str(exc)
else:
    prediction = backbone.predict(np.load(saved + ".tokens.npy"), verbose=0)
    report["class"] = f"{type(backbone).__module__}.{type(backbone).__name__}"
    report["identical"] = bool(np.array_equal(prediction, np.load(saved + ".expected.npy")))
print(json.dumps(report))
"""
)

#: The test plugin providing a KerasHub ``Backbone`` subclass (tests/distributions).
PLUGIN = "hub-backbone"


def layerhub_site(tmp_path_factory: Any) -> Path:
    """This checkout's layerhub wheel (with ``layerhub-activate.pth``), pip-installed."""

    def build(directory: Path) -> str:
        pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(directory), str(ROOT))
        return str(install([next(directory.glob("layerhub-*.whl"))], directory / "site"))

    return Path(shared_build(tmp_path_factory, "layerhub-wheel-site", build))


def env(*sites: Path, activate: bool = True, **extra: str) -> dict[str, str]:
    """A child's environment: ``sites`` on PYTHONPATH (before this process's), TensorFlow."""
    path = os.pathsep.join([*map(str, sites), os.environ.get("PYTHONPATH", "")])
    variables = {"PYTHONPATH": path, "KERAS_BACKEND": "tensorflow", **extra}
    variables["LAYERHUB_ACTIVATE"] = "1" if activate else ""
    return variables
