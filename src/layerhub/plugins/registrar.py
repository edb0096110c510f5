"""What a plugin's hook receives: ``registry.add(name, target, *, schema=None, example=None,
estimate=None, aliases=())``; the static declaration (``layerhub.objects``) is read into
the same calls.

This is the plugin contract's one call (docs/architecture.md). Each plugin's hook runs
against a registrar of its own, so whatever a failing plugin registered is dropped with
it. A registration that breaks the contract's rules (a malformed schema reference, a
name that would shadow a Keras built-in) is refused with a
:class:`~layerhub.errors.PluginWarning` and the rest of the plugin still works.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from ..errors import PluginWarning
from ..references.keras_names import shadows_builtin
from ..schemas.refs import SchemaRef, ref_problem
from .registry import Entry, Provider, check_target

__all__ = ["PluginRegistrar"]


class PluginRegistrar:
    """What a plugin's ``layerhub_register`` hook receives: ``add`` for one provider.

    Added in version 0.1.0.
    """

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.entries: list[Entry] = []

    def add(
        self,
        name: str,
        target: Any,
        *,
        schema: SchemaRef | None = None,
        example: str | None = None,
        estimate: str | None = None,
        aliases: Iterable[str] = (),
    ) -> None:
        """Register ``target`` under the Keras registered ``name``.

        ``schema`` is a JSON Schema for the object's ``get_config()``: a dict, or
        ``"package:path/inside/package.json"``. ``example`` optionally names a
        ``"module:function"`` taking no arguments and returning ``(instance,
        example_input)`` for the conformance checks (docs/conformance.md).
        ``estimate`` optionally names a ``"module:function"`` (in a module that does
        not import keras) taking the object's config and returning how many weights
        the object itself creates, for the resource budget checked before a load
        (docs/security.md); objects without one count as none.
        ``aliases`` are old registered names of the object: a file saved under one
        loads, with a :class:`~layerhub.errors.RenamedObjectWarning` naming ``name``
        (``aliases`` added in version 0.2.0).
        """
        if not isinstance(name, str) or not name.strip():
            raise TypeError(f"a registered name must be a non-empty string, got {name!r}")
        check_target(target)
        problem = None if schema is None else ref_problem(schema)
        if problem:
            warnings.warn(
                f"{self.provider.describe()}: the schema of {name!r} {problem}; its configs "
                "are not validated",
                PluginWarning,
                stacklevel=2,
            )
            schema = None
        for reference in (example, estimate):
            if reference is not None:
                check_target(reference)
        if isinstance(aliases, str):
            raise TypeError(f"aliases of {name!r} must be a list of names, got {aliases!r}")
        old_names = tuple(aliases)
        if not all(isinstance(a, str) and a.strip() and a != name for a in old_names):
            raise TypeError(f"the aliases of {name!r} must be other non-empty names")
        if shadows_builtin(name):
            warnings.warn(
                f"layerhub plugin {self.provider.distribution!r} may not register {name!r}: "
                "it would shadow a Keras built-in; the registration is ignored",
                PluginWarning,
                stacklevel=2,
            )
            return
        for old in [a for a in old_names if shadows_builtin(a)]:
            warnings.warn(
                f"layerhub plugin {self.provider.distribution!r} may not declare {old!r} as an "
                f"old name of {name!r}: it would shadow a Keras built-in; the alias is ignored",
                PluginWarning,
                stacklevel=2,
            )
            old_names = tuple(a for a in old_names if a != old)
        entry = Entry(name, target, self.provider, schema, example, estimate, old_names)
        self.entries.append(entry)
