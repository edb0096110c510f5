"""The optimizer is loaded as it was saved: unbuilt stays unbuilt, built is built holding
its saved state.

**Saved unbuilt.** A model that was compiled but never trained (the usual state of a
model saved by a test, a model zoo or a training script before ``fit``) stores only its
optimizer's own counters (``iterations``, a learning-rate variable).
``compile_from_config`` in Keras 3.15 builds the optimizer anyway: two slot variables
per weight for Adam (880 for a 200-layer model, a quarter of its load,
benchmarks/findings.md "Round 3"), and then ``load_own_variables`` finds 881 variables
against 1 saved, warns "Skipping variable loading for optimizer" and loads none of them,
not even ``iterations``. Inside :func:`optimizer_as_saved`, this thread's
``compile_from_config`` does what Keras's does except that build when the optimizer
already has exactly as many variables as the archive saved for it: the saved state is
then loaded in full (no warning), and Keras builds the slots on the first training step,
with the same zeros it would have given them at load.

**Saved built** (after training: the slots are in the archive). Keras builds every slot
filled with zeros, then ``load_own_variables`` reads the archive's ``optimizer/vars/<i>``
and assigns it to ``optimizer.variables[i]``: on TensorFlow a second operation per slot,
as costly as creating it (benchmarks/findings.md "Round 6"). Here each slot the build
creates with a constant initializer (zeros, ones, a constant: the ones Keras's
optimizers use) is created holding ``optimizer/vars/<i>`` instead, ``i`` being the index
it takes in ``optimizer.variables``, when that value has exactly the variable's shape
and dtype; ``load_own_variables`` then assigns only the others. Nothing else changes:
the same variables, created by the same Keras code in the same order, end with the same
values. Whatever Keras does not load from ``optimizer/vars`` as the build expected (a
different count, so Keras warns and loads nothing; an optimizer that loads its own
way; one loaded from elsewhere, as a nested model's) gets its initializer's value back
when the load ends, which is what Keras would have left there.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from .keras_own import patched_while_used, unpatched

__all__ = ["OPTIMIZER_PATH", "optimizer_as_saved"]

#: Where Keras saves a model's optimizer in ``model.weights.h5`` (``<path>/vars/<i>``).
OPTIMIZER_PATH = "optimizer"

_local = threading.local()


class _Loading:
    """This thread's load: the archive's optimizer entry and the slots holding it."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.saved = len(store.get(OPTIMIZER_PATH))
        #: The optimizer being built, while it is.
        self.building: Any = None
        #: ``id(optimizer)`` -> ``{index: (variable, initializer)}``: slots created
        #: holding ``optimizer/vars/<index>``, not yet settled by ``load_own_variables``.
        self.holding: dict[int, dict[int, tuple[Any, Any]]] = {}

    def saved_value(self, index: int, shape: Any, dtype: str) -> Any:
        """``optimizer/vars/<index>`` if the archive has it with this shape and dtype."""
        if index >= self.saved:
            return None
        import keras

        value = self.store[str(index)]
        if (
            getattr(value, "shape", None) != tuple(shape)
            or keras.backend.standardize_dtype(value.dtype) != dtype
        ):
            return None
        return value


def _compile_from_config(self: Any, config: Any) -> Any:
    loading = getattr(_local, "loading", None)
    from keras.src.trainers.trainer import Trainer

    if loading is None or type(self).compile is not Trainer.compile:
        # Keras's own, with its warning for a custom compile()
        return unpatched(Trainer, "compile_from_config")(self, config)
    from keras.src.saving import serialization_lib

    self.compile(**serialization_lib.deserialize_keras_object(config))
    optimizer = getattr(self, "optimizer", None)
    if optimizer is not None and self.built and len(optimizer.variables) != loading.saved:
        loading.store.get(OPTIMIZER_PATH)  # the entry the store reads from until _load_state
        loading.building = optimizer
        try:
            optimizer.build(self.trainable_variables)
        finally:
            loading.building = None
    return None


def _constant_initializer(initializer: Any) -> Any:
    """``initializer`` as a Keras initializer object if it is a built-in constant one."""
    from keras import initializers

    try:
        initializer = initializers.get(initializer)
    except ValueError:
        return None
    constant = (initializers.Zeros, initializers.Ones, initializers.Constant)
    return initializer if type(initializer) in constant else None


def _add_variable(self: Any, shape: Any, initializer: Any = "zeros", *args: Any, **kwargs: Any):
    from keras.src.optimizers.base_optimizer import BaseOptimizer

    own = unpatched(BaseOptimizer, "add_variable")
    loading = getattr(_local, "loading", None)
    constant = _constant_initializer(initializer)
    if (
        loading is None
        or loading.building is not self
        or constant is None
        or type(self).load_own_variables is not _load_own_variables  # it loads its own way
    ):
        return own(self, shape, initializer, *args, **kwargs)
    index = len(self.variables)
    held: list[bool] = []

    def saved_or_constant(shape: Any, dtype: Any = None) -> Any:
        # Called by the Variable with its exact shape and dtype.
        value = loading.saved_value(index, shape, dtype)
        held.append(value is not None)
        return constant(shape, dtype=dtype) if value is None else value

    variable = own(self, shape, saved_or_constant, *args, **kwargs)
    if held == [True]:
        loading.holding.setdefault(id(self), {})[index] = (variable, constant)
    return variable


def _load_own_variables(self: Any, store: Any) -> None:
    from keras.src.optimizers.base_optimizer import BaseOptimizer

    own = unpatched(BaseOptimizer, "load_own_variables")
    loading = getattr(_local, "loading", None)
    holding = loading.holding.get(id(self)) if loading is not None else None
    variables = self.variables
    if (
        not holding
        or getattr(store, "_h5_entry_path", None) != OPTIMIZER_PATH
        or len(store.keys()) != len(variables)
    ):
        own(self, store)
        if holding and len(store.keys()) == len(variables):
            del loading.holding[id(self)]  # Keras assigned every variable
        return None  # otherwise Keras warned and assigned none: reset at the end
    del loading.holding[id(self)]
    for i, variable in enumerate(variables):
        if holding.get(i, (None,))[0] is not variable:
            variable.assign(store[str(i)])
    return None


@contextlib.contextmanager
def optimizer_as_saved(weights_store: Any) -> Iterator[None]:
    """Inside, a model compiled from its config builds its optimizer only if the
    archive saved more (or fewer) optimizer variables than the unbuilt one has, and
    builds its slots holding the archive's values.

    ``weights_store`` is the load's ``H5IOStore``; the context must span both the
    model's construction and ``saving_lib._load_state``.
    """
    from keras.src.optimizers.base_optimizer import BaseOptimizer
    from keras.src.trainers.trainer import Trainer

    previous = getattr(_local, "loading", None)
    loading = _local.loading = _Loading(weights_store)
    try:
        with (
            patched_while_used(Trainer, "compile_from_config", _compile_from_config),
            patched_while_used(BaseOptimizer, "add_variable", _add_variable),
            patched_while_used(BaseOptimizer, "load_own_variables", _load_own_variables),
        ):
            yield
        for held in loading.holding.values():
            for variable, constant in held.values():
                variable.assign(constant(variable.shape, dtype=variable.dtype))
    finally:
        _local.loading = previous
