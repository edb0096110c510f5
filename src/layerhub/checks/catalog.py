"""The conformance checks, in the order they run, and which kinds each applies to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import kinds
from .basic import check_imports, check_registered_name
from .config import (
    check_config_json,
    check_config_round_trip,
    check_schema,
    check_serialization_round_trip,
)
from .fresh import check_save_load, check_weights
from .layer import check_layer_call
from .subject import Subject

__all__ = ["BY_NAME", "CHECKS", "Check", "applicable"]

ALL = frozenset({*kinds.KINDS, kinds.UNKNOWN})


@dataclass(frozen=True)
class Check:
    """One conformance check: its name (used in reports and expected failures) and scope."""

    name: str
    function: Callable[[Subject], None]
    kinds: frozenset[str]
    fresh: bool = False  # needs the fresh-process load, batched over the whole run


CHECKS: tuple[Check, ...] = (
    Check("imports", check_imports, ALL),
    Check("registered_name", check_registered_name, ALL),
    Check("config_json", check_config_json, kinds.CONFIGURABLE),
    Check("schema", check_schema, ALL),
    Check("config_round_trip", check_config_round_trip, kinds.CONFIGURABLE),
    Check("serialization_round_trip", check_serialization_round_trip, ALL),
    Check("layer_call", check_layer_call, kinds.CALLABLE_LAYERS),
    Check("save_load", check_save_load, frozenset(kinds.KINDS), fresh=True),
    Check("weights", check_weights, kinds.CALLABLE_LAYERS, fresh=True),
)
"""Every check, in the order they run, each with the object kinds it applies to.

Added in version 0.1.0.
"""
BY_NAME = {check.name: check for check in CHECKS}


def applicable(subject: Subject) -> list[Check]:
    """The checks for ``subject``'s kind; only ``imports`` when the target does not import."""
    from ..errors import CheckFailure

    try:
        kind = subject.kind
    except CheckFailure:
        return [BY_NAME["imports"]]
    return [check for check in CHECKS if kind in check.kinds]
