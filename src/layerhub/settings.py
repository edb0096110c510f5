"""Every ``LAYERHUB_*`` environment variable, read here and nowhere else.

Settings are read when they are needed, not at import: a test, a notebook or a server
may change the environment between two loads. Each variable is declared once in
:data:`VARIABLES` and described once, in the table below; the README lists the same
names (a test keeps them in step).

| variable | effect |
|---|---|
| ``LAYERHUB_DISABLE_PLUGINS=a,b`` | disable plugins by entry-point or distribution name |
| ``LAYERHUB_DISABLE_PLUGIN_AUTOLOAD=1`` | disable every entry-point plugin |
| ``LAYERHUB_PREFER=dist-a,dist-b`` | who wins when two providers claim one name |
| ``LAYERHUB_STRICT=1`` | plugin warnings become errors (for CI) |
| ``LAYERHUB_DISABLE_CURATED=1`` | ignore the curated index shipped with layerhub |
| ``LAYERHUB_NO_CACHE=1`` | do not record or replay discovery |
| ``LAYERHUB_CACHE_DIR`` | where discovery records live (default: the user cache dir) |
| ``LAYERHUB_HOME`` | where the trusted index lives (default: the user data dir) |
| ``LAYERHUB_INDEX`` | an index (file, site or URL) naming what to install |
| ``LAYERHUB_INDEX_TIMEOUT`` | seconds to wait for an index URL (default 30) |
| ``LAYERHUB_ALLOWED_PROVIDERS=a,b`` | only these distributions may provide objects |
| ``LAYERHUB_ALLOWED_PACKAGES=a,b`` | the packages Keras may import by module name |
| ``LAYERHUB_ALLOWLIST_FILE`` | a TOML file with both lists |
| ``LAYERHUB_MAX_*``, ``LAYERHUB_ALLOWED_MEMBERS`` | limits of the archive reader |
| ``LAYERHUB_MAX_PARAMS``, ``..._PARAMS_RATIO``, ``..._UNSTORED_PARAMS`` | the weight budget |
| ``LAYERHUB_MAX_LAYERS``, ``LAYERHUB_MAX_GRAPH_DEPTH`` | layers and graph depth of a config |
| ``LAYERHUB_MAX_PLACEHOLDER_BYTES`` | bytes a config's ``__numpy__`` values allocate |
| ``LAYERHUB_DEBUG=1`` | the CLI shows a traceback for an internal error |
| ``LAYERHUB_ACTIVATE=1`` | ``layerhub.activate()`` at interpreter start (a ``.pth`` file) |
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Literal

from .errors import ConfigurationError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "ACTIVATE",
    "ALLOWED_MEMBERS",
    "ALLOWED_PACKAGES",
    "ALLOWED_PROVIDERS",
    "ALLOWLIST_FILE",
    "CACHE_DIR",
    "DEBUG",
    "DISABLE_CURATED",
    "DISABLE_PLUGINS",
    "DISABLE_PLUGIN_AUTOLOAD",
    "HOME",
    "INDEX",
    "INDEX_TIMEOUT",
    "LIMIT_PREFIX",
    "NO_CACHE",
    "PREFER",
    "STRICT",
    "VARIABLES",
    "flag",
    "items",
    "limit",
    "number",
    "text",
    "user_dir",
]

DISABLE_PLUGINS = "LAYERHUB_DISABLE_PLUGINS"
DISABLE_PLUGIN_AUTOLOAD = "LAYERHUB_DISABLE_PLUGIN_AUTOLOAD"
PREFER = "LAYERHUB_PREFER"
STRICT = "LAYERHUB_STRICT"
DISABLE_CURATED = "LAYERHUB_DISABLE_CURATED"
NO_CACHE = "LAYERHUB_NO_CACHE"
CACHE_DIR = "LAYERHUB_CACHE_DIR"
HOME = "LAYERHUB_HOME"
INDEX = "LAYERHUB_INDEX"
INDEX_TIMEOUT = "LAYERHUB_INDEX_TIMEOUT"
ALLOWED_PROVIDERS = "LAYERHUB_ALLOWED_PROVIDERS"
ALLOWED_PACKAGES = "LAYERHUB_ALLOWED_PACKAGES"
ALLOWLIST_FILE = "LAYERHUB_ALLOWLIST_FILE"
ALLOWED_MEMBERS = "LAYERHUB_ALLOWED_MEMBERS"
DEBUG = "LAYERHUB_DEBUG"
#: Read at interpreter start by ``layerhub-activate.pth`` (which cannot import this
#: module cheaply, so it spells the name itself; a test keeps the two in step).
ACTIVATE = "LAYERHUB_ACTIVATE"
#: The archive reader's limits and the resource budget (:mod:`layerhub.safety.budget`):
#: ``LAYERHUB_<FIELD>`` for each field of :class:`layerhub.archive.limits.Limits`
#: (``LAYERHUB_MAX_MEMBERS``, ``LAYERHUB_MAX_PARAMS``...).
LIMIT_PREFIX = "LAYERHUB_"

#: Every variable, each described in the table above.
VARIABLES = (
    DISABLE_PLUGINS,
    DISABLE_PLUGIN_AUTOLOAD,
    PREFER,
    STRICT,
    DISABLE_CURATED,
    NO_CACHE,
    CACHE_DIR,
    HOME,
    INDEX,
    INDEX_TIMEOUT,
    ALLOWED_PROVIDERS,
    ALLOWED_PACKAGES,
    ALLOWLIST_FILE,
    ALLOWED_MEMBERS,
    DEBUG,
    ACTIVATE,
)


def text(variable: str) -> str:
    """The variable's value, stripped; ``""`` when unset."""
    return os.environ.get(variable, "").strip()


