"""Replacing a small file so that readers see the old content or the new, never half.

The trusted index and the discovery record are read by every process; a crash or a
concurrent writer must not leave either truncated. (Model archives have their own
path, :mod:`layerhub.saving`: Keras writes them, and they are fsynced.)
"""

from __future__ import annotations

import os
from pathlib import Path


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to a unique temporary file beside ``path``, then rename it over
    ``path``; the temporary file never outlives a failure."""
    import tempfile  # here: importing it costs start-up time, and writes are rare

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
