"""The pure HDF5 metadata reader agrees with h5py, handles real Keras files itself,
falls back on anything else, and keeps h5py and numpy out of a scan.

Agreement means: for the same bytes and limits, :func:`layerhub.archive.hdf5_hazards.inspect_layout`
returns the same findings (or raises the same ``UnsafeArchiveError``) as the h5py
inspection, or it raises ``UnsupportedHDF5`` and the fallback answers instead.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from fixtures import KERAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import run_python

from layerhub import LayerhubError
from layerhub.archive.hdf5_hazards import inspect_file, inspect_h5, inspect_layout, reading_h5
from layerhub.archive.hdf5_layout import walk_file
from layerhub.archive.limits import Limits
from layerhub.errors import CorruptArchiveError, UnsafeArchiveError
from layerhub.signals import TooManyLinks, UnsupportedHDF5

LIMITS = Limits()
MEMBER = "model.weights.h5"


def outcome(run: Callable[[], list[Any]]) -> tuple[str, Any]:
    try:
        return "findings", run()
    except UnsafeArchiveError as exc:
        return "unsafe", (str(exc), exc.findings)


def h5py_outcome(data: bytes, limits: Limits = LIMITS) -> tuple[str, Any]:
    def run() -> list[Any]:
        with reading_h5("w"):
            f = h5py.File(io.BytesIO(data), "r")
        with f:
            return inspect_file(f, "w", len(data), limits, MEMBER)

    try:
        return outcome(run)
    except CorruptArchiveError as exc:
        return "corrupt", str(exc)


def pure_outcome(data: bytes, limits: Limits = LIMITS) -> tuple[str, Any]:
    try:
        return outcome(lambda: inspect_layout(io.BytesIO(data), "w", len(data), limits, MEMBER))
    except UnsupportedHDF5:
        return "unsupported", None


def assert_agree(data: bytes, limits: Limits = LIMITS) -> str:
    """The pure outcome equals h5py's, or is UnsupportedHDF5; returns which."""
    pure, expected = pure_outcome(data, limits), h5py_outcome(data, limits)
    if pure[0] == "unsupported":
        return "fallback"
    assert expected[0] != "corrupt", f"h5py refuses the file ({expected}) but the pure path read it"
    assert pure == expected
    return "pure"


def h5_bytes(build: Callable[[h5py.File], None], **options: Any) -> bytes:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w", **options) as f:
        build(f)
    return buffer.getvalue()


def links(count: int) -> Callable[[h5py.File], None]:
    def build(f: h5py.File) -> None:
        group = f.create_group("g")
        for i in range(count):
            group.create_dataset(f"d{i:04}", data=np.arange(3, dtype="f4"))
        group["soft"] = h5py.SoftLink("/g/d0000")
        # An external link turns an old-style group into a new-style one: keep it apart.
        f.create_group("x")["ext"] = h5py.ExternalLink("/etc/passwd", "/data")

    return build


def variety(f: h5py.File) -> None:
    """One of everything a weights file might plausibly hold, and a few hazards.

    At most 8 links per group, so that libver="latest" keeps them compact."""
    types = f.create_group("types")
    types.create_dataset("chunked", data=np.ones((64, 64), "f4"), chunks=(8, 8), compression="gzip")
    types.create_dataset("scalar", data=np.float64(3.0))
    types.create_dataset("null", data=h5py.Empty("f4"))
    types.create_dataset("fixed_str", data=np.array([b"abc", b"de"], dtype="S7"))
    types.create_dataset("vlen_str", data=["x", "yz"], dtype=h5py.string_dtype())
    types.create_dataset("array", shape=(4,), dtype=np.dtype(("i2", (3, 2))))
    types.create_dataset("enum", data=np.zeros(2, "i1"), dtype=h5py.enum_dtype({"a": 0, "b": 1}))
    types.create_dataset("bool", data=np.array([True, False]))
    more = f.create_group("more")
    more.create_dataset("half", data=np.zeros(5, "f2"))
    more.create_dataset("big_endian", data=np.zeros(5, ">i8"))
    more.create_dataset("vlen_seq", shape=(2,), dtype=h5py.vlen_dtype("i4"))
    more.create_dataset("resizable", shape=(2, 3), maxshape=(None, 3), dtype="u2")
    more.create_dataset("opaque", data=np.zeros(3, "V6"))
    hazards = f.create_group("hazards")
    hazards.create_dataset("bomb", shape=(10**6, 10**6), dtype="f4", chunks=(1, 1024))
    hazards.create_dataset("outside", shape=(16,), dtype="u1", external=[("/etc/passwd", 0, 16)])
    hazards.create_dataset(
        "outside2", shape=(32,), dtype="u1", external=[("/a", 0, 16), ("/b\xe9", 0, 16)]
    )
    hazards["hard_again"] = types["chunked"]
    group = f.create_group("attrs")
    for i in range(40):
        group.attrs[f"a{i}"] = np.arange(i + 1)
    if f.libver[0] == "latest":  # dense attribute storage, with a fractal heap
        group.attrs["large"] = np.zeros(20_000, "f4")
    group.create_dataset("x", data=[1, 2])
    tracked = f.create_group("tracked", track_order=True)
    for name in "zyxw":
        tracked.create_dataset(name, data=[1])
    tracked["external"] = h5py.ExternalLink("other.h5", "/x")
    tracked["soft"] = h5py.SoftLink("/nowhere")
    f["type"] = np.dtype("<f4")
    f["g/loop"] = f["/"]
    f["g/inner/up"] = f["g"]


