"""``save_model``: ``model.save`` that never leaves a damaged or missing previous file,
and records in a ``.keras`` archive which distribution provided each custom object
(:mod:`layerhub.kerasio.provenance`).

Keras writes the archive to a temporary file beside the target, which then replaces
the target in one atomic rename (:mod:`layerhub.atomic`). A failure at any point (an
exception, a full disk, a killed process) leaves the previous file as it was.

``hf://owner/name`` pushes to the Hugging Face Hub as Keras does (the unzipped model
directory and a model card, in one commit, so a failed push changes nothing), adding the
manifest and a model card section with the pip requirements and the layerhub load line.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import atomic
from ..archive.sources import is_hub
from ..index.manifest import recorded_requirements
from ..plugins.discovery import get_registry
from ..plugins.registry import Registry
from ..references.walk import custom_references
from ..schemas.plugin import raise_for_violations
from .provenance import add_manifest, manifest_for, source_of

if TYPE_CHECKING:
    from ..archive.hub import HubSource

__all__ = ["save_model", "saved_config"]


def save_model(
    model: Any,
    filepath: str | os.PathLike[str],
    overwrite: bool = True,
    *,
    validate: bool = True,
    **kwargs: Any,
) -> None:
    """Save ``model`` like :meth:`keras.Model.save`, atomically, with a provenance manifest.

    First, every plugin object's ``get_config()`` is validated against its plugin's
    schema: a :class:`~layerhub.SchemaViolationError` leaves any previous file untouched
    (``validate=False`` skips the check). ``"hf://owner/name[@BRANCH]"`` pushes to the
    Hugging Face Hub (:func:`push_model`).

    Added in version 0.1.0.
    """
    if is_hub(filepath):
        push_model(model, filepath, validate=validate, **kwargs)
        return
    target = Path(filepath)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists and overwrite=False")
    if validate:
        validate_model(model, get_registry(), source=str(target))
    with atomic.replacing(target) as temporary:
        model.save(temporary, **kwargs)
        if zipfile.is_zipfile(temporary):
            add_manifest(temporary, source_of(model))


def push_model(model: Any, location: str, *, validate: bool = True, **kwargs: Any) -> str:
    """Push ``model`` to the Hub repository ``location`` in one commit; the commit's sha.

    The commit holds what Keras's own push holds (``config.json``, ``metadata.json``,
    the weights, ``assets/``, a ``README.md`` model card) plus ``layerhub.json`` and a
    card section naming the pip requirements and the one line that loads the model.
    """
    from ..archive.hub import HubSource, huggingface_hub, push
    from ..archive.reader import read_archive

    source = HubSource.parse(location)
    huggingface_hub()  # a missing extra is reported before the model is serialized
    if validate:
        validate_model(model, get_registry(), source=location)
    with tempfile.TemporaryDirectory(prefix="layerhub-push-") as tmp:
        folder = Path(tmp) / "model"
        model.save(folder, zipped=False, **kwargs)
        manifest = manifest_for(read_archive(folder).config, source_of(model))
        (folder / "layerhub.json").write_text(json.dumps(manifest, indent=1) + "\n")
        (folder / "README.md").write_text(model_card(source, manifest))
        return push(location, folder, "Save model using layerhub (Keras)")


def model_card(source: HubSource, manifest: dict[str, Any]) -> str:
    """Keras's model card, plus how to install what the model needs and load it."""
    requirements = sorted(set(recorded_requirements(manifest).values()))
    install = " ".join(["'layerhub[hub]'", *(f"'{r}'" for r in requirements)])
    needs = "\n".join(f"- `{r}`" for r in requirements) or "- nothing beyond Keras"
    return f"""---
library_name: keras
---

This model has been uploaded using the Keras library (through layerhub) and can be
used with JAX, TensorFlow, and PyTorch backends.

For more details about the model architecture, check out
[config.json](./config.json).

## Loading with layerhub

The custom objects this model references are provided by:

{needs}

```bash
pip install {install}
```

```python
import layerhub; model = layerhub.load_model("{source.url(None)}")
```

`layerhub.json` records which distribution and version provided each custom object.
"""


def validate_model(model: Any, registry: Registry, *, source: str = "") -> None:
    """Raise :class:`~layerhub.SchemaViolationError` if any plugin object's ``get_config()``
    in ``model`` breaks its schema: checks what ``model.save`` would write as config.json."""
    if not any(entry.schema is not None for entry in registry):
        return
    raise_for_violations(custom_references(saved_config(model)), registry, source=source)


def saved_config(model: Any) -> dict[str, Any]:
    """What ``model.save`` would write as config.json, without saving: Keras's own JSON
    round trip (saving_lib dumps the serialized dict as is), so tuples become arrays,
    exactly as a later load, and the config walk, will see them."""
    import keras  # the caller holds a Keras model, so keras is imported already

    return json.loads(json.dumps(keras.saving.serialize_keras_object(model)))
