"""layerhub: a plugin registry for Keras 3 custom objects.

``import layerhub`` is cheap: it imports neither keras nor tensorflow nor the
plugins. The public API is loaded on first use (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    ConfigurationError,
    CorruptArchiveError,
    ExportError,
    IndexBuildError,
    IndexFormatError,
    IndexUnavailableError,
    LayerhubError,
    MissingDependencyError,
    MissingObject,
    MissingObjectsError,
    ModelLoadError,
    PluginError,
    PluginWarning,
    ProvenanceWarning,
    SchemaError,
    SchemaViolation,
    SchemaViolationError,
    TrustError,
    UnsafeArchiveError,
)

__version__ = "0.1.0"

_LAZY = {
    "hookimpl": "layerhub.hookspecs",
    "hookspec": "layerhub.hookspecs",
    "load_model": "layerhub.loading",
    "scope": "layerhub.loading",
    "model_from_json": "layerhub.serialization",
    "save_model": "layerhub.saving",
    "get_registry": "layerhub.plugins",
    "Registry": "layerhub.registry",
    "Entry": "layerhub.registry",
    "Provider": "layerhub.registry",
}

__all__ = [
    "ConfigurationError",
    "CorruptArchiveError",
    "Entry",
    "ExportError",
    "IndexBuildError",
    "IndexFormatError",
    "IndexUnavailableError",
    "LayerhubError",
    "MissingDependencyError",
    "MissingObject",
    "MissingObjectsError",
    "ModelLoadError",
    "PluginError",
    "PluginWarning",
    "ProvenanceWarning",
    "Provider",
    "Registry",
    "SchemaError",
    "SchemaViolation",
    "SchemaViolationError",
    "TrustError",
    "UnsafeArchiveError",
    "__version__",
    "get_registry",
    "hookimpl",
    "hookspec",
    "load_model",
    "model_from_json",
    "save_model",
    "scope",
]

if TYPE_CHECKING:
    from .hookspecs import hookimpl, hookspec
    from .loading import load_model, scope
    from .plugins import get_registry
    from .registry import Entry, Provider, Registry
    from .saving import save_model
    from .serialization import model_from_json


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'layerhub' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
