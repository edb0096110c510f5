"""``layerhub.requirements``: the pip requirement lines a model needs, for MLflow and the like.

``mlflow.keras.log_model(model, name=..., extra_pip_requirements=layerhub.requirements(model))``
records, beside the Keras and backend pins MLflow infers itself, what MLflow cannot see:
the plugin distributions that provide the model's objects, the Keras libraries it uses
(``keras-hub``...) and layerhub, which finds them when the model is loaded again
(under ``LAYERHUB_ACTIVATE=1``). The lines are those of ``layerhub resolve``: one
resolution (:func:`layerhub.plugins.resolution.resolve_config`), for a file and a model
in memory alike. A model in memory is resolved as it would be saved: its serialized
config, with the provenance manifest ``save_model`` would write for it, so it gives the
lines its saved file gives.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..plugins.resolution import Resolution, resolve, resolve_config

__all__ = ["requirements"]


def requirements(
    model_or_path: Any,
    custom_objects: Mapping[str, Any] | None = None,
    *,
    index: str | None = None,
) -> list[str]:
    """The pip requirement lines a model needs, as ``layerhub resolve`` prints them.

    ``model_or_path`` is a Keras model (or any Keras object) in memory, or where one is
    saved: a ``.keras`` or ``.h5`` file, a model directory or ``hf://owner/name[@REV]``
    (a path reads no weights and imports no keras). The lines are, in the config's
    order, what provides each custom object: the installed plugin distribution pinned to
    its installed version (``dist==version``; for a file, the version its provenance
    manifest recorded wins), a Keras library (``keras-hub==0.32.0``), or what the
    trusted and curated indexes and ``index`` (default: ``LAYERHUB_INDEX``) name; then
    ``layerhub>=<this version>`` when any object is not Keras's nor a Keras library's:
    the loading side needs layerhub to find it, and any newer layerhub does. A model of
    Keras built-ins alone needs nothing: ``[]``.

    A name nothing resolves raises :class:`~layerhub.MissingObjectsError`, naming each
    such object with its JSON pointer: a model logged without its plugin would fail only
    when it is loaded, elsewhere and later. Objects you ship yourself (say with MLflow's
    ``code_paths``) go in ``custom_objects``, as for :func:`layerhub.load_model`: they
    need no requirement line.

    Added in version 0.2.0.
    """
    provided = frozenset(custom_objects or ())
    if isinstance(model_or_path, (str, os.PathLike)):
        resolution = resolve(os.fspath(model_or_path), index, provided)
    else:
        resolution = resolve_model(model_or_path, index, provided)
    resolution.raise_for_unresolved()
    return resolution.lines


def resolve_model(model: Any, index: str | None, provided: frozenset[str]) -> Resolution:
    """The resolution of a model in memory, from what a save would write for it."""
    from .provenance import manifest_for
    from .saving import saved_config

    if not callable(getattr(model, "get_config", None)):
        raise TypeError(
            "layerhub.requirements takes a Keras model or a path to a saved one, "
            f"not {type(model).__name__}"
        )
    config = saved_config(model)
    name = getattr(model, "name", None) or type(model).__name__
    manifest = manifest_for(config)
    return resolve_config(config, manifest, file=f"model {name!r}", index=index, provided=provided)
