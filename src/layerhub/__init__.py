"""layerhub: a plugin registry for Keras 3 custom objects.

``import layerhub`` is cheap: it imports neither keras nor tensorflow nor the
plugins. The public API is loaded on first use (PEP 562). Everything else is
importable from the module that owns it (see docs/architecture.md): the other error
classes from :mod:`layerhub.errors`, the registry's types from
:mod:`layerhub.plugins.registry`, the archive reader from :mod:`layerhub.archive.reader`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import (
    CorruptArchiveError,
    LayerhubError,
    MissingObjectsError,
    ModelLoadError,
    PluginError,
    PluginWarning,
    SchemaViolationError,
    UnsafeArchiveError,
)
from .lazy import attach
from .version import __version__

_LAZY = {
    "activate": "layerhub.kerasio.activation",
    "load_model": "layerhub.kerasio.loading",
    "model_from_json": "layerhub.kerasio.loading",
    "scope": "layerhub.kerasio.loading",
    "save_model": "layerhub.kerasio.saving",
    "get_registry": "layerhub.plugins.discovery",
    "hookimpl": "layerhub.plugins.hookspecs",
}

__all__ = [
    "CorruptArchiveError",
    "LayerhubError",
    "MissingObjectsError",
    "ModelLoadError",
    "PluginError",
    "PluginWarning",
    "SchemaViolationError",
    "UnsafeArchiveError",
    "__version__",
    "activate",
    "get_registry",
    "hookimpl",
    "load_model",
    "model_from_json",
    "save_model",
    "scope",
]

if TYPE_CHECKING:
    from .kerasio.activation import activate
    from .kerasio.loading import load_model, model_from_json, scope
    from .kerasio.saving import save_model
    from .plugins.discovery import get_registry
    from .plugins.hookspecs import hookimpl


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
