"""``python -m layerhub``: the same as the ``layerhub`` command."""

import sys

from .cli import main

__all__ = []

sys.exit(main())
