"""What ``layerhub show NAME`` says of a name: who provides it, its target, kind, schema
and the first line of its docstring; else what to install for it.

Kind and docstring of a hook plugin's object come from its import (which imports keras,
through the plugin); a statically declared object's are read from its source
(:mod:`.source_reading`), so that nothing of its distribution runs; trusted and curated
objects answer from their index record. Only the hook plugin's object is imported.
:func:`kind_of` itself never imports keras: a class can derive from a Keras class only if
keras is already imported, so it reads the bases from ``sys.modules``.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..index.document import curated_index
from ..index.requirements import requirements_for
from ..index.trusted import trusted
from ..schemas.refs import load_schema, schema_sha256
from .discovery import get_registry
from .registry import Entry, ProviderSource
from .source_reading import read_description

__all__ = ["KIND_BASES", "Description", "describe", "entry_record", "kind_of", "summary_of"]

#: Keras base classes -> the kind ``show`` and the indexes report, most specific first.
KIND_BASES = (
    ("model", "keras.Model"),
    ("layer", "keras.layers.Layer"),
    ("loss", "keras.losses.Loss"),
    ("metric", "keras.metrics.Metric"),
    ("optimizer", "keras.optimizers.Optimizer"),
    ("schedule", "keras.optimizers.schedules.LearningRateSchedule"),
    ("regularizer", "keras.regularizers.Regularizer"),
    ("initializer", "keras.initializers.Initializer"),
    ("constraint", "keras.constraints.Constraint"),
)


class Description(NamedTuple):
    """One name as ``show`` prints it. ``record`` is who provides it
    (:func:`entry_record`), ``None`` when nothing installed does; then ``requirement`` is
    what to install, if an index knows."""

    name: str
    record: Mapping[str, Any] | None
    kind: str = ""
    summary: str = ""
    schema: Any = None
    requirement: str | None = None

    @property
    def installed(self) -> bool:
        return self.record is not None

    def fields(self) -> dict[str, Any]:
        """The lines of ``show``'s text output, in order (only when installed)."""
        record = dict(self.record or {})
        return {**record, "kind": self.kind, "summary": self.summary, "schema": self.schema}

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` report."""
        if self.installed:
            return {**self.fields(), "installed": True}
        return {"name": self.name, "installed": False, "requirement": self.requirement}


def describe(name: str) -> Description:
    """Who provides ``name`` and with what; a hook plugin's object is imported for its
    kind and docstring, a static declaration's read from its source, a trusted or
    curated one's from its index record."""
    entry = get_registry().get(name)
    if entry is None:
        return Description(name, None, requirement=requirements_for([name]).get(name))
    indexes = {ProviderSource.TRUSTED: trusted, ProviderSource.CURATED: curated_index}
    index = indexes.get(entry.provider.source)
    record = index().record(entry.provider.distribution, name) if index else None
    if record is None and entry.provider.static:
        kind, summary = read_description(entry.target_path)
    elif record is None:
        obj = entry.load()
        kind, summary = kind_of(obj), summary_of(obj)
    else:
        kind, summary = record.get("kind", ""), record.get("summary", "")
    schema = load_schema(entry.schema) if entry.schema is not None else None
    return Description(name, entry_record(name, entry), kind, summary, schema)


def entry_record(name: str, entry: Entry) -> dict[str, Any]:
    """Who provides ``name`` and with what: the manifest line, and the core of ``show``."""
    return {
        "name": name,
        "distribution": entry.provider.distribution,
        "version": entry.provider.version,
        "source": entry.provider.source.value,
        "target": entry.target_path,
        "schema_sha256": schema_sha256(entry.schema),
    }


def kind_of(obj: Any) -> str:
    """``layer``, ``loss``, ... for a Keras object; ``function`` or ``class`` otherwise.

    Never imports keras: ``obj``'s class can derive from a Keras base only if keras is
    imported already (importing any ``keras.src`` module imports ``keras`` first).
    """
    if inspect.isclass(obj):
        keras = sys.modules.get("keras")
        for kind, dotted in KIND_BASES if keras is not None else ():
            base: Any = keras
            for part in dotted.split(".")[1:]:
                base = getattr(base, part)
            if issubclass(obj, base):
                return kind
        return "class"
    return "function" if callable(obj) else "object"


def summary_of(obj: Any) -> str:
    """The first line of the object's own docstring ('' when it has none)."""
    doc = inspect.getdoc(obj) if inspect.isclass(obj) or callable(obj) else None
    if inspect.isclass(obj) and doc and doc == inspect.getdoc(obj.__mro__[1]):
        doc = None  # inherited from a base class: says nothing about this object
    return doc.strip().splitlines()[0].strip() if doc else ""
