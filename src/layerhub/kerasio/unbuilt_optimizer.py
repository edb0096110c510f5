"""An optimizer saved before it was built is loaded unbuilt, as it was saved.

A model that was compiled but never trained (the usual state of a model saved by a test,
a model zoo or a training script before ``fit``) stores only its optimizer's own
counters (``iterations``, a learning-rate variable). ``compile_from_config`` in Keras
3.15 builds the optimizer anyway: two slot variables per weight for Adam (880 for a
200-layer model, a quarter of its load, benchmarks/findings.md "Round 3"), and then
``load_own_variables`` finds 881 variables against 1 saved, warns "Skipping variable
loading for optimizer" and loads none of them, not even ``iterations``.

Inside :func:`optimizer_as_saved`, this thread's ``compile_from_config`` does what
Keras's does except that build when the optimizer already has exactly as many variables
as the archive saved for it: the saved state is then loaded in full (no warning), and
Keras builds the slots on the first training step, with the same zeros it would have
given them at load. A trained optimizer (its slots saved) is built as Keras builds it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from .keras_own import patched_while_used, unpatched

__all__ = ["optimizer_as_saved"]

_local = threading.local()


def _compile_from_config(self: Any, config: Any) -> Any:
    saved = getattr(_local, "saved", None)
    from keras.src.trainers.trainer import Trainer

    if saved is None or type(self).compile is not Trainer.compile:
        # Keras's own, with its warning for a custom compile()
        return unpatched(Trainer, "compile_from_config")(self, config)
    from keras.src.saving import serialization_lib

    self.compile(**serialization_lib.deserialize_keras_object(config))
    optimizer = getattr(self, "optimizer", None)
    if optimizer is not None and self.built and len(optimizer.variables) != saved:
        optimizer.build(self.trainable_variables)
    return None


@contextlib.contextmanager
def optimizer_as_saved(saved_variables: int) -> Iterator[None]:
    """Inside, a model compiled from its config builds its optimizer only if the
    archive saved more (or fewer) optimizer variables than the unbuilt one has."""
    from keras.src.trainers.trainer import Trainer

    _local.saved = saved_variables
    try:
        with patched_while_used(Trainer, "compile_from_config", _compile_from_config):
            yield
    finally:
        _local.saved = None
