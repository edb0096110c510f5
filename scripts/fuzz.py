"""Coverage-guided fuzzing of layerhub's hand-written readers of untrusted bytes (atheris).

    python scripts/fuzz.py zip --seconds 60          # one harness, for a minute
    python scripts/fuzz.py all --seconds 5           # each harness in turn (the CI smoke)
    python scripts/fuzz.py hdf5 --runs 1000000       # until a million executions
    python scripts/fuzz.py --replay zip FILE...      # run saved inputs through a target

Needs ``atheris`` (``pip install -e '.[fuzz]'``: prebuilt wheels for CPython 3.11-3.13 on
Linux x86_64). Each harness feeds libFuzzer's inputs to one reader, whose contract is
that every input ends in a result or the reader's own signal of a bad file (a
``LayerhubError`` for the public readers); any other exception, a hang (over
``--timeout`` seconds for one input) or a blow-up of memory (over ``--rss-mb``) is a
finding: libFuzzer stops and saves the input under ``WORKDIR/HARNESS/findings/``. A
finding becomes a regression test: copy the input to ``tests/fixtures/fuzz/HARNESS/``
(tests/archive/test_fuzz_regressions.py replays every file there) and fix the reader.

Seed corpora come from the test files (``tests/fixtures/keras``); the corpus each run
grows is kept in ``WORKDIR/HARNESS/corpus`` so that the next run starts where it left.
Each harness runs in a child process (libFuzzer owns its process and its arguments);
the report gives, per harness, executions, executions per second, coverage, corpus
size and findings.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "keras"
REGRESSIONS = ROOT / "tests" / "fixtures" / "fuzz"
#: Seeds larger than this slow every execution down and add no structure a small one lacks.
MAX_SEED_BYTES = 64 * 1024
WEIGHTS_MEMBER = "model.weights.h5"


# --- targets: one input in, a result or the reader's own signal out -------------------


def zip_target(data: bytes) -> None:
    """The ``.keras`` zip reader (:func:`layerhub.archive.zipped.read_zip`), weights
    included: a ``ModelArchive`` or a ``LayerhubError``."""
    from layerhub.archive.limits import Limits
    from layerhub.archive.zipped import read_zip
    from layerhub.errors import LayerhubError

    path = scratch_file()
    path.write_bytes(data)
    with contextlib.suppress(LayerhubError):
        read_zip(path, Limits())


def hdf5_target(data: bytes) -> None:
    """The pure HDF5 layout walk, as the scan calls it
    (:func:`layerhub.archive.hdf5_hazards.inspect_layout`): findings, a ``LayerhubError``
    (too many objects), or ``UnsupportedHDF5``, the signal to ask h5py instead."""
    from layerhub.archive.hdf5_hazards import inspect_layout
    from layerhub.archive.limits import Limits
    from layerhub.errors import LayerhubError
    from layerhub.signals import UnsupportedHDF5

    with contextlib.suppress(LayerhubError, UnsupportedHDF5):
        inspect_layout(io.BytesIO(data), "fuzz.h5", len(data), Limits(), WEIGHTS_MEMBER)


def npy_target(data: bytes) -> None:
    """The ``.npy`` header reader (:func:`layerhub.archive.npz.read_header`) and the dtype
    check after it: ``(descr, shape)`` or None, or ``ValueError``, its signal of a
    damaged header (which ``inspect_npz`` turns into a ``CorruptArchiveError``)."""
    import math

    from layerhub.archive.npz import holds_objects, read_header

    try:
        header = read_header(data)
    except ValueError:
        return
    if header is not None:
        holds_objects(header[0])
        math.prod(header[1])


def npz_target(data: bytes) -> None:
    """A whole ``model.weights.npz`` (:func:`layerhub.archive.npz.inspect_npz`): findings
    or a ``LayerhubError``."""
    from layerhub.archive.layout import StoredWeights
    from layerhub.archive.npz import inspect_npz
    from layerhub.errors import LayerhubError

    with contextlib.suppress(LayerhubError):
        inspect_npz(io.BytesIO(data), "fuzz.npz", "model.weights.npz", StoredWeights(len(data)))


#: The variable through which the parent names the child's scratch file (and deletes
#: it afterwards: libFuzzer ends its process without running ``atexit`` handlers).
SCRATCH_VARIABLE = "LAYERHUB_FUZZ_SCRATCH"


def scratch_file() -> Path:
    """One file per process for the zip reader, which takes a path: in memory if
    ``/dev/shm`` exists."""
    named = os.environ.get(SCRATCH_VARIABLE)
    if named:
        return Path(named)
    base = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    return Path(base) / f"layerhub-fuzz-{os.getpid()}.keras"


# --- seeds ---------------------------------------------------------------------------


def small(paths: Iterator[Path]) -> Iterator[Path]:
    return (p for p in sorted(paths) if p.stat().st_size <= MAX_SEED_BYTES)


def keras_zips() -> Iterator[tuple[str, bytes]]:
    for p in small(FIXTURES.rglob("*.keras")):
        yield p.name, p.read_bytes()


def h5_files() -> Iterator[tuple[str, bytes]]:
    """Legacy ``.h5`` models, preset weights, and the weights of every ``.keras``."""
    for p in small(FIXTURES.rglob("*.h5")):
        yield p.name, p.read_bytes()
    for p in sorted(FIXTURES.rglob("*.keras")):
        with zipfile.ZipFile(p) as zf:
            if WEIGHTS_MEMBER in zf.namelist():
                data = zf.read(WEIGHTS_MEMBER)
                if len(data) <= MAX_SEED_BYTES:
                    yield f"{p.stem}.weights.h5", data


def npy_files() -> Iterator[tuple[str, bytes]]:
    for p in sorted(FIXTURES.rglob("*.npy")):
        yield p.name, p.read_bytes()[:4096]


def npz_files() -> Iterator[tuple[str, bytes]]:
    """``.npz`` zips of the test arrays, as ``np.savez`` writes them (stored members)."""
    arrays = list(npy_files())
    for deflate in (False, True):
        buffer = io.BytesIO()
        compression = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
        with zipfile.ZipFile(buffer, "w", compression) as zf:
            for name, data in arrays:
                zf.writestr(name, data)
        yield f"arrays{'-deflated' if deflate else ''}.npz", buffer.getvalue()


HARNESSES: dict[str, tuple[Callable[[bytes], None], Callable[[], Iterator[tuple[str, bytes]]]]] = {
    "zip": (zip_target, keras_zips),
    "hdf5": (hdf5_target, h5_files),
    "npy": (npy_target, npy_files),
    "npz": (npz_target, npz_files),
}


# --- the child: libFuzzer's process --------------------------------------------------


def fuzz_child(name: str, libfuzzer_args: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["layerhub"]):
        import layerhub.archive.hdf5_hazards
        import layerhub.archive.hdf5_layout
        import layerhub.archive.members
        import layerhub.archive.npz
        import layerhub.archive.zipped  # noqa: F401
    target = HARNESSES[name][0]
    atheris.Setup([sys.argv[0], *libfuzzer_args], target)
    atheris.Fuzz()


# --- the parent: seeds, one child per harness, the report -----------------------------


def prepare(name: str, workdir: Path) -> tuple[Path, Path, Path]:
    base = workdir / name
    seeds, corpus, findings = base / "seeds", base / "corpus", base / "findings"
    for d in (seeds, corpus, findings):
        d.mkdir(parents=True, exist_ok=True)
    for seed_name, data in HARNESSES[name][1]():
        (seeds / seed_name).write_bytes(data)
    return seeds, corpus, findings


STAT = re.compile(r"^stat::(\w+):\s*(\d+)", re.M)
PROGRESS = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)", re.M)


def run_harness(name: str, args: argparse.Namespace) -> dict:
    seeds, corpus, findings = prepare(name, args.workdir)
    before = set(findings.iterdir())
    command = [
        sys.executable,
        __file__,
        "--child",
        name,
        str(corpus),
        str(seeds),
        f"-max_total_time={args.seconds}",
        f"-rss_limit_mb={args.rss_mb}",
        f"-malloc_limit_mb={args.rss_mb}",
        f"-timeout={args.timeout}",
        f"-artifact_prefix={findings}/",
        "-print_final_stats=1",
    ]
    if args.runs:
        command.append(f"-runs={args.runs}")
    path = [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    scratch = scratch_file()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path), SCRATCH_VARIABLE: str(scratch)}
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    finally:
        scratch.unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    log = done.stderr
    (args.workdir / name / "last.log").write_text(log)
    stats = {key: int(value) for key, value in STAT.findall(log)}
    progress = PROGRESS.findall(log)
    executions = stats.get("number_of_executed_units", int(progress[-1][0]) if progress else 0)
    new = sorted(str(p) for p in set(findings.iterdir()) - before)
    return {
        "harness": name,
        "seconds": round(seconds, 1),
        "executions": executions,
        "executions_per_second": round(executions / seconds) if seconds else 0,
        "coverage": int(progress[-1][1]) if progress else None,
        "features": int(progress[-1][2]) if progress else None,
        "seeds": len(list(seeds.iterdir())),
        "corpus": len(list(corpus.iterdir())),
        "findings": new,
        "exit": done.returncode,
        "error": None if done.returncode == 0 else tail(log),
    }


def tail(log: str, lines: int = 40) -> str:
    return "\n".join(log.splitlines()[-lines:])


def replay(name: str, files: list[str]) -> int:
    """Run saved inputs through a target in this process; an exception surfaces as is."""
    target = HARNESSES[name][0]
    try:
        for file in files:
            target(Path(file).read_bytes())
            print(f"{file}: ok")
    finally:
        scratch_file().unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        fuzz_child(argv[1], argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("harness", choices=[*HARNESSES, "all"])
    parser.add_argument("files", nargs="*", help="with --replay: inputs to run")
    parser.add_argument("--seconds", type=int, default=60, help="per harness (default 60)")
    parser.add_argument("--runs", type=int, default=0, help="stop after this many executions")
    parser.add_argument("--timeout", type=int, default=10, help="seconds for one input")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory limit of the child")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "fuzz")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--replay", action="store_true", help="run FILES through the target")
    args = parser.parse_args(argv)
    names = list(HARNESSES) if args.harness == "all" else [args.harness]
    if args.replay:
        return replay(args.harness, args.files)
    report = []
    for name in names:
        result = run_harness(name, args)
        report.append(result)
        if not args.json:
            print(
                f"{name}: {result['executions']} executions in {result['seconds']} s "
                f"({result['executions_per_second']}/s), cov {result['coverage']} "
                f"ft {result['features']}, corpus {result['corpus']}, "
                f"{len(result['findings'])} findings {result['findings'] or ''}",
                flush=True,
            )
            if result["error"]:
                print(result["error"], file=sys.stderr)
    if args.json:
        print(json.dumps(report, indent=2))
    return 0 if all(r["exit"] == 0 and not r["findings"] for r in report) else 1


if __name__ == "__main__":
    sys.exit(main())
