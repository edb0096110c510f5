"""The object under test: a registry entry, its imported target, its kind and its example.

The example mechanism: ``registry.add(name, target, example="module:function")`` names a
function taking no arguments and returning ``(instance, example_input)``: a freshly built
instance of the object, and an input a layer or model can be called on (``None`` for the
other kinds). It is imported only when the checks run, so the example module may import
keras. Without an example, a class is built with no arguments and a layer is called on
:data:`DEFAULT_INPUT` (a float32 batch of shape ``(2, 4)``); a layer that does not accept
it is skipped with a request for an example, not failed.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Any

from ..errors import CheckFailure, PluginError
from ..kerasio.introspect import kind_of
from ..plugins.registry import Entry, import_target
from ..signals import CheckSkipped
from . import kinds

__all__ = ["Subject", "default_input_misfit"]

#: The input a layer without an example is called on: ``(batch, features)`` float32.
DEFAULT_INPUT_SHAPE = (2, 4)


@dataclass(eq=False)
class Subject:
    """One registered object, with everything the checks need built on demand."""

    entry: Entry

    @property
    def name(self) -> str:
        return self.entry.name

    @functools.cached_property
    def target(self) -> Any:
        """The imported target; a :class:`CheckFailure` if it does not import."""
        try:
            return self.entry.load()
        except PluginError as exc:
            cause = exc.__cause__
            detail = f"{type(cause).__name__}: {cause}" if cause else str(exc)
            raise CheckFailure(
                f"the target {self.entry.target_path!r} does not import ({detail}). Fix: make "
                "the module importable with the plugin's declared dependencies and the "
                "attribute name match the registration."
            ) from exc

    @functools.cached_property
    def kind(self) -> str:
        """The kind of the target, as ``layerhub show`` and the indexes report it;
        ``unknown`` for anything that is not a Keras object of a known kind."""
        kind = kind_of(self.target)
        return kind if kind in kinds.KINDS else kinds.UNKNOWN

    def example(self) -> tuple[Any, Any]:
        """A fresh ``(instance, example_input)``: each check gets objects of its own."""
        if self.kind == kinds.FUNCTION:
            return self.target, None
        if self.entry.example is not None:
            return self.call_example()
        try:
            required = [
                p
                for p in inspect.signature(self.target).parameters.values()
                if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
        except (TypeError, ValueError):
            required = []
        if required:
            names = ", ".join(p.name for p in required)
            raise CheckSkipped(
                f"{self.target.__name__}() needs arguments ({names}) and the registration "
                "gives no example: add example='module:function' returning (instance, input) "
                "to registry.add",
                needs_example=True,
            )
        try:
            return self.target(), None
        except Exception as exc:
            raise CheckFailure(
                f"{self.target.__name__}() raised {type(exc).__name__}: {exc}. Fix: give "
                "registry.add an example='module:function' returning (instance, input)."
            ) from exc

    def call_example(self) -> tuple[Any, Any]:
        example = self.entry.example
        where = example if isinstance(example, str) else getattr(example, "__qualname__", "?")
        try:
            factory = (
                import_target(example, self.entry.provider) if isinstance(example, str) else example
            )
            value = factory()
        except Exception as exc:
            detail = exc.__cause__ if isinstance(exc, PluginError) and exc.__cause__ else exc
            raise CheckFailure(
                f"the example {where!r} failed: {type(detail).__name__}: {detail}. Fix: the "
                "example function takes no arguments and returns (instance, example_input)."
            ) from exc
        if not (isinstance(value, tuple) and len(value) == 2):
            raise CheckFailure(
                f"the example {where!r} returned {type(value).__name__}, not a pair. Fix: "
                "return (instance, example_input), with None as the input for non-layers."
            )
        instance, inputs = value
        if not isinstance(instance, self.target):
            raise CheckFailure(
                f"the example {where!r} returned a {type(instance).__name__}, not a "
                f"{self.target.__name__}. Fix: return an instance of the registered target."
            )
        return instance, inputs

    def layer_example(self) -> tuple[Any, Any]:
        """An instance and input for calling a layer or model (the default input if none)."""
        instance, inputs = self.example()
        if inputs is None:
            import numpy as np

            inputs = np.linspace(-1, 1, num=8, dtype="float32").reshape(DEFAULT_INPUT_SHAPE)
        return instance, inputs

    @property
    def guesses_input(self) -> bool:
        """Whether layer checks run on :data:`DEFAULT_INPUT_SHAPE` instead of an example."""
        return self.entry.example is None


def default_input_misfit(subject: Subject, exc: BaseException) -> CheckSkipped:
    """The skip for a layer that rejects the default input: the plugin owes an example."""
    return CheckSkipped(
        f"the default input, float32 of shape {DEFAULT_INPUT_SHAPE}, does not fit "
        f"({type(exc).__name__}): add example='module:function' returning (instance, input) "
        "to registry.add",
        needs_example=True,
    )
