"""Killing a process in the middle of ``layerhub.save_model`` (SIGKILL: no handler, no
cleanup) leaves the previous file byte for byte intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from support import child_env

from layerhub.archive.reader import read_archive

pytestmark = pytest.mark.slow

SAVER = """
import sys, keras, layerhub
path = sys.argv[1]
layerhub.save_model(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]), path)
print("saved", flush=True)
big = keras.Sequential([keras.Input((4000,)), keras.layers.Dense(4000)])  # 64 MB of weights
sys.stdin.readline()
print("saving", flush=True)
layerhub.save_model(big, path)
print("done", flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_sigkill_during_save_leaves_the_previous_file_intact(tmp_path):
    target = tmp_path / "model.keras"
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SAVER), str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=child_env(),
    )
    try:
        assert child.stdout.readline().strip() == "saved"
        previous = target.read_bytes()
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "saving"
        deadline = time.monotonic() + 60
        partial = []
        while not partial and time.monotonic() < deadline:
            partial = [p for p in tmp_path.glob(".model.keras.*") if p.stat().st_size > 0]
            time.sleep(0.005)
        assert partial, "the save never started writing its temporary file"
        os.kill(child.pid, signal.SIGKILL)  # mid-write: the temporary file is incomplete
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
    assert target.read_bytes() == previous
    assert read_archive(target).config["class_name"] == "Sequential"
    # The killed writer leaves its temporary file behind, beside (never instead of) the target.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [partial[0].name]
