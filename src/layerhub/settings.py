"""Every ``LAYERHUB_*`` environment variable, read here and nowhere else.

Settings are read when they are needed, not at import: a test, a notebook or a server
may change the environment between two loads. Each variable is declared once in
:data:`VARIABLES`, with what it does; the README's table and ``docs/`` list the same
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
| ``LAYERHUB_DEBUG=1`` | the CLI shows a traceback for an internal error |
"""

from __future__ import annotations

import os
from typing import NamedTuple

from .errors import ConfigurationError


class Variable(NamedTuple):
    """One environment variable: its name and what it does."""

    name: str
    help: str


DISABLE_PLUGINS = Variable(
    "LAYERHUB_DISABLE_PLUGINS", "disable plugins by entry-point or distribution name"
)
DISABLE_PLUGIN_AUTOLOAD = Variable(
    "LAYERHUB_DISABLE_PLUGIN_AUTOLOAD", "disable every entry-point plugin"
)
PREFER = Variable("LAYERHUB_PREFER", "who wins when two providers claim one name")
STRICT = Variable("LAYERHUB_STRICT", "plugin warnings become errors (for CI)")
DISABLE_CURATED = Variable("LAYERHUB_DISABLE_CURATED", "ignore the curated index")
NO_CACHE = Variable("LAYERHUB_NO_CACHE", "do not record or replay discovery")
CACHE_DIR = Variable("LAYERHUB_CACHE_DIR", "where discovery records live")
HOME = Variable("LAYERHUB_HOME", "where the trusted index lives")
INDEX = Variable("LAYERHUB_INDEX", "an index (file, site or URL) naming what to install")
INDEX_TIMEOUT = Variable("LAYERHUB_INDEX_TIMEOUT", "seconds to wait for an index URL")
ALLOWED_PROVIDERS = Variable(
    "LAYERHUB_ALLOWED_PROVIDERS", "only these distributions may provide objects"
)
ALLOWED_PACKAGES = Variable(
    "LAYERHUB_ALLOWED_PACKAGES", "the packages Keras may import by module name"
)
ALLOWLIST_FILE = Variable("LAYERHUB_ALLOWLIST_FILE", "a TOML file with the allow-lists")
ALLOWED_MEMBERS = Variable(
    "LAYERHUB_ALLOWED_MEMBERS", "glob patterns of extra archive members to accept"
)
DEBUG = Variable("LAYERHUB_DEBUG", "the CLI shows a traceback for an internal error")
#: The archive reader's limits: ``LAYERHUB_<FIELD>`` for each numeric field of
#: :class:`layerhub.archive.limits.Limits` (``LAYERHUB_MAX_MEMBERS``...).
LIMIT_PREFIX = "LAYERHUB_"

VARIABLES: tuple[Variable, ...] = (
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
)


def text(variable: Variable) -> str:
    """The variable's value, stripped; ``""`` when unset."""
    return os.environ.get(variable.name, "").strip()


def flag(variable: Variable) -> bool:
    """A switch: set to anything but ``""``, ``0``, ``false`` or ``no``."""
    return text(variable).lower() not in ("", "0", "false", "no")


def items(variable: Variable) -> list[str]:
    """A comma-separated list, without blanks."""
    return [item.strip() for item in text(variable).split(",") if item.strip()]


def number(variable: Variable, default: float) -> float:
    """A number; anything else is a :class:`~layerhub.errors.ConfigurationError`."""
    value = text(variable)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfigurationError(f"{variable.name}: expected a number, got {value!r}") from None


def limit(field: str) -> str:
    """The raw value of the limit variable of ``field`` (``max_members`` ->
    ``LAYERHUB_MAX_MEMBERS``); ``""`` when unset."""
    return os.environ.get(f"{LIMIT_PREFIX}{field.upper()}", "").strip()
