"""``model_from_json``: the JSON-string twin of ``load_model``.

``keras.models.model_from_json`` is the one Keras entry point that, like
``load_model``, starts from a serialized model and no live objects. So layerhub gives
it the same treatment: walk the config, import only the plugin objects it references,
report everything missing at once. For the rest (``Model.from_config``,
``deserialize_keras_object``, ``clone_model`` of objects Keras cannot find) one line
does it: ``with layerhub.scope(): ...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .archive import parse_config
from .loading import resolve_references, scoped_objects, user_objects_first
from .references import custom_references


def model_from_json(json_string: str, custom_objects: Mapping[str, Any] | None = None) -> Any:
    """Build an (uncompiled, freshly initialised) model from ``model.to_json()`` output.

    A drop-in for :func:`keras.models.model_from_json`; user ``custom_objects`` (and an
    enclosing ``custom_object_scope``) win over plugins. Malformed JSON raises
    :class:`~layerhub.CorruptArchiveError`, a ``ValueError`` like Keras's.
    """
    text = json_string.encode() if isinstance(json_string, str) else json_string
    config = parse_config(text, "model JSON")
    references = custom_references(config)
    user = {**scoped_objects(r.name for r in references), **(custom_objects or {})}
    objects = resolve_references(references, user, source="model JSON")

    import keras

    with user_objects_first(user), keras.saving.custom_object_scope({**objects, **user}):
        return keras.models.model_from_json(json_string, custom_objects=user or None)
