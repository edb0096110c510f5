"""Attributes of a package imported on first use (PEP 562), after scientific-python's
``lazy_loader.attach``.

Why: ``import layerhub`` and ``import layerhub.checks`` must stay cheap (no keras, no
pluggy, no jsonschema), yet their public names live in modules that import those. A
package declares which module holds each lazy name and gets back the module-level
``__getattr__`` and ``__dir__`` that import it when it is first read. Imports nothing of
layerhub's.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["attach"]


def attach(
    package: str, lazy: Mapping[str, str], public: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: each name of ``lazy`` (name -> the
    absolute name of the module defining it) is imported on first access and then kept
    in the package's namespace, so later reads cost a plain attribute lookup; ``dir()``
    lists ``public`` (the package's ``__all__``).
    """
    lazy = dict(lazy)
    listed = sorted(public)

    def __getattr__(name: str) -> Any:
        module = lazy.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return list(listed)

    return __getattr__, __dir__