def attributes(f: h5py.File) -> None:
    """Many and large attributes: dense attribute storage in a fractal heap (skipped)."""
    group = f.create_group("attrs", track_order=True)
    for i in range(40):
        group.attrs[f"a{i}"] = np.arange(i + 1)
    group.attrs["large"] = np.zeros(20_000, "f4")
    group.create_dataset("x", data=np.arange(6, dtype="f8").reshape(2, 3))
    group["up"] = f["/"]
    f.create_dataset("scalar", data=np.int16(3))
    f.create_dataset("bomb", shape=(10**9,), dtype="f8")


def compound(f: h5py.File) -> None:
    f.create_dataset("compound", data=np.zeros(3, dtype=[("a", "i4"), ("b", "f8")]))
    f.create_dataset("complex", data=np.zeros(3, dtype="c16"))


def virtual(f: h5py.File) -> None:
    layout = h5py.VirtualLayout(shape=(16,), dtype="f4")
    layout[:] = h5py.VirtualSource("/etc/other.h5", "data", shape=(16,))
    f.create_virtual_dataset("virtual", layout)


def committed(f: h5py.File) -> None:
    f["t"] = np.dtype("<f8")
    f.create_dataset("uses_t", shape=(3,), dtype=f["t"])


def crafted() -> dict[str, tuple[bytes, set[str]]]:
    """Files h5py writes, each with the outcomes it may have (pure, fallback)."""
    files = {}
    for libver in ("earliest", "latest"):
        for count in (3, 9, 120):
            # Old-style groups always; new-style ones hold 8 links compactly, then dense.
            ok = {"pure"} if libver == "earliest" or count + 1 <= 8 else {"fallback"}
            files[f"{libver}-{count}"] = (h5_bytes(links(count), libver=libver), ok)
        # libver="latest" indexes chunks in arrays and v2 B-trees: h5py reads those.
        variety_ok = {"pure"} if libver == "earliest" else {"fallback"}
        files[f"{libver}-variety"] = (h5_bytes(variety, libver=libver), variety_ok)
        files[f"{libver}-compound"] = (h5_bytes(compound, libver=libver), {"fallback"})
        files[f"{libver}-virtual"] = (h5_bytes(virtual, libver=libver), {"fallback"})
        files[f"{libver}-committed"] = (h5_bytes(committed, libver=libver), {"fallback"})
    files["latest-attributes"] = (h5_bytes(attributes, libver="latest"), {"pure"})
    files["btree-two-levels"] = (h5_bytes(links(700)), {"pure"})
    files["track-order-file"] = (h5_bytes(links(4), track_order=True), {"pure"})
    files["userblock"] = (h5_bytes(links(3), userblock_size=512), {"fallback"})
    return files


CRAFTED = crafted()


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_files_agree_with_h5py(name: str) -> None:
    data, allowed = CRAFTED[name]
    assert assert_agree(data) in allowed


