"""What ``load_model`` refuses, decided before Keras sees the file.

:func:`check_archive` runs the same analysis as ``layerhub scan`` and raises
:class:`~layerhub.UnsafeArchiveError` naming every refused finding with its location:

- under ``safe_mode=True`` (the default), every finding of severity ``high`` or above:
  lambdas, non-modeling APIs, layers that read files or run external code, external
  modules, HDF5 links and shape bombs; and every ``file-access``, medium ones included
  (a path in a field that a Keras library refuses itself under safe mode: a saved
  config never needs one, and refusing it here says so in one clear error, naming the
  member and pointer, before the library runs, rather than as its bare ``ValueError``).
  This covers legacy ``.h5`` files too, for which Keras itself ignores ``safe_mode``;
- always, even under ``safe_mode=False`` (the documented opt-out for trusted files):
  archive hazards (path traversal, absolute or duplicate members, links and devices,
  pickled ``.npz`` arrays), the resource budget (:mod:`.budget`, the config's values
  included) and names from
  providers outside the allow-list (:mod:`layerhub.plugins.allowlist`). Raise the limits or
  widen the allow-list to load such a file.

A refusal names every refused finding, each with the object it is about, and, when
the caller validates, every schema violation of the file's plugin configs too: one
error says everything wrong with the file. Validation reads only the plugins' schemas
(through the registry, which the analysis has discovered already), so a refused file
still imports no plugin object.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ..archive.layout import ModelArchive
from ..errors import LayerhubError, SchemaViolation, SchemaViolationError, UnsafeArchiveError
from ..findings import Finding, Severity
from ..plugins.allowlist import AllowList
from ..plugins.registry import Registry
from ..references.walk import Reference, walk_documents
from .scan import analyze, schema_violations

__all__ = ["check_archive", "refuses"]

#: Findings of at least this severity are refused under ``safe_mode=True``.
REFUSE_AT = Severity.HIGH
#: Findings refused under ``safe_mode=True`` whatever their severity.
REFUSED_IN_SAFE_MODE = frozenset({"file-access"})
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
        "placeholder-allocation",
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
    validate: bool = False,
    skip: Collection[str] = (),
) -> list[Finding]:
    """Analyze ``archive``; raise if policy refuses it, else return the findings left.

    Schema findings are left to the caller: ``load_model`` validates as a step of its own,
    after resolving the plugin objects (so that a missing plugin is reported as such).
    With ``validate``, a refusal carries the schema violations as well
    (``UnsafeArchiveError.violations``), the configs of the objects named in ``skip`` (the
    caller's own) aside.
    """
    if references is None:
        references = list(walk_documents(archive.config, archive.documents))
    findings = analyze(archive, registry, policy, provided, schemas=False, references=references)
    refused = [f for f in findings if refuses(f, safe_mode)]
    if refused:
        hint = (
            " (if you trust this file, pass safe_mode=False)"
            if safe_mode and any(f.code not in ALWAYS_REFUSED for f in refused)
            else ""
        )
        message = f"{archive.path}: refused {len(refused)} finding(s){hint}: "
        message += "; ".join(f.describe() for f in refused)
        violations: list[SchemaViolation] = []
        if validate and any(r.custom for r in references):
            from ..plugins.discovery import get_registry  # discovered by the analysis

            try:
                violations = schema_violations(references, registry or get_registry(), skip)
            except LayerhubError as exc:  # the refusal stands; it says what was not checked
                message += f"; schemas could not be checked: {exc}"
        if violations:
            listing = SchemaViolationError.listing(tuple(violations))
            message += f"; and {len(violations)} schema violation(s): {listing}"
        raise UnsafeArchiveError(message, refused, violations)
    return findings


def refuses(finding: Finding, safe_mode: bool) -> bool:
    if finding.code in ALWAYS_REFUSED:
        return True
    return safe_mode and (finding.severity >= REFUSE_AT or finding.code in REFUSED_IN_SAFE_MODE)
