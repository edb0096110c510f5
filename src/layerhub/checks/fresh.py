"""The save/load and weights checks: a model holding the object, saved here, loaded fresh.

Every object's probe model is saved to ``.keras`` in this process; one fresh Python
process (:mod:`layerhub.checks.child`) then loads them all through
:func:`layerhub.load_model` and recomputes their outputs. The fresh process is what a
user's later session is: nothing is registered or imported in it beforehand.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import child
from ..errors import CheckFailure
from ..signals import CheckSkipped, ChildFailed
from . import kinds
from .config import brief
from .probe import build_probe, prepare_training, reference, weight_shapes
from .subject import Subject, default_input_misfit

__all__ = ["Saved", "check_save_load", "check_weights", "share", "waits_for_batch"]

RTOL = 1e-5
ATOL = 1e-6
CHILD_TIMEOUT = 1800
#: The module the fresh process runs.
CHILD = "layerhub.checks.child"


@dataclass
class Saved:
    """One object's archive and what its model computed right after saving."""

    key: str
    archive: Path
    outputs: dict[str, np.ndarray]
    weights: list[list[int]] | None
    manifest: dict[str, Any]


class FreshLoads:
    """Archives saved in this process and loaded, all at once, in one fresh process.

    ``expect`` announces the subjects a run will ask about, so the first question
    prepares and loads them together (one TensorFlow import for the whole suite).
    """

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="layerhub-check-"))
        weakref.finalize(self, shutil.rmtree, self.workdir, ignore_errors=True)
        self.pending: list[Subject] = []
        self.saved: dict[str, Saved | Exception] = {}
        self.loaded: dict[str, dict[str, Any]] = {}

    def expect(self, subjects: list[Subject]) -> None:
        self.pending.extend(s for s in subjects if s.name not in self.saved)

    def outcome(self, subject: Subject) -> tuple[Saved, dict[str, Any]]:
        """What saving and the fresh load gave for ``subject``; raises the save's failure."""
        if subject.name not in self.saved:
            self.run([*self.pending, subject])
        saved = self.saved[subject.name]
        if isinstance(saved, Exception):
            raise saved
        return saved, self.loaded[saved.key]

    def run(self, subjects: list[Subject]) -> None:
        self.pending = []
        batch = [self.save(s) for s in dict.fromkeys(subjects) if s.name not in self.saved]
        batch = [s for s in batch if isinstance(s, Saved)]
        if batch:
            self.loaded.update(self.load_fresh(batch))

    def save(self, subject: Subject) -> Saved | Exception:
        key = str(len(self.saved))
        try:
            self.saved[subject.name] = self.save_probe(subject, key)
        except (CheckFailure, CheckSkipped) as exc:
            self.saved[subject.name] = exc
        except Exception as exc:
            if subject.kind in kinds.CALLABLE_LAYERS and subject.guesses_input:
                self.saved[subject.name] = default_input_misfit(subject, exc)
                return self.saved[subject.name]
            self.saved[subject.name] = CheckFailure(
                f"building a model holding the object failed: {brief(exc)}. "
                "Fix: the object (from its example) must work inside a compiled Keras model."
            )
        return self.saved[subject.name]

    def save_probe(self, subject: Subject, key: str) -> Saved:
        if subject.kind not in kinds.KINDS:
            raise CheckSkipped(f"no probe model for an object of unknown kind {subject.target!r}")
        probe = build_probe(subject)
        prepare_training(probe)
        archive = self.workdir / f"{key}.keras"
        try:
            probe.model.save(archive)
        except Exception as exc:
            raise CheckFailure(
                f"saving a model holding the object to .keras failed: {brief(exc)}. "
                "Fix: make get_config() return JSON values only."
            ) from exc
        inputs = [np.asarray(a) for a in flat_inputs(probe.x)]
        arrays = {f"x.{i}": a for i, a in enumerate(inputs)}
        if probe.y is not None:
            arrays["y"] = probe.y
        np.savez(self.workdir / f"{key}.data.npz", **arrays)
        layer = probe.model.get_layer(probe.layer) if probe.layer else None
        manifest = {
            "archive": str(archive),
            "data": str(self.workdir / f"{key}.data.npz"),
            "inputs": len(inputs),
            "single_input": not isinstance(probe.x, list | tuple),
            "trains": probe.trains,
            "layer": probe.layer,
            "outputs": str(self.workdir / f"{key}.outputs.npz"),
        }
        weights = weight_shapes(layer) if layer is not None else None
        return Saved(key, archive, reference(probe), weights, manifest)

    def load_fresh(self, batch: list[Saved]) -> dict[str, dict[str, Any]]:
        manifest = self.workdir / f"manifest-{batch[0].key}.json"
        manifest.write_text(json.dumps({s.key: s.manifest for s in batch}))
        try:
            return child.run(CHILD, [str(manifest)], timeout=CHILD_TIMEOUT)
        except ChildFailed as exc:
            return {s.key: {"error": f"the fresh process failed: {exc}"} for s in batch}


