"""Inspecting a ``model.weights.npz`` member without unpickling or importing NumPy.

Keras can store weights as an ``.npz`` (a zip of ``.npy`` arrays) and reads it with
``np.load(allow_pickle=False)``, so an array of Python objects (dtype ``O``, whose
bytes are a pickle) fails inside Keras; other readers of the same file (a script, an
older NumPy default, a converter) may unpickle it, which runs arbitrary code. This
reads only each ``.npy`` header, a Python literal parsed with :func:`ast.literal_eval`,
and reports every array that holds objects, every member that is not an ``.npy`` array
(``np.load`` hands those back as raw bytes), and tallies the elements the arrays hold.
"""

from __future__ import annotations

import math
import zipfile
from typing import IO, Any

from ..findings import Finding, Severity
from .layout import StoredWeights
from .members import ZIP_ERRORS, damaged_as_corrupt, refuse_encrypted

__all__ = ["inspect_npz"]

NPY_MAGIC = b"\x93NUMPY"
#: The largest header NumPy itself accepts (``numpy.lib.format``'s default limit).
MAX_HEADER_BYTES = 10_000
#: What :func:`ast.literal_eval` raises on a header that is no Python literal (a
#: ``MemoryError`` for an expression nested too deep for its parser).
LITERAL_ERRORS = (SyntaxError, ValueError, TypeError, MemoryError, RecursionError)


def inspect_npz(
    stream: IO[bytes], where: str, member: str, stored: StoredWeights | None = None
) -> list[Finding]:
    """Hazards of the ``.npz`` in ``stream`` (seekable): pickled arrays, foreign members."""
    findings: list[Finding] = []
    with damaged_as_corrupt(where, ".npz", ZIP_ERRORS):
        npz = zipfile.ZipFile(stream)
    with npz:
        for info in npz.infolist():
            location = f"member:{member}:{info.filename}"
            refuse_encrypted(info, where)
            with damaged_as_corrupt(where, ".npz", ZIP_ERRORS), npz.open(info) as entry:
                header = read_header(entry.read(12 + MAX_HEADER_BYTES))
            if header is None:
                findings.append(
                    Finding(
                        "npz-not-array",
                        Severity.HIGH,
                        "a member that is not an .npy array (np.load returns its raw bytes)",
                        location,
                    )
                )
                continue
            descr, shape = header
            if holds_objects(descr):
                findings.append(
                    Finding(
                        "npz-pickle",
                        Severity.CRITICAL,
                        f"an array of Python objects (dtype {descr!r}): its bytes are a "
                        "pickle, which runs code when loaded with allow_pickle=True",
                        location,
                    )
                )
            if stored is not None:
                stored.elements += math.prod(shape)
    return findings


def read_header(head: bytes) -> tuple[Any, tuple[int, ...]] | None:
    """``(descr, shape)`` of an ``.npy`` file starting with ``head``; None if not one.

    A malformed header raises ``ValueError``, its only signal of a damaged file."""
    if not head.startswith(NPY_MAGIC) or len(head) < 10:
        return None
    major = head[6]
    if major == 1:
        length, start = int.from_bytes(head[8:10], "little"), 10
    elif major in (2, 3):
        length, start = int.from_bytes(head[8:12], "little"), 12
    else:
        return None
    text = head[start : start + length]
    if len(text) != length or length > MAX_HEADER_BYTES:
        raise ValueError("truncated or oversized .npy header")
    import ast  # here: only an .npz of weights is parsed with it

    try:
        literal = ast.literal_eval(text.decode("latin1"))
    except LITERAL_ERRORS as exc:
        raise ValueError(f"an .npy header that is no Python literal ({exc!r})") from None
    if not isinstance(literal, dict) or "descr" not in literal:
        raise ValueError("an .npy header without descr")
    shape = literal.get("shape", ())
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ValueError(f"an .npy header with the shape {shape!r}")
    return literal["descr"], shape


def holds_objects(descr: Any) -> bool:
    """Whether a NumPy dtype description has an object field anywhere (``'|O'``)."""
    if isinstance(descr, str):
        return descr.lstrip("<>|=").startswith("O")
    if isinstance(descr, list):  # structured: [(name, dtype[, shape]), ...]
        return any(
            holds_objects(field[1]) if isinstance(field, tuple) and len(field) > 1 else True
            for field in descr
        )
    return True  # anything else is no dtype NumPy writes: treat it as the worst case
