"""Regenerate ``src/layerhub/data/keras_hub_preset.json`` from an installed KerasHub.

A KerasHub preset is the directory ``save_to_preset`` writes; its member names are the
module-level ``*_FILE`` and ``*_DIR`` constants of ``keras_hub/src/utils/preset_utils.py``.
layerhub reads presets without importing keras or keras_hub, so those names, each with
the role layerhub gives it, are shipped as data. This reads the module's source (its
AST: nothing of KerasHub runs) and fails on a constant it has no role for, so a new
member KerasHub writes is noticed. A test checks the shipped file against
keras-hub==0.32.0; run this after KerasHub adds a member:

    python scripts/update_keras_hub_preset.py [SITE]

``SITE`` is a directory keras_hub is installed in (``pip install --target``); without
it, the keras_hub this Python finds.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import pathlib
import sys

OUT = pathlib.Path(__file__).resolve().parents[1] / "src/layerhub/data/keras_hub_preset.json"
SOURCE = "src/utils/preset_utils.py"
#: The role of each constant's file in a preset layerhub reads.
ROLES = {
    "CONFIG_FILE": "backbone-config",
    "TASK_CONFIG_FILE": "task-config",
    "PREPROCESSOR_CONFIG_FILE": "preprocessor-config",
    "TOKENIZER_CONFIG_FILE": "tokenizer-config",
    "AUDIO_CONVERTER_CONFIG_FILE": "audio-converter-config",
    "IMAGE_CONVERTER_CONFIG_FILE": "image-converter-config",
    "VIDEO_CONVERTER_CONFIG_FILE": "video-converter-config",
    "METADATA_FILE": "metadata",
    "MODEL_WEIGHTS_FILE": "weights",
    "TASK_WEIGHTS_FILE": "task-weights",
    "SHARDED_MODEL_WEIGHTS_CONFIG_FILE": "sharded-weights-index",
    "ASSET_DIR": "assets-dir",
}
#: Files of Hugging Face (transformers, timm) checkpoints KerasHub converts from: not
#: written by ``save_to_preset``, recorded so that a reader can tell them apart.
FOREIGN = {
    "README_FILE": "readme",
    "HF_CONFIG_FILE": "hf-config",
    "HF_TOKENIZER_CONFIG_FILE": "hf-tokenizer-config",
    "SAFETENSOR_CONFIG_FILE": "safetensors-index",
    "SAFETENSOR_FILE": "safetensors",
}


def constants(source: str) -> dict[str, str]:
    """The module-level ``*_FILE``/``*_DIR`` string constants of ``source``."""
    found = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if not isinstance(target, ast.Name) or not target.id.endswith(("_FILE", "_DIR")):
            continue
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found[target.id] = node.value.value
    return found


def collect(site: str | None = None) -> dict:
    """The preset layout of the keras_hub found in ``site`` (else on ``sys.path``)."""
    if site:
        sys.path.insert(0, site)
    spec = importlib.util.find_spec("keras_hub")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("keras_hub is not installed (pass the site it is installed in)")
    root = pathlib.Path(next(iter(spec.submodule_search_locations)))
    found = constants((root / SOURCE).read_text())
    unknown = sorted(set(found) - set(ROLES) - set(FOREIGN))
    if unknown:
        raise SystemExit(f"keras_hub {SOURCE} has constants with no role here: {unknown}")
    missing = sorted(set(ROLES) - set(found))
    if missing:
        raise SystemExit(f"keras_hub {SOURCE} no longer defines {missing}")
    return {
        "keras_hub_version": importlib.metadata.version("keras-hub"),  # site first
        "members": {found[name]: role for name, role in ROLES.items()},
        "foreign": {found[name]: role for name, role in FOREIGN.items() if name in found},
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(collect(*sys.argv[1:2]), indent=1) + "\n")
    print(f"wrote {OUT}")
