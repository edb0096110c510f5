"""Inputs found by the coverage-guided fuzzer (scripts/fuzz.py), replayed through the
same targets: each once ended in an exception other than the reader's own signal of a
bad file. Every file in ``tests/fixtures/fuzz/HARNESS/`` is one finding, kept as found.

The smoke run of the fuzzer itself (a few seconds per harness, with atheris) is in
tests/archive/test_fuzz_smoke.py.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from layerhub.archive.limits import Limits
from layerhub.archive.zipped import read_zip
from layerhub.errors import CorruptArchiveError

ROOT = Path(__file__).resolve().parents[2]
FOUND = ROOT / "tests" / "fixtures" / "fuzz"


def load_fuzz_script() -> ModuleType:
    """scripts/fuzz.py as a module (scripts/ is no package); atheris is imported only
    by its fuzzing child, so the targets need nothing beyond layerhub."""
    spec = importlib.util.spec_from_file_location("layerhub_fuzz", ROOT / "scripts" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


FUZZ = load_fuzz_script()
FINDINGS = sorted(p for p in FOUND.glob("*/*") if p.is_file())


def test_every_finding_is_filed_under_a_harness() -> None:
    assert FINDINGS, "no fuzzer findings kept: the directory moved?"
    assert {p.parent.name for p in FINDINGS} <= set(FUZZ.HARNESSES)


@pytest.mark.parametrize("found", FINDINGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_fuzzer_finding_ends_in_a_result_or_the_readers_signal(
    found: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FUZZ.SCRATCH_VARIABLE, str(tmp_path / "scratch.keras"))
    target = FUZZ.HARNESSES[found.parent.name][0]
    target(found.read_bytes())


def test_stored_weights_cut_short_are_a_corrupt_archive(tmp_path: Path) -> None:
    """A stored ``model.weights.h5`` whose declared bytes run past the end of the file
    was read through zipfile's stream, which raised EOFError inside the HDF5 walk."""
    path = tmp_path / "cut.keras"
    path.write_bytes((FOUND / "zip" / "stored-weights-cut-short.keras").read_bytes())
    with pytest.raises(CorruptArchiveError, match=r"cut\.keras: not a readable zip archive"):
        read_zip(path, Limits())
