"""Reading the weight tree of a saved model without building it (no keras import).

Keras keeps weights in HDF5: a ``.weights.h5`` file from ``save_weights``, the
``model.weights.h5`` member of a ``.keras`` archive (zip or unzipped directory) or a
KerasHub preset, the groups of a legacy full-model ``.h5`` file, or shards: the
``.weights.json`` index ``save_weights(..., max_shard_size=)`` writes (a preset's
``model.weights.json``) and the ``.weights.h5`` files it lists beside it, read as one.
Listing every dataset's path, shape and dtype answers "what is in this file, and will
it fit my model?" before any model code is imported.
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from collections.abc import Iterator
from math import prod
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import CorruptArchiveError, UnsafeArchiveError
from .layout import WEIGHTS_MEMBER
from .limits import Limits
from .preset import listed_shards, shard_index_member
from .sources import is_hub

__all__ = ["Weight", "read_weights"]


class Weight(NamedTuple):
    """One stored array: where it sits in the HDF5 tree, its shape and its dtype, and
    for sharded weights the ``shard`` file that holds it. (A named tuple, not a
    dataclass: this module is on the scan's import path, and ``dataclasses`` costs a
    scan process ~9 ms of imports, ``inspect`` with it.)"""

    path: str
    shape: tuple[int, ...]
    dtype: str
    shard: str = ""

    @property
    def size(self) -> int:
        return prod(self.shape)


def read_weights(filepath: str | os.PathLike[str]) -> list[Weight]:
    """Every array stored in the weights of ``filepath``, in HDF5 order (an ``hf://``
    repository's are fetched first, :func:`layerhub.archive.hub.fetch`)."""
    import h5py

    location = os.fspath(filepath)
    path = Path(location)
    if is_hub(location):
        from .hub import fetch

        path = fetch(location).path
    index = sharded_index(path)
    shards = [(file, file.name) for file in shards_of(index)] if index else [(path, "")]
    weights: list[Weight] = []
    for file, shard in shards:
        found: list[tuple[str, Any]] = []

        def visit(name: str, node: Any, found: list[tuple[str, Any]] = found) -> None:
            if isinstance(node, h5py.Dataset):
                found.append((name, node))

        # Only the calls into zipfile and h5py: the same exceptions from layerhub's own
        # code are bugs, and surface as such.
        try:
            with open_weights(file) as source, h5py.File(source, "r") as f:
                f.visititems(visit)
                weights += [
                    Weight(name, tuple(int(n) for n in node.shape), str(node.dtype), shard)
                    for name, node in found
                ]
        except CorruptArchiveError:
            raise
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            where = f"{location} (shard {shard})" if shard else location
            raise CorruptArchiveError(
                f"{where}: not a readable Keras weights file ({' '.join(str(exc).split())})"
            ) from None
    return sorted(weights, key=lambda w: natural_key(w.path))


def sharded_index(path: Path) -> Path | None:
    """The sharded-weights index ``path`` is (a ``.json`` file), or that a directory
    holds instead of ``model.weights.h5`` (a KerasHub preset's ``model.weights.json``)."""
    if path.is_dir():
        index = path / shard_index_member()
        return index if index.is_file() and not (path / WEIGHTS_MEMBER).exists() else None
    return path if path.suffix.lower() == ".json" else None


def shards_of(index: Path, limits: Limits | None = None) -> list[Path]:
    """The shard files ``index`` lists, in order: each a plain file name beside it, and there."""
    limits = limits or Limits.from_env()
    if not index.is_file():
        raise CorruptArchiveError(f"{index}: no such file")
    names, refused = listed_shards(index, limits)
    if refused:
        raise UnsafeArchiveError("; ".join(f.message for f in refused), refused)
    return [index.parent / name for name in names]


def natural_key(path: str) -> list[tuple[int, int | str]]:
    """``vars/2`` before ``vars/10``: Keras numbers a layer's variables in creation order."""
    return [(0, int(part)) if part.isdecimal() else (1, part) for part in path.split("/")]


@contextlib.contextmanager
def open_weights(path: Path) -> Iterator[Any]:
    """The HDF5 data of ``path``: the file itself, or the weights member of a ``.keras``."""
    if not path.exists():
        raise CorruptArchiveError(f"{path}: no such file or directory")
    if path.is_dir():
        member = path / WEIGHTS_MEMBER
        if not member.is_file():
            raise CorruptArchiveError(f"{path}: a directory without {WEIGHTS_MEMBER}")
        yield str(member)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            if WEIGHTS_MEMBER not in zf.namelist():
                raise CorruptArchiveError(f"{path}: a zip archive without {WEIGHTS_MEMBER}")
            with zf.open(WEIGHTS_MEMBER) as member:
                yield member
    else:
        yield str(path)
