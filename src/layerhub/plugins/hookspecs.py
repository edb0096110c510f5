"""Hook specifications of the plugin contract, and the marker plugins use.

This module is imported by every plugin module, so it stays tiny: pluggy and the light
registry module only. Each plugin's hook runs on its own (discovery registers it alone
and calls ``pm.hook.layerhub_register``), so ``tryfirst``, ``trylast`` and ``wrapper``
order and wrap that plugin's own implementations, as pluggy documents them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from .registry import ENTRY_POINT_GROUP

if TYPE_CHECKING:
    from .registrar import PluginRegistrar

__all__ = ["ENTRY_POINT_GROUP", "PROJECT_NAME", "hookimpl", "hookspec", "layerhub_register"]

PROJECT_NAME = "layerhub"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a plugin's ``layerhub_register`` implementation (also ``layerhub.hookimpl``);
pluggy's options (``tryfirst``, ``trylast``, ``wrapper``, ``specname``) apply.

Added in version 0.1.0.
"""


@hookspec
def layerhub_register(registry: PluginRegistrar) -> None:
    """Register the plugin's custom objects.

    Call ``registry.add(name, target, *, schema=None, example=None, estimate=None)`` once
    per object.
    ``name`` is the Keras registered name (``"Package>Name"``), ``target`` a lazy
    ``"module.path:attribute"`` reference or the object itself. ``example`` optionally
    names a ``"module:function"`` returning ``(instance, example_input)`` for the
    conformance checks (docs/conformance.md); ``estimate`` a ``"module:function"``
    counting the weights an object's config creates (docs/security.md). The hook must
    not import keras: targets, examples and estimates are imported only when needed.

    Added in version 0.1.0.
    """
