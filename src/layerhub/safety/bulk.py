"""Scanning many artifacts: in this process or in ``jobs`` processes, the same reports.

The scan of one artifact is a pure function of its bytes (and of the installed plugins
and the allow-list, which every process reads the same): the :func:`scan_artifact` here is that
function, safe to map over paths in any engine (a process pool here; Dask or Ray in
``docs/security.md``'s recipe). It never raises: an unreadable file, or a bug in a
reader, is a finding of its own, so one file never stops a run over a zoo.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

from .. import settings
from ..errors import LayerhubError
from ..findings import Finding, Severity
from ..plugins.allowlist import AllowList
from ..plugins.registry import Registry
from .scan import ScanReport, scan_file

__all__ = ["scan_all", "scan_artifact"]

_POLICY: AllowList | None = None  # per process: the allow-list, read once


def scan_artifact(path: str | os.PathLike[str], registry: Registry | None = None) -> ScanReport:
    """What ``layerhub scan`` reports for one saved model, a pure function of its bytes.

    ``path`` is a ``.keras`` file, a legacy ``.h5``, an unzipped ``.keras`` or KerasHub
    preset directory, a weights-only file (``.weights.h5``, ``.weights.json``, ``.npz``)
    or ``hf://owner/name[@REVISION]``. Nothing is imported but layerhub (no keras, no
    plugin), and it never raises for a file: what would stop a run over a zoo becomes a
    finding, ``unreadable`` for an I/O error and ``internal-error`` for a bug in
    layerhub (raised instead under ``LAYERHUB_DEBUG=1``). Map it over
    :func:`find_artifacts`'s paths on any engine (a process pool, Dask, Ray):
    the reports equal ``layerhub scan --jobs 1``'s (docs/security.md).

    Added in version 0.2.0.
    """
    global _POLICY
    path = os.fspath(path)
    try:
        if _POLICY is None:
            _POLICY = AllowList.load()
        return scan_file(path, registry=registry, policy=_POLICY)
    except LayerhubError:
        raise  # about the setup, not the file (an unusable allow-list file): exit 2
    except OSError as exc:
        message = f"cannot be read: {exc.strerror or exc}"
        return ScanReport(path, None, (Finding("unreadable", Severity.HIGH, message),))
    except Exception as exc:
        if settings.flag(settings.DEBUG):
            raise
        message = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        return ScanReport(path, None, (Finding("internal-error", Severity.HIGH, message),))


def scan_all(
    paths: Sequence[str],
    *,
    jobs: int = 1,
    registry: Registry | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[ScanReport]:
    """The reports of ``paths``, in their order, scanned in ``jobs`` processes.

    ``progress(done)`` is called after each report. With ``jobs`` > 1 the paths are
    handed out in chunks and each worker discovers the plugins itself (from the
    discovery cache) when a file needs them; the reports are the same as with one.
    """
    if jobs <= 1 or len(paths) <= 1:
        reports: Iterator[ScanReport] = (scan_artifact(p, registry) for p in paths)
        yield from counted(reports, progress)
        return
    from concurrent.futures import ProcessPoolExecutor  # here: one process imports nothing more

    workers = min(jobs, len(paths))
    chunk = max(1, min(64, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(workers) as pool:
        yield from counted(pool.map(scan_artifact, paths, chunksize=chunk), progress)


def counted(
    reports: Iterator[ScanReport], progress: Callable[[int], None] | None
) -> Iterator[ScanReport]:
    for done, report in enumerate(reports, 1):
        if progress is not None:
            progress(done)
        yield report
