"""Listing the weights stored in a file, without building a model."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from layerhub.archive.weights import read_weights
from layerhub.errors import CorruptArchiveError


def test_weights_in_creation_order_whatever_their_names(tmp_path: Path) -> None:
    path = tmp_path / "w.weights.h5"
    with h5py.File(path, "w") as f:
        for name in ("10", "2", "\u00b2", "b"):  # "²" is a digit, but no decimal number
            f.create_dataset(f"layers/dense/vars/{name}", data=np.zeros((2, 3), "f4"))
    weights = read_weights(path)
    assert [w.path.rsplit("/", 1)[1] for w in weights] == ["2", "10", "b", "\u00b2"]
    assert {(w.shape, w.dtype) for w in weights} == {((2, 3), "float32")}


def test_a_file_that_is_not_hdf5_is_a_corrupt_archive(tmp_path: Path) -> None:
    path = tmp_path / "w.weights.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(CorruptArchiveError, match=r"w\.weights\.h5: not a readable Keras weights"):
        read_weights(path)
    with pytest.raises(CorruptArchiveError, match=r"^[^:]*missing\.h5: no such file or directory$"):
        read_weights(tmp_path / "missing.h5")
