"""Bad input is a one-line error; a bug in layerhub is reported as a bug (fresh processes)."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from support import child_env, run_python

# A bug planted inside the zip reader: its KeyError must not pass for a damaged file.
PLANTED_BUG = """
import sys
import layerhub.archive.zipped as zipped
from layerhub.cli import main

def broken(names, limits):
    raise KeyError("a bug in layerhub")

zipped.member_name_findings = broken
sys.exit(main(["scan", sys.argv[1]] if sys.argv[2] == "scan" else ["validate", sys.argv[1]]))
"""


def keras_zip(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", '{"class_name": "Sequential", "config": {}}')
        zf.writestr("model.weights.h5", b"")
    return path


def test_damaged_zip_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    proc = run_python(
        "import sys; from layerhub.cli import main; sys.exit(main(['validate', sys.argv[1]]))",
        str(bad),
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_a_bug_is_an_internal_error_not_a_corrupt_archive(tmp_path):
    archive = keras_zip(tmp_path / "model.keras")
    proc = run_python(PLANTED_BUG, str(archive), "validate", check=False)
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        "layerhub: internal error: KeyError: 'a bug in layerhub' "
        "(set LAYERHUB_DEBUG=1 for a traceback)"
    ]
    assert "not a readable zip" not in proc.stdout + proc.stderr


def test_layerhub_debug_shows_the_traceback(tmp_path):
    archive = keras_zip(tmp_path / "model.keras")
    proc = run_python(
        PLANTED_BUG, str(archive), "validate", env={"LAYERHUB_DEBUG": "1"}, check=False
    )
    assert proc.returncode != 0
    assert "Traceback (most recent call last)" in proc.stderr
    assert "def broken" in proc.stderr or "in broken" in proc.stderr


# Bugs planted in the HDF5 readers (``module:function:Error`` each), then a command on a
# real Keras-saved file: the bug must surface as one, not as a damaged file.
PLANTED_H5_BUG = """
import builtins, importlib, sys
import layerhub.signals
from layerhub.cli import main

def planted(error):
    def broken(*args, **kwargs):
        raise error("a bug in layerhub")
    return broken

command, path, *patches = sys.argv[1:]
for patch in patches:
    module, function, error = patch.split(":")
    error = getattr(builtins, error, None) or getattr(layerhub.signals, error)
    setattr(importlib.import_module("layerhub.archive." + module), function, planted(error))
sys.exit(main([command, path]))
"""

H5_BUGS = {
    # legacy .h5: h5py walks the file, layerhub makes the findings
    "h5": ("seed.h5", ["hdf5_hazards:dataset_findings:KeyError"], "KeyError: 'a bug in layerhub'"),
    # .keras: the pure HDF5 walk itself (this used to fall back to h5py silently)
    "keras-walk": (
        "seed.keras",
        ["hdf5_layout:dataspace:IndexError"],
        "IndexError: a bug in layerhub",
    ),
    # .keras whose weights the pure walk leaves to h5py
    "keras-h5py": (
        "seed.keras",
        ["hdf5_hazards:inspect_layout:UnsupportedHDF5", "hdf5_hazards:dataset_findings:TypeError"],
        "TypeError: a bug in layerhub",
    ),
}


@pytest.mark.parametrize("command", ["scan", "validate"])
@pytest.mark.parametrize("case", sorted(H5_BUGS))
def test_a_bug_in_the_hdf5_readers_is_an_internal_error(seed_models, case, command):
    name, patches, error = H5_BUGS[case]
    proc = run_python(PLANTED_H5_BUG, command, str(seed_models / name), *patches, check=False)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"layerhub: internal error: {error} (set LAYERHUB_DEBUG=1 for a traceback)"
    ]
    assert "not a readable" not in proc.stdout + proc.stderr


def test_a_reader_that_stops_early_ends_the_command_quietly():
    """``layerhub search a | head -c1``: the pipe closes under the command's output (some
    140 KB of the curated index's names, more than a pipe holds)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "layerhub", "search", "a"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(None),
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(1)  # the first byte, as head would, then the pipe closes
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert stderr == ""
