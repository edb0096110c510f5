"""Put on the PYTHONPATH of every child process of ``make test-fast``: the fast tier
starts no process that imports Keras or a backend, so such an import fails at once,
naming the test to mark ``slow`` (each such child costs 5-7 s on two cores)."""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder

FORBIDDEN = frozenset({"keras", "tensorflow", "jax", "torch"})


class NoKerasInTheFastTier(MetaPathFinder):
    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.partition(".")[0] in FORBIDDEN:
            raise ImportError(
                f"the fast test tier starts no Keras process, but this child imports "
                f"{fullname!r}: mark the test that starts it @pytest.mark.slow"
            )


sys.meta_path.insert(0, NoKerasInTheFastTier())
