"""layerhub: a plugin registry for Keras 3 custom objects.

``import layerhub`` is cheap: it imports neither keras nor tensorflow nor the
plugins. The public API is loaded on first use (PEP 562). The whole public API is
listed in docs/api.md: this facade, :mod:`layerhub.errors`, the plugin contract and
:mod:`layerhub.checks`. Every other module is internal and may change in any release.
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
    "requirements": "layerhub.kerasio.requirements",
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
    "requirements",
    "save_model",
    "scope",
]

if TYPE_CHECKING:
    from .kerasio.activation import activate
    from .kerasio.loading import load_model, model_from_json, scope
    from .kerasio.requirements import requirements
    from .kerasio.saving import save_model
    from .plugins.discovery import get_registry
    from .plugins.hookspecs import hookimpl


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
