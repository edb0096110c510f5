"""What ``load_model`` refuses, decided before Keras sees the file.

:func:`check_archive` runs the same analysis as ``layerhub scan`` and raises
:class:`~layerhub.UnsafeArchiveError` naming every refused finding with its location:

- under ``safe_mode=True`` (the default), every finding of severity ``high`` or above:
  lambdas, non-modeling APIs, layers that read files or run external code, external
  modules, HDF5 links and shape bombs. This covers legacy ``.h5`` files too, for which
  Keras itself ignores ``safe_mode``;
- always, even under ``safe_mode=False`` (the documented opt-out for trusted files):
  archive hazards (path traversal, absolute or duplicate members, links and devices,
  pickled ``.npz`` arrays), the resource budget (:mod:`.budget`) and names from
  providers outside the allow-list (:mod:`layerhub.plugins.allowlist`). Raise the limits or
  widen the allow-list to load such a file.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ..archive.layout import ModelArchive
from ..errors import UnsafeArchiveError
from ..findings import Finding, Severity
from ..plugins.allowlist import AllowList
from ..plugins.registry import Registry
from ..references.walk import Reference
from .scan import analyze

#: Findings of at least this severity are refused under ``safe_mode=True``.
REFUSE_AT = Severity.HIGH
#: Findings refused whatever ``safe_mode`` says.
ALWAYS_REFUSED = frozenset(
    {
        "absolute-member",
        "path-traversal",
        "backslash-member",
        "duplicate-member",
        "control-character-member",
        "provider-not-allowed",
        "zip-symlink",
        "zip-hardlink",
        "zip-device",
        "npz-pickle",
        "weights-over-stored",
        "weights-over-cap",
        "absurd-shape",
        "too-many-layers",
        "graph-too-deep",
    }
)


def check_archive(
    archive: ModelArchive,
    *,
    safe_mode: bool = True,
    provided: Collection[str] = (),
    registry: Registry | None = None,
    policy: AllowList | None = None,
    references: Sequence[Reference] | None = None,
) -> list[Finding]:
    """Analyze ``archive``; raise if policy refuses it, else return the findings left.

    Schema findings are left to the caller: ``load_model`` validates as a step of its own.
    """
    findings = analyze(archive, registry, policy, provided, schemas=False, references=references)
    refused = [f for f in findings if refuses(f, safe_mode)]
    if refused:
        hint = (
            " (if you trust this file, pass safe_mode=False)"
            if safe_mode and any(f.code not in ALWAYS_REFUSED for f in refused)
            else ""
        )
        details = "; ".join(f.describe() for f in refused)
        raise UnsafeArchiveError(
            f"{archive.path}: refused {len(refused)} finding(s){hint}: {details}", refused
        )
    return findings


def refuses(finding: Finding, safe_mode: bool) -> bool:
    return finding.code in ALWAYS_REFUSED or (safe_mode and finding.severity >= REFUSE_AT)
