"""KerasHub presets under :func:`layerhub.activate`: ``from_preset`` analysed first,
``save_to_preset`` with provenance.

Every KerasHub ``from_preset`` (backbones, tasks, preprocessors, tokenizers, audio,
image and video converters) starts with ``preset_utils.get_preset_loader(preset)``, which
each of those modules imported by name; every ``save_to_preset`` with
``preset_utils.get_preset_saver(preset_dir)``. :func:`install` replaces both, in
``preset_utils`` and in every imported ``keras_hub`` module bound to them (the seam
is :func:`.keras_own.replace_bound`, undone by ``deactivate()``):

- **Loading.** Before KerasHub reads any member, the preset gets the analysis
  ``load_model`` gives a file (:func:`.loading.prepare`), under Keras's current safe
  mode (``keras.config.enable_unsafe_deserialization()`` is the opt-out, as for Keras
  itself): a local directory is read with :func:`layerhub.archive.reader.read_archive`;
  ``hf://owner/name[@REVISION]`` is fetched once, pinned to a commit with its sizes
  checked (:func:`layerhub.archive.hub.fetch`), and KerasHub's own loader is then given
  the snapshot directory, so it reads exactly the analysed files and downloads nothing.
  Anything else (a built-in preset name, ``kaggle://``, ``gs://``, ``modelscope://``)
  cannot be analysed first: refused in safe mode, handed to KerasHub unchanged when
  unsafe deserialization is enabled. A Transformers or timm checkpoint (a
  ``config.json`` with ``model_type`` or ``architecture``, no ``registered_name``) holds
  no Keras object: a local one is read (links, JSON sizes) and left to KerasHub's
  converters; an ``hf://`` one is refused in safe mode (layerhub fetches only Keras
  preset files, and KerasHub's own download would not be pinned to the commit read).
- **Saving.** Each config KerasHub writes is first validated against its plugin's
  schema; after it, ``layerhub.json`` (the provenance manifest, :mod:`.provenance`) and
  ``requirements.txt`` (what ``pip install -r`` needs for the plugin objects) are
  rewritten from every config in the directory, when any of them names a plugin object.
  ``keras_hub.upload_preset`` uploads the whole directory, these two files included.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from .. import atomic
from ..archive.layout import MANIFEST_MEMBER, ModelArchive
from ..archive.limits import Limits
from ..archive.sources import is_hub
from ..errors import UnsafeArchiveError
from ..index.manifest import recorded_requirements
from ..plugins.discovery import get_registry
from ..plugins.resolution import LOADER
from ..references.walk import walk_documents
from .keras_own import replace_bound
from .loading import analyse, prepare
from .provenance import manifest_for
from .saving import validate_model

__all__ = ["REQUIREMENTS_FILE", "analysed", "install", "write_provenance"]

#: The pip requirements of a preset's plugin objects, beside ``layerhub.json``.
REQUIREMENTS_FILE = "requirements.txt"
#: KerasHub's metadata and sharded-weights index: JSON members that hold no config.
NOT_CONFIGS = frozenset({"metadata.json", "model.weights.json", MANIFEST_MEMBER})


def install(preset_utils: Any) -> None:
    """Route KerasHub's preset loading and saving through layerhub (see the module
    docstring); ``preset_utils`` is ``keras_hub.src.utils.preset_utils``."""
    own_loader, own_saver = preset_utils.get_preset_loader, preset_utils.get_preset_saver
    if getattr(own_loader, "layerhub", False):
        return  # installed already

    def get_preset_loader(preset: Any) -> Any:
        return own_loader(analysed(preset, preset_utils.BUILTIN_PRESETS))

    def get_preset_saver(preset: Any) -> Any:
        return with_provenance(own_saver(preset))

    get_preset_loader.layerhub = get_preset_saver.layerhub = True  # type: ignore[attr-defined]
    modules = [
        module
        for name, module in list(sys.modules.items())
        if module is not None and (name == "keras_hub" or name.startswith("keras_hub."))
    ]
    replace_bound(modules, {own_loader: get_preset_loader, own_saver: get_preset_saver})


def analysed(preset: Any, builtin: Any = ()) -> Any:
    """The preset KerasHub should load for ``preset``, analysed; raises what
    ``load_model`` raises for a file. ``builtin``: KerasHub's built-in preset names,
    which KerasHub downloads from Kaggle even where a directory has that name."""
    from keras.src.saving.serialization_lib import in_safe_mode

    safe_mode = in_safe_mode() is not False  # None: nobody chose, and Keras is safe then
    if not isinstance(preset, str):
        return preset  # KerasHub refuses it in its own words
    if is_hub(preset):
        from ..archive.hub import fetch

        limits = Limits.from_env()
        snapshot = fetch(preset, limits)
        archive = snapshot.read(limits)
        if converted(archive):
            if safe_mode:
                raise UnsafeArchiveError(
                    f"{snapshot.url}: a Transformers/timm checkpoint, whose files layerhub "
                    "does not fetch; download it (huggingface_hub.snapshot_download) and "
                    "load the local directory, or enable unsafe deserialization "
                    "(keras.config.enable_unsafe_deserialization()) if you trust it"
                )
            return preset  # KerasHub downloads it, unpinned
        check(archive, safe_mode=safe_mode)
        return str(snapshot.path)  # KerasHub reads the analysed files: no second download
    if preset not in builtin and "://" not in preset:
        if os.path.isdir(preset):
            check(*analyse(preset), safe_mode=safe_mode)
        return preset  # not a directory: KerasHub says what is wrong
    if safe_mode:
        raise UnsafeArchiveError(
            f"{preset}: layerhub cannot analyse this preset before KerasHub loads it; "
            "download it and load the local directory, or enable unsafe deserialization "
            "(keras.config.enable_unsafe_deserialization()) if you trust it"
        )
    return preset


def check(archive: ModelArchive, every: Any = None, *, safe_mode: bool) -> None:
    """``load_model``'s analysis of a preset, importing the plugin objects it names."""
    if converted(archive):
        return  # read (links, sizes, JSON limits): no Keras object to analyse
    if every is None:
        every = tuple(walk_documents(archive.config, archive.documents))
    prepare(archive, every, None, safe_mode=safe_mode, validate=True)


