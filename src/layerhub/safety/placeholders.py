"""What Keras's value placeholders ask it to allocate, judged before Keras runs.

Keras deserializes ``{"class_name": "__numpy__", "config": {"value": V, "dtype": D}}``
as ``np.array(V, dtype=D)`` and ``__tensor__`` as ``convert_to_tensor(V, dtype=D)``
(``serialization_lib.deserialize_keras_object``), before any layer is built. ``V`` is
bounded by the config's size, but ``D`` is not: ~100 bytes of config such as
``{"value": [0, 0, 0, 0, 0, 0, 0, 0], "dtype": "S2000000000"}`` (fixed-width bytes), a
subarray dtype ``"(10000,10000)f8"``, a wide ``U``/``V`` or a structured dtype make NumPy
allocate gigabytes for each element. Unicode strings without a width (``dtype`` null,
``"U"``) take the longest string's width for every element, so a long string among many
short ones multiplies too.

The allocation counted is ``itemsize x elements``: the elements are the scalars of
``V`` (NumPy reads every JSON list as a dimension, so a subarray or structured dtype
applies to each scalar), the itemsize comes from a table of the plain dtypes, else from
``numpy.dtype(D).itemsize``, which allocates nothing (NumPy is imported only for such a
dtype). Findings (:func:`placeholder_findings`):

- ``placeholder-allocation``: one placeholder, or all of them together, over
  ``max_placeholder_bytes`` (``LAYERHUB_MAX_PLACEHOLDER_BYTES``);
- ``placeholder-dtype``: a dtype NumPy does not read here (Keras fails on it, and another
  NumPy may read it as a width this one refuses).

Nothing here imports keras.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import settings
from ..archive.limits import Limits
from ..findings import Finding, Severity
from ..references.walk import VALUE_KIND, Reference
from ..signals import UnreadableDtype

__all__ = ["allocation", "itemsize", "placeholder_findings"]

#: Bytes per element of the dtypes Keras writes (``backend.standardize_dtype``), known
#: without NumPy. ``string`` (a TensorFlow string tensor) holds each string once.
PLAIN_ITEMSIZES = {
    "bool": 1,
    "int8": 1,
    "uint8": 1,
    "float8_e4m3fn": 1,
    "float8_e5m2": 1,
    "int16": 2,
    "uint16": 2,
    "float16": 2,
    "bfloat16": 2,
    "int32": 4,
    "uint32": 4,
    "float32": 4,
    "int64": 8,
    "uint64": 8,
    "float64": 8,
    "complex64": 8,
    "complex128": 16,
    "string": 8,  # a TensorFlow string tensor: each string held once, as long as it is
}
#: Bytes per character of the string kinds whose width NumPy takes from the data.
FLEXIBLE_WIDTH = {"U": 4, "S": 1, "V": 1}


def placeholder_findings(references: Iterable[Reference], limits: Limits) -> list[Finding]:
    """A finding for each value placeholder over the limit (or with a dtype NumPy does not
    read), and one for all of them together when only their sum is over it."""
    findings: list[Finding] = []
    total, largest = 0, (0, "", "")
    for ref in references:
        if ref.kind != VALUE_KIND or not isinstance(ref.config, dict):
            continue
        dtype = ref.config.get("dtype")
        try:
            size = allocation(ref.config.get("value"), dtype)
        except UnreadableDtype as exc:
            findings.append(
                Finding(
                    "placeholder-dtype",
                    Severity.HIGH,
                    f"a {ref.class_name} value with the dtype {short(dtype)}, which NumPy does "
                    f"not read ({exc}): Keras fails on it, or another NumPy allocates it",
                    f"{ref.pointer}/config/dtype",
                    ref.class_name,
                )
            )
            continue
        total += size
        if size > largest[0]:
            largest = (size, ref.pointer, ref.class_name)
        if size > limits.max_placeholder_bytes:
            findings.append(
                over_limit(
                    f"a {ref.class_name} value of dtype {short(dtype)} asks Keras to allocate "
                    f"{size} bytes before any layer is built",
                    ref.pointer,
                    ref.class_name,
                    limits,
                )
            )
    if total > limits.max_placeholder_bytes and not any(
        f.code == "placeholder-allocation" for f in findings
    ):
        size, where, name = largest
        findings.append(
            over_limit(
                f"the config's values ask Keras to allocate {total} bytes in all (the most, "
                f"{size}, here)",
                where,
                name,
                limits,
            )
        )
    return findings


def over_limit(message: str, where: str, name: str, limits: Limits) -> Finding:
    return Finding(
        "placeholder-allocation",
        Severity.CRITICAL,
        f"{message}, over the limit of {limits.max_placeholder_bytes} (raise "
        f"{settings.LIMIT_PREFIX}MAX_PLACEHOLDER_BYTES if the file is trusted)",
        where,
        name,
    )


def allocation(value: Any, dtype: Any) -> int:
    """The bytes ``np.array(value, dtype=dtype)`` allocates, counted without allocating:
    the scalars of ``value`` times the dtype's itemsize. Raises :class:`UnreadableDtype`."""
    count, widest = scalars(value)
    fixed, per_character = itemsize(dtype)
    return count * max(fixed, per_character * widest)


def itemsize(dtype: Any) -> tuple[int, int]:
    """The bytes per element of ``dtype``, and per character of the longest string for a
    string dtype whose width NumPy takes from the data (null, ``"U"``, ``"S"``, ``"V"``)."""
    if dtype is None:  # NumPy infers: 8 bytes a number, 4 a character of the longest string
        return 8, 4
    if isinstance(dtype, str) and dtype in PLAIN_ITEMSIZES:
        return PLAIN_ITEMSIZES[dtype], 0
    import numpy  # only for a dtype outside the table: fixed-width, subarray, structured

    try:
        parsed = numpy.dtype(dtype)
    except (TypeError, ValueError, KeyError, OverflowError, SyntaxError) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise UnreadableDtype(reason) from None
    if parsed.itemsize == 0 and parsed.kind in FLEXIBLE_WIDTH:
        return 0, FLEXIBLE_WIDTH[parsed.kind]
    return int(parsed.itemsize), 0


def scalars(value: Any) -> tuple[int, int]:
    """The number of scalars in the nested lists of ``value`` (NumPy's element count for a
    regular array) and the length of its longest string. Iterative: a hostile value may
    nest deeply."""
    count, widest = 0, 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        count += 1
        if isinstance(item, str) and len(item) > widest:
            widest = len(item)
    return count, widest


def short(dtype: Any) -> str:
    """``dtype`` for a message, cut to a readable length."""
    text = repr(dtype)
    return text if len(text) <= 80 else f"{text[:77]}..."
