"""A progress bar on stderr, for long runs at a terminal only.

``layerhub scan`` of a zoo can take minutes; a person at a terminal wants to see it
move, a CI log or a pipe wants nothing but the results. The bar is drawn only when
stderr is a terminal and the run has lasted :data:`AFTER` seconds (a short run never
flickers one), at most ten times a second, and erased when the run ends.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["AFTER", "Progress"]

#: Seconds before a bar appears: a run shorter than this is not long.
AFTER = 1.0
WIDTH = 30


class Progress:
    """``progress(done)`` after each item of ``total``; ``close()`` erases the bar."""

    def __init__(self, total: int, stream: TextIO | None = None, after: float = AFTER) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = total > 1 and self.stream.isatty()
        self.start = time.monotonic()
        self.after = after
        self.drawn = 0.0

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.start < self.after or (now - self.drawn < 0.1 and done < self.total):
            return
        self.drawn = now
        filled = WIDTH * done // self.total
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} artifacts, {now - self.start:.0f} s")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.drawn:
            self.stream.write("\r" + " " * (WIDTH + 40) + "\r")
            self.stream.flush()