def flat_inputs(x: Any) -> list[Any]:
    return list(x) if isinstance(x, list | tuple) else [x]


#: The batch each subject of a run shares, so one fresh process loads all their archives.
_batches: weakref.WeakKeyDictionary[Subject, FreshLoads] = weakref.WeakKeyDictionary()


def share(subjects: Iterable[Subject]) -> FreshLoads:
    """One batch for ``subjects``: the first fresh-process check loads them all."""
    subjects = list(dict.fromkeys(subjects))
    loads = FreshLoads()
    for subject in subjects:
        _batches[subject] = loads
    loads.expect(subjects)
    return loads


def loads_for(subject: Subject) -> FreshLoads:
    if subject not in _batches:
        _batches[subject] = FreshLoads()
    return _batches[subject]


def waits_for_batch(subject: Subject) -> bool:
    """Whether asking about ``subject`` will first save and load a whole batch."""
    loads = _batches.get(subject)
    return bool(loads and loads.pending)


def fresh_outcome(subject: Subject) -> tuple[Saved, dict[str, Any]]:
    saved, loaded = loads_for(subject).outcome(subject)
    error = loaded.get("error")
    if error:
        fix = (
            "decorate the class with @keras.saving.register_keras_serializable so Keras saves "
            "it under its registered name (see the registered_name check)"
            if error.startswith("MissingObjectsError")
            else "get_config() must return every constructor argument and from_config must "
            "rebuild nested objects"
        )
        raise CheckFailure(
            f"a model holding the object, saved to .keras, does not load in a fresh process "
            f"through layerhub.load_model: {error}. Fix: {fix}."
        )
    return saved, loaded


def check_save_load(subject: Subject) -> None:
    """A model holding the object saves to ``.keras`` and, loaded in a fresh process
    through ``layerhub.load_model``, computes identical outputs (and, for training-time
    objects, an identical training step)."""
    saved, _ = fresh_outcome(subject)
    fresh = dict(np.load(saved.manifest["outputs"]))
    for name, expected in saved.outputs.items():
        got = fresh.get(name)
        if got is None or got.shape != expected.shape:
            shape = None if got is None else got.shape
            raise CheckFailure(
                f"after reloading in a fresh process, {name} has shape {shape} instead of "
                f"{expected.shape}. Fix: get_config() must carry everything that shapes "
                "the computation."
            )
        if not np.allclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=True):
            diff = float(np.max(np.abs(got.astype(np.float64) - expected.astype(np.float64))))
            raise CheckFailure(
                f"after reloading in a fresh process, {name} differs (max abs difference "
                f"{diff:.3g}). Fix: get_config() must return every constructor argument "
                "that changes the computation, and state must live in weights Keras saves."
            )


def check_weights(subject: Subject) -> None:
    """Weights keep their count and shapes: through ``from_config(get_config())`` and
    through a save and fresh load."""
    instance, x = subject.layer_example()
    try:
        instance(x)
    except Exception as exc:
        if subject.guesses_input:
            raise default_input_misfit(subject, exc) from exc
        raise CheckFailure(f"calling it on the example input raised {brief(exc)}") from exc
    before = weight_shapes(instance)
    try:
        clone = type(instance).from_config(copy.deepcopy(instance.get_config()))
        clone(x)
    except Exception as exc:
        raise CheckFailure(
            f"a clone from_config(get_config()) cannot be called on the example input: "
            f"{brief(exc)}. Fix: get_config() must return every constructor argument."
        ) from exc
    compare_weights(before, weight_shapes(clone), "from_config(get_config())")
    try:
        saved, loaded = fresh_outcome(subject)
    except CheckFailure as exc:
        raise CheckSkipped(
            "weights compared through from_config(get_config()) only: the saved model does "
            "not load in a fresh process (the save_load check reports why)"
        ) from exc
    compare_weights(saved.weights or [], loaded["weights"] or [], "a save and fresh load")


def compare_weights(before: list[list[int]], after: list[list[int]], how: str) -> None:
    if before != after:
        raise CheckFailure(
            f"after {how} the object has {len(after)} weights of shapes {after}, instead of "
            f"{len(before)} of shapes {before}. Fix: get_config() must carry every argument "
            "that decides which weights build() creates."
        )
