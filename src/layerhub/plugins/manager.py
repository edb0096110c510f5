"""The pluggy plugin manager discovery registers each plugin with.

Why a subclass: ``pluggy.PluginManager.register`` asks ``parse_hookimpl_opts`` about
every attribute of a plugin, and for a module each question is an
``inspect.getattr_static`` walk of the module's type; with 500 plugins that was a tenth
of the first discovery (benchmarks/findings.md, round 3). For a plain module the answer
for a name in its namespace that is not a function, method, ``staticmethod`` or
``classmethod`` is always "not a hook", and for a function carrying the marker it is
the marker's options: both are given from the module's dict. Every other attribute,
and every other kind of plugin object, gets pluggy's own answer
(``parse_hookimpl_opts`` is documented as the method to override for this).
"""

from __future__ import annotations

import types

import pluggy

from . import hookspecs

__all__ = ["PluginManager"]

#: What ``_static_hook_attr`` accepts as a hook; anything else is skipped.
HOOKABLE = (types.FunctionType, types.MethodType, staticmethod, classmethod)
_ABSENT = object()


def data_descriptor_names(kind: type) -> frozenset[str]:
    """The names whose attribute on ``kind`` is a data descriptor (``__dict__``,
    ``__class__``...): ``inspect.getattr_static`` answers with that attribute even where
    the instance's own dict has the name, so pluggy's answer is asked for them."""

    def defines(cls: type, *slots: str) -> bool:
        return any(slot in vars(k) for k in cls.__mro__ for slot in slots)

    attributes: dict[str, object] = {}
    for klass in reversed(kind.__mro__):
        attributes.update(vars(klass))
    return frozenset(
        name
        for name, attr in attributes.items()
        if defines(type(attr), "__get__") and defines(type(attr), "__set__", "__delete__")
    )


MODULE_DATA_DESCRIPTORS = data_descriptor_names(types.ModuleType)


class PluginManager(pluggy.PluginManager):
    """pluggy's manager for the ``layerhub`` hooks, quicker to register a module."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.add_hookspecs(hookspecs)

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        if type(plugin) is types.ModuleType and name not in MODULE_DATA_DESCRIPTORS:
            value = vars(plugin).get(name, _ABSENT)
            if value is not _ABSENT and not isinstance(value, HOOKABLE):
                return None
            if isinstance(value, types.FunctionType):  # where pluggy reads the marker first
                opts = getattr(value, self.project_name + "_impl", None)
                if opts is not None:
                    return opts if isinstance(opts, dict) else None
        return super().parse_hookimpl_opts(plugin, name)
