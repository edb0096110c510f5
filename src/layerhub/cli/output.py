"""Printing for the CLI: JSON for machines, aligned tables for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["emit_json", "table"]


def emit_json(data: Any) -> None:
    """``data`` as JSON: an object's members one a line, a list member's items one a line
    each, everything deeper on that line. Each line is written by the C encoder (an
    indented dump is pure Python: with 500 plugins, half of ``layerhub list --json``)."""
    sys.stdout.write(render(data, "") + "\n")


def render(value: Any, indent: str, depth: int = 0) -> str:
    inner = indent + "  "
    if isinstance(value, dict) and value and depth < 2:
        members = (
            f"{inner}{json.dumps(k)}: {render(v, inner, depth + 1)}" for k, v in value.items()
        )
        return "{\n" + ",\n".join(members) + f"\n{indent}}}"
    if isinstance(value, list) and value and depth < 2:
        items = (f"{inner}{render(v, inner, depth + 1)}" for v in value)
        return "[\n" + ",\n".join(items) + f"\n{indent}]"
    return json.dumps(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
