"""Who is trusted: the packages Keras may import by name, and the plugin distributions
allowed to provide objects.

By default every installed, enabled plugin may provide objects, and the packages are the
ones Keras 3 itself agrees to import when a config names their module (``keras``,
``keras_hub``, ``keras_cv``, ``keras_nlp``). Stricter deployments narrow both, with
environment variables (which win) or a TOML trust file::

    # LAYERHUB_TRUST_FILE=/etc/layerhub/trust.toml
    [trust]
    providers = ["layerhub-seed", "acme-blocks"]   # distributions (PEP 503 names)
    packages = ["keras"]                           # top-level packages

    LAYERHUB_TRUSTED_PROVIDERS=layerhub-seed,acme-blocks
    LAYERHUB_TRUSTED_PACKAGES=keras

A module named in a file is never imported because the file names it: only Keras
built-ins, trusted packages' own classes (imported by Keras, which checks them) and
names mapped by trusted plugins are ever loaded.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigurationError
from .registry import normalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TRUST_FILE_VAR = "LAYERHUB_TRUST_FILE"
PROVIDERS_VAR = "LAYERHUB_TRUSTED_PROVIDERS"
PACKAGES_VAR = "LAYERHUB_TRUSTED_PACKAGES"
#: The packages Keras 3's ``serialization_lib`` imports by module name.
DEFAULT_PACKAGES = ("keras", "keras_hub", "keras_cv", "keras_nlp")


@dataclass(frozen=True)
class TrustPolicy:
    """``providers`` is None when every installed, enabled plugin is trusted."""

    packages: frozenset[str] = frozenset(DEFAULT_PACKAGES)
    providers: frozenset[str] | None = None
    providers_source: str = "every installed plugin"

    @classmethod
    def load(cls) -> TrustPolicy:
        """The policy of this process: the trust file, then environment variables."""
        settings: dict[str, Any] = {}
        file = os.environ.get(TRUST_FILE_VAR, "").strip()
        if file:
            settings = read_trust_file(Path(file))
        packages = settings.get("packages", list(DEFAULT_PACKAGES))
        providers = settings.get("providers")
        source = f"{TRUST_FILE_VAR}={file}"
        if os.environ.get(PACKAGES_VAR, "").strip():
            packages = split(os.environ[PACKAGES_VAR])
        if os.environ.get(PROVIDERS_VAR, "").strip():
            providers, source = split(os.environ[PROVIDERS_VAR]), PROVIDERS_VAR
        return cls(
            frozenset(packages),
            None if providers is None else frozenset(normalize_name(p) for p in providers),
            source if providers is not None else "every installed plugin",
        )

    def trusts_module(self, module: str) -> bool:
        return module.split(".", 1)[0] in self.packages

    def trusts_provider(self, distribution: str) -> bool:
        return self.providers is None or normalize_name(distribution) in self.providers


def split(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def read_trust_file(path: Path) -> dict[str, Any]:
    """The ``[trust]`` table of a TOML file; anything unusable is a ConfigurationError."""
    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise ConfigurationError(f"{TRUST_FILE_VAR}={path}: cannot read it ({exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{TRUST_FILE_VAR}={path}: not valid TOML ({exc})") from None
    table = data.get("trust", {})
    if not isinstance(table, dict):
        raise ConfigurationError(f"{path}: [trust] must be a table")
    unknown = set(table) - {"providers", "packages"}
    if unknown:
        raise ConfigurationError(f"{path}: unknown [trust] keys: {', '.join(sorted(unknown))}")
    for key in ("providers", "packages"):
        value = table.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise ConfigurationError(f"{path}: [trust] {key} must be a list of strings")
    return table
