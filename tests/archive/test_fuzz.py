"""Property-based fuzzing of the archive reader, the reference walk and the scan analysis.

Mutated, truncated and random archives either read or raise a ``LayerhubError``, never
anything else, and never hang (each example has a deadline). CI runs a bounded number
of examples: ``LAYERHUB_FUZZ_EXAMPLES`` (default 60 per property) raises it locally.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layerhub import LayerhubError
from layerhub.archive.reader import read_archive
from layerhub.plugins.allowlist import AllowList
from layerhub.plugins.registry import Registry
from layerhub.safety.scan import analyze, scan_file

FUZZ = settings(
    max_examples=int(os.environ.get("LAYERHUB_FUZZ_EXAMPLES", "60")),
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                ["class_name", "config", "module", "registered_name", "layers", "function", "value"]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=40,
)
#: Values the walk treats specially, so the fuzzer reaches its branches.
NAMES = st.sampled_from(
    [
        "Lambda",
        "__lambda__",
        "function",
        "StringLookup",
        "TFSMLayer",
        "keras.config",
        "builtins",
        "os",
        "Pkg>name",
        "4wEAAAAAAAAAAAAAAAEAAAAB",
        "enable_unsafe_deserialization",
    ]
)
CONFIGS = st.recursive(
    JSON | NAMES,
    lambda children: (
        st.dictionaries(
            st.sampled_from(["class_name", "config", "module", "registered_name", "vocabulary"]),
            children | NAMES,
            max_size=5,
        )
        | st.lists(children, max_size=4)
    ),
    max_leaves=30,
)


@pytest.fixture(scope="module")
def seed_bytes(seed_models: Path) -> bytes:
    return (seed_models / "seed.keras").read_bytes()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def read_or_refuse(path: Path) -> None:
    """The property: read_archive returns or raises a LayerhubError; scan never raises."""
    try:
        archive = read_archive(path)
    except LayerhubError as exc:
        assert "\n" not in str(exc)
    else:
        analyze(archive, Registry(), AllowList())
    scan_file(path, registry=Registry(), policy=AllowList())


@FUZZ
@given(data=st.data())
def test_mutated_real_archives(seed_bytes, work, data):
    blob = bytearray(seed_bytes)
    flips = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(blob) - 1), st.integers(0, 255)), min_size=1, max_size=8
        )
    )
    for position, value in flips:
        blob[position] = value
    cut = data.draw(st.integers(0, len(blob)))
    path = work / "mutated.keras"
    path.write_bytes(bytes(blob[:cut] if data.draw(st.booleans()) else blob))
    read_or_refuse(path)


@FUZZ
@given(blob=st.binary(max_size=4096), suffix=st.sampled_from([".keras", ".h5"]))
def test_random_bytes(work, blob, suffix):
    path = work / f"random{suffix}"
    path.write_bytes(blob)
    read_or_refuse(path)


@FUZZ
@given(config=CONFIGS)
def test_random_configs_in_a_real_archive(seed_bytes, work, config):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed_bytes)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "config.json":
                body = json.dumps(config).encode()
            zout.writestr(info.filename, body)
    path = work / "config.keras"
    path.write_bytes(out.getvalue())
    read_or_refuse(path)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@FUZZ
@given(
    names=st.lists(
        # names zipfile can write: no NUL (it cuts there), no lone surrogates (not UTF-8)
        st.text(
            st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]),
            min_size=1,
            max_size=30,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_random_member_names(seed_bytes, work, names):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed_bytes)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        for name in names:
            zout.writestr(name, b"{}")
    path = work / "names.keras"
    path.write_bytes(out.getvalue())
    read_or_refuse(path)
