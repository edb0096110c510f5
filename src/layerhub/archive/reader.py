"""``read_archive``: a saved model's config, metadata and manifest, read once and safely.

Nothing here imports keras: ``scan``, ``validate`` and the first stage of
``load_model`` read a model's config without building it. The reader trusts nothing
the file declares:

- a file that is not a readable archive (not a zip, truncated, encrypted, members
  missing or not JSON) raises :class:`~layerhub.errors.CorruptArchiveError`;
- a file that asks for more than :class:`~layerhub.archive.limits.Limits` allow (too
  many members, members or a config too large, a suspicious compression ratio, JSON
  nested too deeply) raises :class:`~layerhub.errors.UnsafeArchiveError` before
  anything large is read;
- hazards that do not stop the reading itself (member names with ``..``, absolute
  paths, backslashes, duplicates or outside the Keras layout; HDF5 external links,
  external storage, virtual datasets, absurd declared shapes) are returned as
  :attr:`ModelArchive.findings` for ``scan`` to report and the policy to refuse.

Every message is one line naming the file and the member.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import CorruptArchiveError
from .layout import H5_SUFFIXES, ModelArchive
from .limits import Limits
from .sources import is_hub
from .zipped import read_zip

__all__ = ["read_archive"]


def read_archive(
    path: str | os.PathLike[str], limits: Limits | None = None, *, weights: bool = True
) -> ModelArchive:
    """Read the model config (and metadata, and layerhub's manifest) of a saved model.

    ``hf://owner/name[@REVISION]`` is a model directory on the Hugging Face Hub: its
    snapshot is fetched first (:func:`layerhub.archive.hub.fetch`) and the archive is
    named ``hf://owner/name@<commit sha>``; ``weights=False`` fetches only its JSON files
    (for commands that never read weights).
    """
    limits = limits or Limits.from_env()
    location = os.fspath(path)
    if is_hub(location):
        from .hub import fetch

        return fetch(location, limits, weights=weights).read(limits)
    p = Path(location)
    if not p.exists():
        raise CorruptArchiveError(f"{location}: no such file or directory")
    # The readers of the rarer formats are imported for the file at hand only: a scan
    # or a load of a .keras zip spends nothing on them.
    if p.is_dir():
        from .directory import read_directory

        return read_directory(p, limits)
    if p.suffix.lower() in H5_SUFFIXES:
        from .legacy_h5 import read_h5

        return read_h5(p, limits)
    return read_zip(p, limits)
