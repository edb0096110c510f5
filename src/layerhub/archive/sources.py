"""Which inputs ``load_model`` reads itself, decided the way ``keras.saving.load_model`` does.

layerhub is a drop-in for Keras's loader, so it accepts exactly what Keras accepts and
rejects the rest with Keras's own wording (inside a :class:`~layerhub.LayerhubError`
that is also the ``ValueError`` Keras raises). Local ``.keras`` zips, unzipped
``.keras`` directories and legacy ``.h5`` files are read by :mod:`layerhub.archive.reader`;
``hf://`` repositories are fetched by :mod:`layerhub.archive.hub` and then read like a
directory. Sources only Keras can open (other remote URLs, Orbax checkpoint
directories) cannot be analysed first, so ``load_model`` refuses them in safe mode and
hands them to Keras, with every plugin object in scope, only with ``safe_mode=False``. Nothing here
imports keras.
"""

from __future__ import annotations

import enum
import os
import re
import zipfile
from pathlib import Path

from ..errors import CorruptArchiveError
from .layout import H5_SUFFIXES

__all__ = ["HUB_PREFIX", "Source", "classify_source", "is_hub"]

#: A Hugging Face Hub repository: ``hf://owner/name[@REVISION]``.
HUB_PREFIX = "hf://"
#: ``keras.src.utils.file_utils.is_remote_path``: gfile mounts and any URL scheme.
REMOTE_RE = re.compile(r"^(/cns|/cfs|/gcs|/hdfs|/readahead|/placer|/tfhub|.*://).*$")


class Source(enum.Enum):
    """How ``load_model`` treats an input."""

    ARCHIVE = "archive"  # layerhub reads the config and imports only what it references
    HUB = "hub"  # a Hugging Face Hub repository: fetched, then read like a directory
    KERAS_ONLY = "keras-only"  # only Keras can open it: every plugin object in scope


def is_hub(location: str | os.PathLike[str]) -> bool:
    """Whether ``location`` names a Hugging Face Hub repository (only a ``str`` can:
    ``pathlib`` folds the double slash)."""
    return isinstance(location, str) and location.startswith(HUB_PREFIX)


def classify_source(filepath: str | os.PathLike[str]) -> Source:
    """Decide like ``keras.saving.load_model``; raise its errors for what it rejects."""
    location = os.fspath(filepath)
    if is_hub(location):
        return Source.HUB
    if REMOTE_RE.match(location):
        return Source.KERAS_ONLY
    path = Path(location)
    if path.is_dir():
        # an unzipped .keras archive; any other directory may be an Orbax checkpoint
        return Source.ARCHIVE if (path / "config.json").is_file() else Source.KERAS_ONLY
    if location.endswith(".keras"):
        if not path.exists():
            raise CorruptArchiveError(
                f"File not found: filepath={location}. "
                "Please ensure the file is an accessible `.keras` zip file."  # Keras's words
            )
        if not (path.is_file() and zipfile.is_zipfile(path)):
            # Keras says "File not found" here too, which sends people looking for a
            # file that is right there: say what is actually wrong.
            raise CorruptArchiveError(
                f"{location}: not a zip archive, so not a `.keras` file (truncated, or "
                "another format renamed?)"
            )
        return Source.ARCHIVE
    if location.endswith(H5_SUFFIXES):
        return Source.ARCHIVE
    raise CorruptArchiveError(
        f"File format not supported: filepath={location}. Keras 3 only supports V3 "
        "`.keras` files, unzipped `.keras` directories and legacy H5 format files "
        "(`.h5` extension)."
    )
