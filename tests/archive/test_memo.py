"""The per-process memory of analyses: one computation per file content, never a stale one."""

from __future__ import annotations

import os
import zipfile

from layerhub.archive.memo import ContentMemo, content_key, unchanged


def archive(path, config: bytes = b'{"a": 1}', weights: bytes = b"w" * 1000) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", config, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("model.weights.h5", weights, compress_type=zipfile.ZIP_STORED)


class Counter:
    def __init__(self, path) -> None:
        self.path, self.calls = path, 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.path.read_bytes()


def test_an_unchanged_file_is_analysed_once(tmp_path):
    path = tmp_path / "m.keras"
    archive(path)
    memo, count = ContentMemo(), Counter(path)
    first, key = memo.get(path, "t", count)
    again, same = memo.get(str(path), "t", count)
    assert count.calls == 1 and again is first and same == key and unchanged(key)
    assert memo.get(path, "other settings", count)[0] == first and count.calls == 2


def test_a_rewritten_file_is_analysed_again_even_with_its_times_put_back(tmp_path):
    path = tmp_path / "m.keras"
    archive(path, weights=b"a" * 1000)
    memo, count = ContentMemo(), Counter(path)
    _, key = memo.get(path, "t", count)
    before = os.stat(path)
    with open(path, "r+b") as f:  # same size, same inode, one byte of a stored member
        data = f.read()
        f.seek(data.index(b"a" * 1000))
        f.write(b"b")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_ino == before.st_ino
    assert not unchanged(key)  # ctime moved (the central directory's CRC is stale too)
    value, fresh = memo.get(path, "t", count)
    assert count.calls == 2 and value == path.read_bytes() and fresh != key


def test_a_file_replaced_by_an_identical_copy_is_analysed_again(tmp_path):
    path, copy = tmp_path / "m.keras", tmp_path / "copy.keras"
    archive(path)
    copy.write_bytes(path.read_bytes())
    memo, count = ContentMemo(), Counter(path)
    _, key = memo.get(path, "t", count)
    os.replace(copy, path)
    assert not unchanged(key)
    memo.get(path, "t", count)
    assert count.calls == 2


def test_the_key_holds_the_central_directory(tmp_path):
    one, two = tmp_path / "one.keras", tmp_path / "two.keras"
    archive(one, config=b'{"a": 1}')
    archive(two, config=b'{"a": 2}')
    k1, k2 = content_key(one), content_key(two)
    assert k1 is not None and k2 is not None
    assert k1.directory and k1.directory != k2.directory  # the CRC-32 of config.json differs
    with zipfile.ZipFile(one) as zf:
        for info in zf.infolist():
            assert info.filename.encode() in k1.directory


def test_a_file_changing_while_it_is_analysed_is_not_remembered(tmp_path):
    path = tmp_path / "m.keras"
    archive(path)
    memo = ContentMemo()

    def analyse_while_written() -> str:
        archive(path, config=b'{"a": "changed"}')
        return "stale"

    value, key = memo.get(path, "t", analyse_while_written)
    assert value == "stale" and not unchanged(key)
    count = Counter(path)
    assert memo.get(path, "t", count)[0] == path.read_bytes() and count.calls == 1


def test_what_is_not_a_regular_file_is_never_remembered(tmp_path):
    memo, calls = ContentMemo(), []
    for _ in range(2):
        _, key = memo.get(tmp_path, "t", lambda: calls.append(1))
        assert key is None and unchanged(key)
    assert len(calls) == 2
    assert content_key(tmp_path / "missing.keras") is None


def test_a_plain_file_is_keyed_on_its_stat(tmp_path):
    path = tmp_path / "legacy.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    key = content_key(path)
    assert key is not None and key.directory == b"" and unchanged(key)
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\1" * 100)
    assert not unchanged(key)


def test_the_memory_keeps_only_the_most_recent_files(tmp_path):
    memo, count = ContentMemo(size=2), {}
    paths = [tmp_path / f"m{i}.keras" for i in range(3)]
    for path in paths:
        archive(path)
        count[path] = Counter(path)
        memo.get(path, "t", count[path])
    memo.get(paths[0], "t", count[paths[0]])
    assert [count[p].calls for p in paths] == [2, 1, 1]