def test_findings_and_limits_agree_in_detail() -> None:
    data, _ = CRAFTED["earliest-variety"]
    kind, findings = pure_outcome(data)
    assert kind == "findings"
    codes = sorted(f.code for f in findings)
    assert codes == [
        "h5-external-link",
        "h5-external-storage",
        "h5-external-storage",
        "h5-shape-bomb",
    ]
    assert findings == h5py_outcome(data)[1]
    # The link limit: the same error at the same count, both ways.
    for limit in (1, 10, 30):
        limits = Limits(max_members=limit)
        assert pure_outcome(data, limits)[0] == "unsafe"
        assert pure_outcome(data, limits) == h5py_outcome(data, limits)
    # 700 datasets, a soft link, "g", "x" and the external link "x/ext": 704 links.
    two_levels = CRAFTED["btree-two-levels"][0]
    kind, findings = pure_outcome(two_levels, Limits(max_members=704))
    assert [f.location for f in findings] == ["member:model.weights.h5:/x/ext"]
    assert pure_outcome(two_levels, Limits(max_members=703))[0] == "unsafe"


@pytest.mark.slow
def test_hostile_corpus_agrees_with_h5py(corpus: dict[str, Any]) -> None:
    seen = []
    for path in map(Path, corpus["files"]):
        data = path.read_bytes()
        if zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as zf:
                    data = zf.read(MEMBER)
            except (KeyError, NotImplementedError, zipfile.BadZipFile):
                continue  # no weights member, or not one zipfile reads
        if not data.startswith(b"\x89HDF"):
            continue
        seen.append(assert_agree(data))
    assert len(seen) >= 8 and "pure" in seen


@pytest.fixture(scope="module")
def keras_files(seed_models: Path) -> list[Path]:
    """Real Keras files of several layer families (committed), and the seed model."""
    return [*sorted((KERAS / "families").glob("*.keras")), seed_models / "seed.keras"]


@pytest.mark.slow
def test_real_keras_weights_need_no_fallback(keras_files: list[Path]) -> None:
    assert len(keras_files) == 6
    for path in keras_files:
        with zipfile.ZipFile(path) as zf:
            data = zf.read(MEMBER)
        assert pure_outcome(data) == ("findings", []), path.name
        assert h5py_outcome(data) == ("findings", []), path.name


FUZZ = settings(
    max_examples=int(os.environ.get("LAYERHUB_FUZZ_EXAMPLES", "60")),
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def weights(seed_models: Path) -> bytes:
    with zipfile.ZipFile(seed_models / "seed.keras") as zf:
        return zf.read(MEMBER)


@FUZZ
@given(data=st.data())
def test_flipped_and_truncated_weights(weights: bytes, data: st.DataObject) -> None:
    """Findings, UnsupportedHDF5 then h5py, or a LayerhubError: never anything else."""
    mutated = bytearray(weights)
    # Most of the file is weights; aim half the flips at the metadata in the first 4 KiB.
    for _ in range(data.draw(st.integers(1, 8))):
        end = data.draw(st.sampled_from([min(4096, len(mutated)), len(mutated)]))
        mutated[data.draw(st.integers(0, end - 1))] ^= 1 << data.draw(st.integers(0, 7))
    if data.draw(st.booleans()):
        mutated = mutated[: data.draw(st.integers(0, len(mutated)))]
    blob = bytes(mutated)
    try:
        findings = inspect_h5(io.BytesIO(blob), "w", len(blob), LIMITS, MEMBER)
    except LayerhubError:
        return
    assert isinstance(findings, list)


@pytest.mark.parametrize("name", ["earliest-3", "latest-3"])
def test_every_damaged_byte_is_unsupported_where_it_is_read(name: str) -> None:
    """Every byte flipped, every truncation: the walk yields, or raises its own signals.

    It catches nothing wholesale (a ``struct.error`` or ``IndexError`` from a bug in it
    must surface), so malformed input has to be caught where it is read."""
    data = CRAFTED[name][0]
    flipped = (data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :] for i in range(len(data)))
    truncated = (data[:end] for end in range(0, len(data), 4))
    for blob in itertools.chain(flipped, truncated):
        with contextlib.suppress(UnsupportedHDF5, TooManyLinks):
            list(walk_file(io.BytesIO(blob), len(blob), 10_000))


def test_scan_imports_neither_h5py_nor_numpy(seed_models: Path) -> None:
    proc = run_python(
        """
        import sys
        from layerhub.plugins.allowlist import AllowList
        from layerhub.plugins.registry import Registry
        from layerhub.safety.scan import scan_file
        report = scan_file(sys.argv[1], registry=Registry(), policy=AllowList())
        print(sorted(m for m in ("h5py", "numpy", "keras", "tensorflow") if m in sys.modules))
        """,
        str(seed_models / "seed.keras"),
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]"
