"""Reading one uncompressed member of a zip archive in place, without ``zipfile``'s copy.

``zipfile.ZipExtFile`` cannot seek backwards without re-reading the member from its
start, so h5py on top of it reads a large ``model.weights.h5`` many times over; the
usual workaround, reading the member into ``BytesIO``, holds a full copy in memory.
Keras writes archive members uncompressed (stored), so their bytes lie contiguously in
the file: :class:`MemberReader` serves them straight from the file, seekable at no cost.
No keras here: ``scan`` and the fast load path both use it.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from ..errors import CorruptArchiveError

__all__ = [
    "ZIP_ERRORS",
    "MemberReader",
    "StoredMember",
    "damaged_as_corrupt",
    "member_crc",
    "refuse_encrypted",
    "stored_member",
]

#: What the zip library raises on a damaged file (the ``.keras`` zip, or an ``.npz``
#: inside it); each becomes a CorruptArchiveError around calls into ``zipfile`` only.
#: (An encrypted member, which zipfile reports with RuntimeError, is refused up front.)
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    zlib.error,
    struct.error,
    OverflowError,
)


@contextlib.contextmanager
def damaged_as_corrupt(
    where: str, kind: str, errors: tuple[type[BaseException], ...]
) -> Iterator[None]:
    """Around calls into a file-format library only (zipfile, h5py, the ``.npy`` header
    parser): what it raises on a damaged file, ``errors``, becomes a CorruptArchiveError
    naming ``where`` and the ``kind`` of file. The same exceptions raised by layerhub's
    own code elsewhere are bugs, and surface as such."""
    try:
        yield
    except errors as exc:
        raise CorruptArchiveError(
            f"{where}: not a readable {kind} ({type(exc).__name__}: {exc})"
        ) from None


LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"


class StoredMember:
    """Where one uncompressed zip member's bytes lie in the file, and their CRC-32."""

    def __init__(self, path: str, offset: int, size: int, crc: int) -> None:
        self.path, self.offset, self.size, self.crc = path, offset, size, crc


def stored_member(path: str, info: zipfile.ZipInfo) -> StoredMember | None:
    """Where the member ``info`` of the zip at ``path`` lies, if it is stored plainly."""
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
        return None
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        header = f.read(LOCAL_HEADER.size)
    if len(header) != LOCAL_HEADER.size:
        return None
    fields = LOCAL_HEADER.unpack(header)
    if fields[0] != LOCAL_HEADER_SIGNATURE:
        return None
    name_length, extra_length = fields[9], fields[10]
    offset = info.header_offset + LOCAL_HEADER.size + name_length + extra_length
    if offset + info.file_size > os.path.getsize(path):
        return None
    return StoredMember(path, offset, info.file_size, info.CRC)


class MemberReader(io.RawIOBase):
    """A read-only, seekable, unbuffered file of one stored member.

    h5py reads through ``readinto``, so dataset bytes go from the page cache straight
    into the caller's arrays: no copy of the whole member is ever held.
    """

    def __init__(self, member: StoredMember) -> None:
        super().__init__()
        self._member = member
        self._file = open(member.path, "rb", buffering=0)  # noqa: SIM115 (closed by close)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        count = max(0, min(len(view), self._member.size - self._pos))
        self._file.seek(self._member.offset + self._pos)
        done = 0
        while done < count:
            n = self._file.readinto(view[done:count])
            if not n:
                break
            done += n
        self._pos += done
        return done

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._member.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def member_crc(member: StoredMember) -> int:
    """CRC-32 of the member's bytes (zlib releases the GIL, so this runs alongside)."""
    crc = 0
    with MemberReader(member) as reader:
        # No larger than the member: zeroing 16 MiB cost a tiny model's load ~2 ms.
        buffer = bytearray(max(1, min(member.size, 16 * 1024 * 1024)))
        while n := reader.readinto(buffer):
            crc = zlib.crc32(memoryview(buffer)[:n], crc)
    return crc


def refuse_encrypted(info: zipfile.ZipInfo, where: str) -> None:
    """Keras writes no encrypted member; zipfile would only fail on one later."""
    if info.flag_bits & 0x1:
        raise CorruptArchiveError(f"{where}!{info.filename}: an encrypted member")
