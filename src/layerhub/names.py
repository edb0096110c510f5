"""Distribution names compared as pip compares them (PEP 503 normalisation).

Why not :func:`packaging.utils.canonicalize_name`: importing ``packaging.utils`` costs
tens of milliseconds (it pulls in ``packaging.tags``), and discovery compares names for
every plugin before any of that is needed.
"""

from __future__ import annotations

import functools
import re

__all__ = ["normalize_name"]

_SEPARATORS = re.compile(r"[-_.]+")


@functools.lru_cache(maxsize=4096)
def normalize_name(name: str) -> str:
    """PEP 503 normalisation, so ``Acme_Blocks`` and ``acme-blocks`` are one distribution."""
    return _SEPARATORS.sub("-", name).lower()
