"""Files shipped inside the layerhub package (``data/``, ``schemas/json/``), read cheaply.

Why not :mod:`importlib.resources`: importing it costs ~8 ms (it pulls in ``tempfile``,
``random`` and more), a fifth of what ``layerhub scan`` may spend starting up; nor
:func:`pkgutil.get_data`, whose module costs ~2 ms more (``weakref`` and friends) for
the three lines it runs. Like it, this asks the package's own loader
(``ResourceLoader.get_data``), so it works from a wheel, an editable checkout or a zip
alike.
"""

from __future__ import annotations

import os
import sys

__all__ = ["read"]


def read(path: str) -> bytes:
    """The bytes of ``path`` (``"data/keras_builtins.json"``) inside the layerhub package."""
    package = sys.modules["layerhub"]
    get_data = getattr(package.__spec__.loader, "get_data", None)
    if get_data is None or not package.__file__:  # not a normal installation
        raise FileNotFoundError(f"layerhub/{path}")
    return get_data(os.path.join(os.path.dirname(package.__file__), *path.split("/")))
