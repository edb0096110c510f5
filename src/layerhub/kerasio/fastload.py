"""Fast load: build the model without paying for initial weights the archive overwrites.

``keras.saving.load_model`` builds every layer with freshly initialized weights, then
overwrites them with the saved values: on large models most of the load time goes into
random numbers that are thrown away. This module runs the same Keras load with three
changes:

1. **Deferred initialization.** While the model is built, a variable whose
   initializer is a pure Keras built-in (its output depends only on shape, dtype and
   an integer seed) gets a placeholder
   instead: uninitialized memory on TensorFlow and PyTorch, nothing at all on JAX
   (Keras's own "uninitialized variable" state, whose reads return the initializer's
   value exactly as Keras does). Every variable the archive does not assign gets its
   real initializer once the load is done, so its value is the one Keras would give.
   Custom initializers, and those seeded with a stateful ``SeedGenerator``, run at once
   as usual. One difference remains on TensorFlow and PyTorch: code that reads a
   variable's *value* while the model is being built, before the archive assigns it,
   sees unspecified numbers where Keras would show random ones.
2. **No copy of the weights.** Keras reads ``model.weights.h5`` into a ``BytesIO``
   before h5py opens it. An archive written by Keras stores that member uncompressed,
   so h5py reads it here straight from the ``.keras`` file
   (:class:`~layerhub.archive.members.MemberReader`) into aligned arrays that the variables
   adopt through DLPack, and the member's CRC-32 is checked on a second thread while
   the model is built, as reading it through ``zipfile`` would.
3. **The optimizer is loaded as saved** (:mod:`.saved_optimizer`): Keras builds the
   optimizer of a compiled, never-trained model at load, then finds its slots missing
   from the archive, warns and loads none of its state; the fast path loads the state
   that was saved and leaves the slots to the first training step. A trained
   optimizer's slots are created holding their saved values, not zeros overwritten.

(Keras's attribute skip-sets are answered once per process meanwhile:
:mod:`.skipsets`.) All of it relies on Keras internals, so the Keras range
it was tested against is pinned (:data:`TESTED_KERAS`), and outside that range, on an
untested backend, or when the file is not a local ``.keras`` zip, Keras's own load runs
instead (:func:`~layerhub.kerasio.keras_own.keras_load_model`, never the public
``keras.saving.load_model``, which may be layerhub itself; logged at debug level). If the fast path
fails for any reason, the load is redone on Keras's own path, so every error a caller
sees is the one Keras raises for that file.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import random as pyrandom
import threading
import weakref
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..archive.layout import WEIGHTS_MEMBER
from ..archive.members import MemberReader, StoredMember, member_crc, stored_member
from .keras_own import keras_load_model
from .saved_optimizer import optimizer_as_saved
from .skipsets import cached_skipsets

__all__ = ["TESTED_KERAS", "fast_load_model", "random_state", "stored_weights"]

logger = logging.getLogger(__name__)

#: Keras versions the fast path is tested against: ``[low, high)`` as (major, minor).
TESTED_KERAS = ((3, 15), (3, 16))
#: Backends whose variable classes the fast path knows.
TESTED_BACKENDS = ("tensorflow", "jax", "torch")
#: On PyTorch, a variable with fewer elements is initialized at once, as Keras does:
#: deferring every small one there (as on TensorFlow and JAX, where that made every
#: measured load faster) left an LSTM model's next training step different from
#: Keras's, for a reason not yet found (benchmarks/findings.md, round 6).
TORCH_MIN_DEFERRED_SIZE = 1 << 16


def fast_load_model(filepath: Any, custom_objects: Any, compile: bool, safe_mode: bool) -> Any:
    """``keras.saving.load_model`` with deferred initialization, on a supported Keras."""
    import keras

    def plain() -> Any:
        return keras_load_model(
            filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
        )

    reason = unsupported_reason(keras)
    if reason:
        logger.debug("layerhub fast load is off (%s); using keras.saving.load_model", reason)
        return plain()
    rng_state = random_state()
    try:
        with deferred_initialization(keras), cached_skipsets():
            window = stored_weights(filepath)
            if window is None:
                return plain()
            return load_keras_zip(os.fspath(filepath), window, custom_objects, compile, safe_mode)
    except Exception as exc:  # redo on Keras's path so the caller sees Keras's own error
        failure = exc
    restore_random_state(rng_state)  # the retry draws the same default seeds Keras would
    model = plain()
    logger.warning(
        "layerhub fast load failed where keras.saving.load_model succeeded (%s: %s); "
        "please report this to layerhub",
        type(failure).__name__,
        failure,
    )
    return model


def unsupported_reason(keras: Any) -> str:
    """Why the fast path cannot run in this process, or ``""`` if it can."""
    try:
        version = tuple(int(p) for p in keras.__version__.split(".")[:2])
    except ValueError:
        return f"unrecognized Keras version {keras.__version__!r}"
    low, high = TESTED_KERAS
    if not low <= version < high:
        return f"Keras {keras.__version__} is outside the tested range {low} to {high}"
    backend = keras.backend.backend()
    if backend not in TESTED_BACKENDS:
        return f"the {backend} backend is not tested"
    if keras.distribution.distribution() is not None:
        return "a keras.distribution is set"
    if keras.config.is_nnx_enabled():
        return "Flax NNX is enabled"
    if backend == "tensorflow":
        import tensorflow as tf

        if tf.distribute.has_strategy():
            return "a tf.distribute strategy is active"
    for owner, names in _INTERNALS.items():
        obj = keras.Variable if owner == "Variable" else _saving_lib()
        missing = [name for name in names if not hasattr(obj, name)]
        if missing:
            return f"Keras lacks the internals the fast path uses: {owner}.{missing[0]}"
    return ""


#: The Keras internals this module touches, checked before each fast load.
_INTERNALS = {
    "Variable": ("_initialize", "_initialize_with_initializer", "_direct_assign", "assign"),
    "saving_lib": (
        "get_attr_skipset",
        "_safe_zip_read",
        "_model_from_config",
        "_load_state",
        "_raise_loading_failure",
        "H5IOStore",
        "DiskIOStore",
        "safe_get_h5_dataset",
        "_CONFIG_FILENAME",
        "_ASSETS_DIRNAME",
    ),
}


def _saving_lib() -> Any:
    from keras.src.saving import saving_lib

    return saving_lib


def random_state() -> tuple[Any, Any]:
    """The global generators Keras draws default initializer seeds from."""
    import numpy as np

    return pyrandom.getstate(), np.random.get_state()


def restore_random_state(state: tuple[Any, Any]) -> None:
    import numpy as np

    pyrandom.setstate(state[0])
    np.random.set_state(state[1])


# -- deferred initialization --------------------------------------------------------------

_local = threading.local()
_patch_lock = threading.Lock()
_patch_users = 0
_saved: dict[str, Any] = {}


@contextlib.contextmanager
def deferred_initialization(keras: Any) -> Iterator[None]:
    """Inside, this thread defers pure initializers of new variables; see the module doc.

    On a normal exit every variable still holding a placeholder gets its real initial
    value. Other threads are unaffected: the patched methods check a thread-local flag.
    """
    _install(keras.Variable)
    pending: dict[int, tuple[Any, Any]] = {}
    _local.pending = pending
    try:
        yield
        _local.pending = None
        for variable, initializer in pending.values():
            variable._initializer = None
            variable.assign(initializer(variable._shape, dtype=variable._dtype))
    finally:
        _local.pending = None
        _uninstall(keras.Variable)


def _install(cls: type) -> None:
    global _patch_users
    with _patch_lock:
        _patch_users += 1
        if _patch_users > 1:
            return
        for name in ("_initialize_with_initializer", "assign", "_direct_assign"):
            _saved[name] = cls.__dict__.get(name)
        original_init = cls._initialize_with_initializer
        original_assign = cls.assign
        original_direct_assign = cls._direct_assign
        placeholder, adopt = _backend_functions()

        def _initialize_with_initializer(self: Any, initializer: Any) -> None:
            pending = getattr(_local, "pending", None)
            if pending is None or not _is_pure(initializer) or not placeholder(self):
                return original_init(self, initializer)
            if not hasattr(self, "_value"):
                self._value = None  # what Keras's own deferred variables hold
            self._initializer = initializer
            pending[id(self)] = (self, initializer)
            return None

        def assign(self: Any, value: Any) -> Any:
            pending = getattr(_local, "pending", None)
            if pending and id(self) in pending and _fresh.get(id(value)) is value:
                value = adopt(self, value)
            return original_assign(self, value)

        def _direct_assign(self: Any, value: Any) -> None:
            pending = getattr(_local, "pending", None)
            if pending and pending.pop(id(self), None) is not None:
                self._initializer = None
                if self._value is None:
                    return self._initialize(value)
            return original_direct_assign(self, value)

        cls._initialize_with_initializer = _initialize_with_initializer
        cls.assign = assign
        cls._direct_assign = _direct_assign


def _uninstall(cls: type) -> None:
    global _patch_users
    with _patch_lock:
        _patch_users -= 1
        if _patch_users:
            return
        for name, original in _saved.items():
            if original is None:
                delattr(cls, name)
            else:
                setattr(cls, name, original)
        _saved.clear()


def _is_pure(initializer: Any) -> bool:
    """A Keras built-in initializer whose output depends only on shape, dtype and seed."""
    import keras

    return (
        isinstance(initializer, keras.initializers.Initializer)
        and type(initializer).__module__.startswith("keras.")
        and not isinstance(getattr(initializer, "seed", None), keras.random.SeedGenerator)
    )


def _backend_functions() -> tuple[Any, Any]:
    """``(placeholder, adopt)`` for the current backend.

    ``placeholder(variable)`` gives a deferred variable its placeholder (False when it
    cannot). TensorFlow needs a real ``tf.Variable`` at once (optimizers key their slots
    by it), and PyTorch a real ``Parameter`` (each layer lists its parameters when it is
    built), so both get uninitialized memory; a JAX variable just stays unset until its
    first assignment.

    ``adopt(variable, array)`` turns an array :class:`WeightsStore` just read into a
    backend tensor sharing its memory (DLPack), so the variable takes the bytes h5py
    wrote without a copy (on PyTorch, Keras copies it once into the placeholder).
    Anything that does not match exactly goes to Keras unchanged.
    """
    import keras

    def matches(variable: Any, array: Any) -> bool:
        return (
            array.dtype.isnative
            and array.flags.c_contiguous
            and array.ctypes.data % ALIGNMENT == 0
            and keras.backend.standardize_dtype(array.dtype) == variable._dtype
            and tuple(array.shape) == tuple(variable._shape)
        )

    if keras.backend.backend() == "jax":
        import jax

        def jax_adopt(variable: Any, array: Any) -> Any:
            return jax.dlpack.from_dlpack(array) if matches(variable, array) else array

        return (lambda variable: True), jax_adopt

    if keras.backend.backend() == "torch":
        import torch
        from keras.src.backend.torch.core import get_device, to_torch_dtype

        def torch_placeholder(variable: Any) -> bool:
            dtype = to_torch_dtype(variable._dtype)
            if dtype == torch.bool or math.prod(variable._shape) < TORCH_MIN_DEFERRED_SIZE:
                return False
            empty = torch.empty(variable._shape, dtype=dtype, device=get_device())
            variable._initialize(empty)
            return True

        # The archive's values are copied into the placeholder's own Parameter, which the
        # layer's ``torch_params`` (its torch.nn.Module parameters) already hold: giving
        # the variable a new tensor instead would leave those pointing at the old one.
        return torch_placeholder, (lambda variable, array: array)

    import tensorflow as tf

    def tf_placeholder(variable: Any) -> bool:
        dtype = tf.as_dtype(variable._dtype)
        if not (dtype.is_floating or dtype.is_integer or dtype.is_complex):
            return False
        empty = tf.raw_ops.Empty(shape=list(variable._shape), dtype=dtype, init=False)
        variable._initialize(empty)
        return True

    def tf_adopt(variable: Any, array: Any) -> Any:
        if not matches(variable, array):
            return array
        return tf.experimental.dlpack.from_dlpack(array.__dlpack__())

    return tf_placeholder, tf_adopt


# -- reading the weights straight from the archive ------------------------------------


def stored_weights(filepath: Any) -> StoredMember | None:
    """The weights member of a local ``.keras`` zip if it is stored uncompressed."""
    path = os.fspath(filepath) if isinstance(filepath, str | os.PathLike) else None
    if path is None or not path.endswith(".keras") or not os.path.isfile(path):
        return None
    if not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as zf:
        try:
            info = zf.getinfo(WEIGHTS_MEMBER)
        except KeyError:
            return None
    return stored_member(path, info)


class _Archive:
    """What ``H5IOStore`` needs of an archive in read mode: ``open(name)``."""

    def __init__(self, member: StoredMember) -> None:
        self._member = member

    def open(self, name: str, mode: str = "r") -> MemberReader:
        return MemberReader(self._member)


#: Arrays :class:`WeightsStore` handed out and nobody else holds yet, by id (weakly).
_fresh: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
#: TensorFlow's buffer alignment; DLPack sharing needs it.
ALIGNMENT = 64


def aligned_empty(shape: tuple[int, ...], dtype: Any) -> Any:
    """An uninitialized C-contiguous array whose data is aligned to :data:`ALIGNMENT`."""
    import numpy as np

    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    raw = np.empty(nbytes + ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    return raw[start : start + nbytes].view(dtype).reshape(shape)


@functools.cache
def weights_store_class() -> type:
    """Keras's ``H5IOStore`` reading each plain dataset into a fresh aligned array."""
    from keras.src.saving import saving_lib

    class WeightsStore(saving_lib.H5IOStore):
        def __getitem__(self, key: str) -> Any:
            dataset = saving_lib.safe_get_h5_dataset(self._h5_entry_group, key)
            if "dtype" in dataset.attrs or not dataset.shape or dataset.dtype.kind not in "fiuc":
                return super().__getitem__(key)
            array = aligned_empty(dataset.shape, dataset.dtype)
            if array.size:
                dataset.read_direct(array)
            _fresh[id(array)] = array
            return array

    return WeightsStore


