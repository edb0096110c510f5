"""Reading stored zip members in place: the bytes, seeks and CRC zipfile would give."""

from __future__ import annotations

import io
import os
import random
import zipfile

from layerhub.archive.members import MemberReader, member_crc, stored_member


def archive(path, payload: bytes) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", b"{}", compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("model.weights.h5", payload, compress_type=zipfile.ZIP_STORED)
        zf.writestr("after.bin", b"x" * 100, compress_type=zipfile.ZIP_STORED)


def test_stored_member_reads_exactly_its_bytes_in_any_order(tmp_path):
    payload = os.urandom(300_000)
    path = tmp_path / "m.keras"
    archive(path, payload)
    with zipfile.ZipFile(path) as zf:
        member = stored_member(str(path), zf.getinfo("model.weights.h5"))
        assert stored_member(str(path), zf.getinfo("config.json")) is None  # deflated
    assert member is not None and member.size == len(payload)
    rng = random.Random(0)
    with MemberReader(member) as reader:
        assert reader.read() == payload
        for _ in range(200):
            start = rng.randrange(len(payload) + 10)
            length = rng.randrange(5000)
            reader.seek(start)
            assert reader.read(length) == payload[start : start + length]
        assert reader.seek(-10, io.SEEK_END) == len(payload) - 10
        assert reader.read(100) == payload[-10:]  # never past the member's end
    assert member_crc(member) == member.crc


def test_crc_detects_a_changed_byte(tmp_path):
    path = tmp_path / "m.keras"
    archive(path, bytes(range(256)) * 100)
    with zipfile.ZipFile(path) as zf:
        member = stored_member(str(path), zf.getinfo("model.weights.h5"))
    assert member is not None
    with open(path, "r+b") as f:
        f.seek(member.offset + 1234)
        f.write(b"\xff")
    assert member_crc(member) != member.crc
