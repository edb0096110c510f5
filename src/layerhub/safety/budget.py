"""The resource budget: what a config asks Keras to allocate, judged before Keras runs.

A few bytes of config can make Keras allocate terabytes (``Dense(units=10**12)``,
``Embedding(input_dim=10**12)``, an absurd ``Input`` shape) or build millions of
objects; TensorFlow then fails after minutes, or a smaller machine goes down first.
This module estimates, from the config alone, a lower bound of the weights each layer
creates and compares it with what the file holds:

- ``weights-over-stored``: the config declares more than ``max_params_ratio`` times the
  weights the archive stores, plus ``max_unstored_params`` (room for layers saved
  unbuilt, which store nothing). A built model's file holds every weight its layers
  own, and the estimates are lower bounds, so a genuine file never comes close;
- ``weights-over-cap``: it declares more than ``max_params`` in all, whatever it stores;
- ``absurd-shape``: a shape anywhere in a layer's config (``batch_shape``,
  ``input_shape``, ``target_shape``...) or a size (``units``, ``input_dim``...) larger
  than ``max_params`` elements;
- ``too-many-layers`` and ``graph-too-deep``: more than ``max_layers`` layers, or a
  chain of layers longer than ``max_graph_depth`` (Keras walks graphs recursively);
- ``placeholder-allocation`` and ``placeholder-dtype``: the arrays Keras makes of the
  config's ``__numpy__`` and ``__tensor__`` values before any layer exists
  (:mod:`.placeholders`).

A KerasHub preset is judged document by document: ``task.json`` declares the whole task
(its backbone nested inside) and ``config.json`` the backbone again, so each is compared
with everything the preset stores rather than their sum.

The per-object estimates are :mod:`.estimates`, the models and chains of layers
:mod:`.graph`; this module turns them into findings, each naming the object it is about.
The limits are fields of :class:`~layerhub.archive.limits.Limits` (``LAYERHUB_MAX_PARAMS``...).
Nothing here imports keras.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from .. import settings
from ..archive.layout import ModelArchive
from ..archive.limits import Limits
from ..findings import Finding, Severity
from ..plugins.registry import Registry
from ..references.walk import Reference
from .estimates import SHAPE_KEYS, SIZE_KEYS, all_dims, dims, estimate, owns_weights
from .graph import graph_depth
from .placeholders import placeholder_findings

__all__ = ["Declared", "budget_findings", "by_document", "declared_weights", "shape_findings"]

Config = dict[str, Any]


class Declared(NamedTuple):
    """What a config declares: ``weights`` in all (a lower bound), its ``largest``
    contributor ``(count, class_name, pointer, name)``, the number of ``layers``, the
    ``models`` (objects holding a ``layers`` list, outermost first) and the ``findings``
    met on the way (absurd shapes, failed plugin estimates), in config order."""

    weights: int
    largest: tuple[int, str, str, str]
    layers: int
    models: list[Config]
    findings: list[Finding]


def budget_findings(
    archive: ModelArchive,
    references: Sequence[Reference],
    registry: Registry,
    limits: Limits | None = None,
) -> list[Finding]:
    """Every way the config of ``archive`` (and each of its other documents) goes past
    the resource budget."""
    limits = limits or Limits.from_env()
    findings: list[Finding] = []
    for root, refs in by_document(references):
        findings += document_findings(archive, root, refs, registry, limits)
    return findings + placeholder_findings(references, limits)


def by_document(references: Sequence[Reference]) -> Iterator[tuple[str, list[Reference]]]:
    """The references of each document, with its root location: ``""`` for the config,
    ``"task.json#"`` for a preset's task (as :func:`~layerhub.references.walk.walk_documents`
    locates them, one document after the other)."""
    for root, refs in itertools.groupby(references, key=document_root):
        yield root, list(refs)


def document_root(ref: Reference) -> str:
    location = ref.pointer
    return "" if not location or location[0] == "/" else location.partition("#")[0] + "#"


def document_findings(
    archive: ModelArchive,
    root: str,
    references: Sequence[Reference],
    registry: Registry,
    limits: Limits,
) -> list[Finding]:
    """The budget of one document (at ``root``) against all the weights the file stores."""
    declared = declared_weights(archive, references, registry, limits)
    findings = list(declared.findings)
    # the model the whole document is: what the findings about all of it name
    model = references[0].name if references and references[0].pointer == root else ""
    if declared.layers > limits.max_layers:
        findings.append(
            over_limit(
                "too-many-layers",
                f"{declared.layers} layers, over the limit of {limits.max_layers}",
                root,
                "MAX_LAYERS",
                model,
            )
        )
    # A chain cannot be longer than the layers there are: most files skip the walk.
    depth = (
        graph_depth(archive.resolve(root), declared.models)
        if declared.layers > limits.max_graph_depth
        else 0
    )
    if depth > limits.max_graph_depth:
        findings.append(
            over_limit(
                "graph-too-deep",
                f"a chain of {depth} layers, over the limit of {limits.max_graph_depth}",
                root,
                "MAX_GRAPH_DEPTH",
                model,
            )
        )
    count, class_name, location, name = declared.largest
    where = f" (the most, {count}, by {class_name})" if count else ""
    if declared.weights > limits.max_params:
        findings.append(
            over_limit(
                "weights-over-cap",
                f"the config declares at least {declared.weights} weights{where}, over the "
                f"limit of {limits.max_params}",
                location,
                "MAX_PARAMS",
                name,
            )
        )
    elif archive.stored is not None:
        # An array of n elements takes at least n/2 bytes (int4 packs two per byte), so
        # declared shapes cannot make a small file pass for a large one.
        held = min(archive.stored.elements, 2 * archive.stored.bytes)
        allowed = limits.max_params_ratio * held + limits.max_unstored_params
        if declared.weights > allowed:
            findings.append(
                over_limit(
                    "weights-over-stored",
                    f"the config declares at least {declared.weights} weights{where}, but the "
                    f"file stores {held}: building it would allocate what no weight fills",
                    location,
                    "MAX_UNSTORED_PARAMS",
                    name,
                )
            )
    return findings


def declared_weights(
    archive: ModelArchive,
    references: Sequence[Reference],
    registry: Registry,
    limits: Limits,
) -> Declared:
    """The weights the config of ``archive`` declares, object by object (see :class:`Declared`)."""
    declared = 0
    largest: tuple[int, str, str, str] = (0, "", "", "")
    layers = 0
    models: list[Config] = []
    findings: list[Finding] = []
    for ref in references:
        if ref.kind != "class" or not isinstance(ref.config, dict):
            continue
        if ref.pointer.rpartition("/")[0].endswith("/layers"):
            layers += 1
        holds_layers = isinstance(ref.config.get("layers"), list)
        # The envelope (build_config, inbound_nodes) matters to layers that own weights
        # and to models; a layer that owns none allocates nothing at build time.
        node: Any = {}
        if holds_layers or owns_weights(ref, registry):
            node = archive.resolve(ref.pointer)
            node = node if isinstance(node, dict) else {}
        if holds_layers:
            models.append(node)
        findings += shape_findings(ref, node, limits)
        count, failure = estimate(ref, node, registry)
        if failure is not None:
            findings.append(failure)
        declared += count
        if count > largest[0]:
            largest = (count, ref.class_name, ref.pointer, ref.name)
    return Declared(declared, largest, layers, models, findings)


def over_limit(code: str, message: str, location: str, setting: str, name: str) -> Finding:
    return Finding(
        code,
        Severity.CRITICAL,
        f"{message} (raise {settings.LIMIT_PREFIX}{setting} if the file is trusted)",
        location,
        name,
    )


def shape_findings(ref: Reference, node: Config, limits: Limits) -> list[Finding]:
    """Shapes and sizes in a layer's config (and build config) beyond ``max_params``."""
    findings: list[Finding] = []
    build = node.get("build_config")
    sources = [("config", ref.config)]
    if isinstance(build, dict):
        sources.append(("build_config", build))
    for part, config in sources:
        for key, value in config.items():
            if key in SIZE_KEYS:
                found = dims(value)
            elif key in SHAPE_KEYS:
                found = all_dims(value)
            else:
                continue
            if found is None:
                continue
            if key == "target_shape" and found.count(-1) == 1:
                found = [d for d in found if d != -1]  # Reshape infers one dimension: -1
            where = f"{ref.pointer}/{part}/{key}"
            elements = math.prod(d for d in found if d > 0) if found else 0
            if any(d < 0 for d in found):  # no limit to raise: no size is negative
                message = f"{key} {value!r} has a negative dimension"
                findings.append(
                    Finding("absurd-shape", Severity.CRITICAL, message, where, ref.name)
                )
            elif elements > limits.max_params:
                message = (
                    f"{key} {value!r} asks for {elements} elements, over the limit of "
                    f"{limits.max_params}"
                )
                findings.append(over_limit("absurd-shape", message, where, "MAX_PARAMS", ref.name))
    return findings