def flag(variable: str) -> bool:
    """A switch: set to anything but ``""``, ``0``, ``false`` or ``no``."""
    return text(variable).lower() not in ("", "0", "false", "no")


def items(variable: str) -> list[str]:
    """A comma-separated list, without blanks."""
    return [item.strip() for item in text(variable).split(",") if item.strip()]


def number(variable: str, default: float) -> float:
    """A number; anything else is a :class:`~layerhub.errors.ConfigurationError`."""
    value = text(variable)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfigurationError(f"{variable}: expected a number, got {value!r}") from None


def limit(field: str) -> str:
    """The raw value of the limit variable of ``field`` (``max_members`` ->
    ``LAYERHUB_MAX_MEMBERS``); ``""`` when unset."""
    return os.environ.get(f"{LIMIT_PREFIX}{field.upper()}", "").strip()


def user_dir(variable: str, kind: Literal["cache", "data"]) -> Path:
    """The directory ``variable`` names (``~`` expanded), else layerhub's user ``kind``
    directory of the platform (``~/.cache/layerhub``, ``~/.local/share/layerhub``...).

    One helper for every per-user directory (the discovery cache, the trusted index), so
    each is overridden the same way. platformdirs is imported only when the variable is
    unset, and not on Linux, where its answer is the XDG base directories': it costs
    ~10-20 ms (it imports ``tempfile``), a tenth of a first discovery of 500 plugins.
    """
    from pathlib import Path

    configured = text(variable)
    if configured:
        return Path(configured).expanduser()
    if sys.platform.startswith("linux"):  # platformdirs' answer, without its ~20 ms import
        xdg, default = (
            ("XDG_CACHE_HOME", "~/.cache")
            if kind == "cache"
            else ("XDG_DATA_HOME", "~/.local/share")
        )
        return Path(os.environ.get(xdg, "").strip() or os.path.expanduser(default), "layerhub")
    import platformdirs

    finder = platformdirs.user_cache_dir if kind == "cache" else platformdirs.user_data_dir
    return Path(finder("layerhub", appauthor=False))