#: Members smaller than this are checked on the calling thread: starting a thread costs
#: more than the CRC-32 of a few megabytes (a tiny model's load, benchmarks/findings.md).
INLINE_CRC_BYTES = 4 << 20


@contextlib.contextmanager
def crc_checker(member: StoredMember) -> Iterator[Future[int]]:
    """The CRC-32 of ``member``, computed on a second thread while the model is built,
    or at once for a small member."""
    if member.size < INLINE_CRC_BYTES:
        done: Future[int] = Future()
        done.set_result(member_crc(member))
        yield done
        return
    with ThreadPoolExecutor(1) as pool:
        yield pool.submit(member_crc, member)


def load_keras_zip(
    path: str, member: StoredMember, custom_objects: Any, compile: bool, safe_mode: bool
) -> Any:
    """Keras's ``saving_lib._load_model_from_fileobj``, with the weights read in place."""
    from keras.src.saving import saving_lib

    with crc_checker(member) as crc, open(path, "rb") as f, zipfile.ZipFile(f) as zf:
        config_json = saving_lib._safe_zip_read(zf, saving_lib._CONFIG_FILENAME)
        store_class = weights_store_class()
        weights_store = store_class(WEIGHTS_MEMBER, archive=_Archive(member), mode="r")
        asset_store = None
        failed: set[int] = set()
        errors: dict[int, Any] = {}
        try:
            with optimizer_as_saved(weights_store):
                model = saving_lib._model_from_config(
                    config_json, custom_objects, compile, safe_mode
                )
                if len(zf.namelist()) > 3:
                    asset_store = saving_lib.DiskIOStore(
                        saving_lib._ASSETS_DIRNAME, archive=zf, mode="r"
                    )
                saving_lib._load_state(
                    model,
                    weights_store=weights_store,
                    assets_store=asset_store,
                    inner_path="",
                    visited_saveables=set(),
                    failed_saveables=failed,
                    error_msgs=errors,
                )
        finally:
            weights_store.close()
            if asset_store:
                asset_store.close()
        if crc.result() != member.crc:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {WEIGHTS_MEMBER!r}")
        if failed:
            saving_lib._raise_loading_failure(errors)
    return model
