"""Keras's attribute skip-sets, computed once per process during a fast load.

While it loads, ``saving_lib._walk_saveable`` asks ``get_attr_skipset(obj_type)`` for
every layer, optimizer, loss and metric it visits. Keras means to keep each answer in
its global state, but stores it under another key than the one it reads
(``saving_attr_skipset_...`` against ``saving_attr_skiplist_...``, Keras 3.15), so every
call builds a reference object (a ``Layer()``, an ``Optimizer(1.0)``...) and lists its
attributes: ≈ 1.5 ms of CPU a call, 7 calls (a fifth) of a compiled 2-layer model's
load, 226 for 200 layers (benchmarks/findings.md, "Round 2 profiles"). Inside
:func:`cached_skipsets` those answers come from a per-process memory instead. The
sets are the ones Keras computes: they depend on the type name alone (the attributes
of a fresh reference object), and Keras's callers only read them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from .keras_own import patched_while_used, unpatched

__all__ = ["cached_skipsets"]

_sets: dict[str, Any] = {}


def _cached(obj_type: str) -> Any:
    found = _sets.get(obj_type)
    if found is None:
        from keras.src.saving import saving_lib

        found = _sets[obj_type] = unpatched(saving_lib, "get_attr_skipset")(obj_type)
    return found


@contextlib.contextmanager
def cached_skipsets() -> Iterator[None]:
    """Inside, ``saving_lib.get_attr_skipset`` answers each type once per process.

    Other threads loading at the same time get the same answers Keras would give
    them; the original function is back once the last user leaves.
    """
    from keras.src.saving import saving_lib

    with patched_while_used(saving_lib, "get_attr_skipset", _cached):
        yield