def converted(archive: ModelArchive) -> bool:
    """Whether KerasHub converts this checkpoint (Transformers' ``model_type``, timm's
    ``architecture``) rather than deserializing Keras objects (``registered_name``)."""
    config = archive.config
    return "registered_name" not in config and ("model_type" in config or "architecture" in config)


def with_provenance(saver: Any) -> Any:
    """``saver`` (KerasHub's ``KerasPresetSaver``), validating each config it writes and
    recording the provenance of every config written so far."""
    own_save = saver._save_serialized_object

    def save_serialized_object(layer: Any, config_file: str) -> None:
        validate_model(layer, get_registry(), source=os.path.join(saver.preset_dir, config_file))
        own_save(layer, config_file)
        write_provenance(Path(saver.preset_dir))

    saver._save_serialized_object = save_serialized_object  # this saver only
    return saver


def write_provenance(preset_dir: Path) -> None:
    """Write ``layerhub.json`` and ``requirements.txt`` for the configs in ``preset_dir``,
    when any of them names a plugin object (else remove them: a directory saved over
    keeps no stale record)."""
    configs = []
    for file in sorted(preset_dir.glob("*.json")):
        if file.name not in NOT_CONFIGS:
            document = json.loads(file.read_text(encoding="utf-8"))
            if isinstance(document, dict) and "class_name" in document:
                configs.append(document)
    manifest = manifest_for(configs)
    if not any(o.get("source") not in (None, "keras-registry") for o in manifest["objects"]):
        for name in (MANIFEST_MEMBER, REQUIREMENTS_FILE):  # no plugin object to record
            (preset_dir / name).unlink(missing_ok=True)
        return
    atomic.write_text(preset_dir / MANIFEST_MEMBER, json.dumps(manifest, indent=1) + "\n")
    # the lines layerhub.requirements gives: the plugins, then layerhub, which finds them
    requirements = [*sorted(set(recorded_requirements(manifest).values())), LOADER]
    atomic.write_text(preset_dir / REQUIREMENTS_FILE, "".join(f"{r}\n" for r in requirements))
