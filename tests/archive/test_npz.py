"""The ``.npz`` weights inspection: findings from real NumPy files; a damaged file is a
CorruptArchiveError naming it; a bug in layerhub's own code is not passed off as one."""

from __future__ import annotations

import io
import struct
import zipfile

import numpy as np
import pytest

from layerhub.archive import npz
from layerhub.archive.layout import StoredWeights
from layerhub.errors import CorruptArchiveError


def savez(compressed: bool = False, **arrays: object) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def inspect(data: bytes, stored: StoredWeights | None = None) -> list:
    return npz.inspect_npz(io.BytesIO(data), "m.keras!w.npz", "w.npz", stored)


def test_pickled_arrays_and_foreign_members_are_found() -> None:
    data = savez(a=np.zeros((2, 3), "f4"), b=np.array([{"x": 1}], dtype=object))
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.writestr("notes.txt", b"not an array")
    stored = StoredWeights(size=len(data))
    findings = inspect(buffer.getvalue(), stored)
    assert [(f.code, f.location) for f in findings] == [
        ("npz-pickle", "member:w.npz:b.npy"),
        ("npz-not-array", "member:w.npz:notes.txt"),
    ]
    assert stored.elements == 6 + 1


def with_header(header: bytes) -> bytes:
    """An .npz whose one array has ``header`` (padded as NumPy pads it) for a header."""
    head = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.npy", head + b"\x00" * 8)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "header",
    [
        b"{[1]: 2}",  # literal_eval: TypeError (unhashable)
        b"{'descr': '<f4', 'shape': (2,)",  # SyntaxError
        b"-" * 5000 + b"1",  # MemoryError: nested too deep for the parser
        b"{'descr': '<f4', 'shape': (-1,)}",
        b"{'shape': (2,)}",
        b"[1, 2]",
    ],
)
def test_a_malformed_npy_header_is_a_corrupt_archive(header: bytes) -> None:
    with pytest.raises(CorruptArchiveError, match=r"^m\.keras!w\.npz: not a readable \.npz"):
        inspect(with_header(header))


def test_damaged_compressed_bytes_are_a_corrupt_archive() -> None:
    data = bytearray(savez(compressed=True, a=np.arange(5000, dtype="f8")))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.infolist()[0]
    # the local header's own name and extra field lengths (NumPy's extra is a zip64 one)
    name, extra = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name + extra
    data[start : start + 16] = b"\xff" * 16  # the deflate stream: zlib.error
    with pytest.raises(CorruptArchiveError, match=r"not a readable \.npz"):
        inspect(bytes(data))


def test_an_encrypted_member_is_refused() -> None:
    data = bytearray(savez(a=np.zeros(2)))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.infolist()[0]
    # Set the "encrypted" flag in both the local and the central header.
    data[info.header_offset + 6] |= 0x1
    central = bytes(data).rindex(b"PK\x01\x02")
    data[central + 8] |= 0x1
    with pytest.raises(CorruptArchiveError, match=r"a\.npy: an encrypted member"):
        inspect(bytes(data))


def test_a_bug_outside_the_parsers_is_not_a_corrupt_archive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(descr: object) -> bool:
        raise ValueError("a bug in layerhub")

    monkeypatch.setattr(npz, "holds_objects", broken)
    with pytest.raises(ValueError, match="a bug in layerhub") as caught:
        inspect(savez(a=np.zeros(2)))
    assert not isinstance(caught.value, CorruptArchiveError)
