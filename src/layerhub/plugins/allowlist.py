"""The allow-list of a stricter deployment: which distributions may provide objects, and
which packages Keras may import by module name.

By default every installed, enabled provider (plugins, and the trusted and curated
indexes of :mod:`layerhub.index`) may provide objects, and the packages are the ones
Keras 3 itself agrees to import when a config names their module (``keras``,
``keras_hub``, ``keras_cv``, ``keras_nlp``). Stricter deployments narrow both, with
environment variables (which win) or a TOML file::

    # LAYERHUB_ALLOWLIST_FILE=/etc/layerhub/allowlist.toml
    [allowlist]
    providers = ["layerhub-seed", "acme-blocks"]   # distributions (PEP 503 names)
    packages = ["keras"]                           # top-level packages

    LAYERHUB_ALLOWED_PROVIDERS=layerhub-seed,acme-blocks
    LAYERHUB_ALLOWED_PACKAGES=keras

A module named in a file is never imported because the file names it: only Keras
built-ins, allowed packages' own classes (imported by Keras, which checks them) and
names mapped by allowed providers are ever loaded.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NamedTuple

from .. import settings
from ..errors import ConfigurationError
from ..names import normalize_name

__all__ = ["AllowList"]

FILE_VAR = settings.ALLOWLIST_FILE
TABLE = "allowlist"
#: The packages Keras 3's ``serialization_lib`` imports by module name.
DEFAULT_PACKAGES = ("keras", "keras_hub", "keras_cv", "keras_nlp")


class AllowList(NamedTuple):
    """``providers`` is None when every installed, enabled provider is allowed."""

    packages: frozenset[str] = frozenset(DEFAULT_PACKAGES)
    providers: frozenset[str] | None = None
    providers_source: str = "every installed provider"

    @classmethod
    def load(cls) -> AllowList:
        """The allow-list of this process: the file, then environment variables."""
        table: dict[str, Any] = {}
        file = settings.text(settings.ALLOWLIST_FILE)
        if file:
            table = read_file(Path(file))
        packages = table.get("packages", list(DEFAULT_PACKAGES))
        providers = table.get("providers")
        source = f"{FILE_VAR}={file}"
        if settings.items(settings.ALLOWED_PACKAGES):
            packages = settings.items(settings.ALLOWED_PACKAGES)
        if settings.items(settings.ALLOWED_PROVIDERS):
            providers = settings.items(settings.ALLOWED_PROVIDERS)
            source = settings.ALLOWED_PROVIDERS
        return cls(
            frozenset(packages),
            None if providers is None else frozenset(normalize_name(p) for p in providers),
            source if providers is not None else "every installed provider",
        )

    def allows_module(self, module: str) -> bool:
        return module.split(".", 1)[0] in self.packages

    def allows_provider(self, distribution: str) -> bool:
        return self.providers is None or normalize_name(distribution) in self.providers


def read_file(path: Path) -> dict[str, Any]:
    """The ``[allowlist]`` table of a TOML file; anything unusable is a ConfigurationError."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise ConfigurationError(f"{FILE_VAR}={path}: cannot read it ({exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{FILE_VAR}={path}: not valid TOML ({exc})") from None
    table = data.get(TABLE, {})
    if not isinstance(table, dict):
        raise ConfigurationError(f"{path}: [{TABLE}] must be a table")
    unknown = set(table) - {"providers", "packages"}
    if unknown:
        raise ConfigurationError(f"{path}: unknown [{TABLE}] keys: {', '.join(sorted(unknown))}")
    for key in ("providers", "packages"):
        value = table.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise ConfigurationError(f"{path}: [{TABLE}] {key} must be a list of strings")
    return table
