"""What was computed from a file's bytes, remembered per process while the file is unchanged.

Why: a process that loads many small models (a test suite, a model zoo scan, a server
that reloads) read, parsed and walked the same file again on every load; on a model of
a few small layers that analysis costs about a tenth of Keras's own load
(benchmarks/findings.md, "Round 2 profiles"). So an analysis is done once per file
*content*, not once per call.

The key (:class:`ContentKey`) is what changes when the bytes do: the resolved path, the
file's device, inode, size, modification *and* status-change times (``ctime`` moves
forward on every write, rename or ``utime``, and no unprivileged process can set it
back), and, for a zip, the raw bytes of its central directory and end record, which
hold every member's name, CRC-32, sizes and offset (so even a rewrite within one tick
of a coarse file-system clock shows). Computing it costs a ``stat``, an ``open`` and
two small reads.

Being safe against a file replaced between analysis and load is the caller's part,
with :func:`unchanged`: ``load_model`` checks the key right before Keras opens the file
and again after Keras has read it, and refuses the result if it moved, so Keras
has read exactly the bytes that were analysed (the window is no wider than with no
memory at all). Values are shared between callers: never mutate one.
"""

from __future__ import annotations

import os
import stat
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import BinaryIO, NamedTuple, TypeVar

__all__ = ["ContentMemo", "T", "content_key", "unchanged"]

T = TypeVar("T")

#: The zip end-of-central-directory record: signature, then fixed fields (22 bytes).
END_RECORD = b"PK\x05\x06"
END_RECORD_BYTES = 22
#: The end record sits within its size plus the longest comment of the file's end.
END_SEARCH = END_RECORD_BYTES + 0xFFFF
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_RECORD = b"PK\x06\x06"
#: A central directory larger than this is not read for the key (stat alone decides).
MAX_DIRECTORY_BYTES = 16 << 20


class ContentKey(NamedTuple):
    """What identifies a file's content (see the module docstring)."""

    path: str
    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int
    directory: bytes


def content_key(path: str | os.PathLike[str]) -> ContentKey | None:
    """The key of the regular file at ``path``; ``None`` for anything else (a directory,
    a missing file, a path that is not a string): such a path is never remembered."""
    try:
        real = os.path.realpath(os.fspath(path))
        with open(real, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            directory = zip_directory(f, st.st_size)
    except (OSError, TypeError, ValueError):
        return None
    return ContentKey(
        real, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, directory
    )


def zip_directory(f: BinaryIO, size: int) -> bytes:
    """The central directory and end record of the zip ``f``, raw; ``b""`` if none."""
    start = max(0, size - END_SEARCH)
    f.seek(start)
    tail = f.read(size - start)
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) - at < END_RECORD_BYTES:
        return b""
    length, offset = struct.unpack_from("<II", tail, at + 12)
    if 0xFFFFFFFF in (length, offset):  # zip64: the real values are in the zip64 record
        locator = tail.rfind(ZIP64_LOCATOR, 0, at)
        if locator < 0:
            return tail[at:]
        (record,) = struct.unpack_from("<Q", tail, locator + 8)
        f.seek(record)
        head = f.read(56)
        if len(head) < 56 or not head.startswith(ZIP64_RECORD):
            return tail[at:]
        length, offset = struct.unpack_from("<QQ", head, 40)
    if length > MAX_DIRECTORY_BYTES or offset + length > size:
        return tail[at:]
    f.seek(offset)
    return f.read(length) + tail[at:]


def unchanged(key: ContentKey | None) -> bool:
    """Whether the file ``key`` was taken from still has that content (``None``: no key
    was taken, nothing to compare, so ``True``)."""
    return key is None or content_key(key.path) == key


class ContentMemo:
    """A small per-process memory: ``(tag, file)`` -> value, while the file is unchanged.

    ``tag`` names what was computed and from which settings (say the limits it was read
    under). Holds at most ``size`` values; the least recently used goes first.
    """

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._values: OrderedDict[tuple[Hashable, str], tuple[ContentKey, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, path: str | os.PathLike[str], tag: Hashable, compute: Callable[[], T]
    ) -> tuple[T, ContentKey | None]:
        """``compute()``'s value for the file's current content, and the key it holds for.

        Computes on a miss and remembers the value only if the key did not move while it
        ran: an analysis of a file being written is never kept, and the key returned is
        the one from before, which :func:`unchanged` then rejects. Exceptions propagate
        and are not remembered.
        """
        key = content_key(path)
        if key is None:
            return compute(), None
        slot = (tag, key.path)
        with self._lock:
            hit = self._values.get(slot)
            if hit is not None and hit[0] == key:
                self._values.move_to_end(slot)
                return hit[1], key  # type: ignore[return-value]
        value = compute()
        if content_key(path) != key:
            return value, key  # not kept; the caller's ``unchanged(key)`` says it moved
        with self._lock:
            self._values[slot] = (key, value)
            self._values.move_to_end(slot)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value, key

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
