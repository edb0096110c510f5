"""Files shipped inside the layerhub package (``data/``, ``schemas/json/``), read cheaply.

Why not :mod:`importlib.resources`: importing it costs ~8 ms (it pulls in ``tempfile``,
``random`` and more), a fifth of what ``layerhub scan`` may spend starting up.
:func:`pkgutil.get_data` asks the package's loader directly, so it works from a wheel,
an editable checkout or a zip alike.
"""

from __future__ import annotations

import pkgutil


def read(path: str) -> bytes:
    """The bytes of ``path`` (``"data/keras_builtins.json"``) inside the layerhub package."""
    data = pkgutil.get_data("layerhub", path)
    if data is None:  # a loader that cannot read files: not a normal installation
        raise FileNotFoundError(f"layerhub/{path}")
    return data
