"""Replacing a file so that readers see the old content or the new, never half of either.

One mechanism for every file layerhub writes over an existing one: model archives
(:func:`layerhub.kerasio.saving.save_model`), the trusted index and the discovery record.
The new content goes to a temporary file beside the target; once it is complete it is
flushed to disk, renamed over the target in one step, and the directory entry is
flushed too. A failure at any point (an exception, a full disk, a killed process)
leaves the previous file as it was, and the temporary file never outlives an exception.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing", "write_text"]


@contextlib.contextmanager
def replacing(target: Path, *, durable: bool = True) -> Iterator[Path]:
    """A temporary path beside ``target`` to write the new file to; it becomes ``target``
    when the block ends without an exception.

    The temporary name keeps ``target``'s suffix (Keras picks the format by it) and is
    hidden (``.name.<random>.tmp.suffix``); it is not created here, so the writer gives
    the file its usual permissions. ``durable=False`` skips both flushes to disk, for a
    file whose loss in a crash is harmless (the discovery record: a damaged or missing
    one is rebuilt); other processes still see the old file or the new, never a mix.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    # os.urandom, not uuid: importing uuid costs milliseconds on every discovery.
    temporary = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp{target.suffix}")
    try:
        yield temporary
        if durable:
            fsync_file(temporary)
        os.replace(temporary, target)
        if durable:
            fsync_directory(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` atomically (see :func:`replacing`)."""
    with replacing(path, durable=durable) as temporary, open(temporary, "x", encoding="utf-8") as f:
        f.write(text)


def fsync_file(path: Path) -> None:
    """Flush the written bytes to disk before the rename makes them the file."""
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def fsync_directory(path: Path) -> None:
    """Flush the rename itself (the directory entry); not possible on every platform."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
