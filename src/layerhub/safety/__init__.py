"""What a file may not make layerhub (or Keras) do: the policy stage of a load.

- :mod:`.scan`: every hazard of a saved model, with its severity and location
  (``layerhub scan``, and the analysis ``load_model`` runs first);
- :mod:`.budget`: the weights, shapes, layers and graph depth a config asks for, against
  what the file stores, from :mod:`.estimates` (the weights each object creates) and
  :mod:`.graph` (the models, layers and chains of a config);
- :mod:`.policy`: which findings ``load_model`` refuses, before Keras sees the file;
- :mod:`.tree`, :mod:`.bulk` and :mod:`.rules`: a zoo of models, walked, scanned in N
  processes, and its findings' help for SARIF.

Nothing here imports keras, nor any module a file names. This package is public (like
:mod:`layerhub.checks`): what ``layerhub scan`` does, as functions to map over a zoo on
any engine (docs/security.md), each loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import attach

_LAZY = {
    "Finding": "layerhub.findings",
    "ScanReport": "layerhub.safety.scan",
    "Severity": "layerhub.findings",
    "Tree": "layerhub.safety.tree",
    "find_artifacts": "layerhub.safety.tree",
    "scan_artifact": "layerhub.safety.bulk",
}

__all__ = ["Finding", "ScanReport", "Severity", "Tree", "find_artifacts", "scan_artifact"]

if TYPE_CHECKING:
    from ..findings import Finding, Severity
    from .bulk import scan_artifact
    from .scan import ScanReport
    from .tree import Tree, find_artifacts

__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
