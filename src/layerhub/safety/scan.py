"""Static analysis of a saved model: every hazard, with its severity and location.

``layerhub scan`` and the first stage of :func:`layerhub.load_model` run the same
analysis (:func:`analyze`) so that what scan reports is exactly what load refuses.
Nothing here imports keras or tensorflow, or any module a file names: references are
judged by their names against Keras's built-ins (shipped as data), the installed
plugins' registry and the allow-list.

What it finds, besides the archive and HDF5 hazards the reader reports:

- ``lambda``: ``__lambda__`` functions and legacy Lambda bytecode (arbitrary code);
  ``lambda-layer``: a ``Lambda`` layer wrapping a named function;
- ``non-modeling-api``: Keras functions such as ``enable_unsafe_deserialization``, and
  every Keras object that reaches I/O, the network or process-wide settings
  (``keras.config.set_floatx``, ``keras.datasets.*.load_data``, ``TFSMLayer``...) named
  where Keras expects a function (``data/keras_functions.json``);
  ``class-as-function``: a Keras class there (Keras would call it, skipping its
  ``from_config`` checks); ``function-not-allowed``: any other Keras function outside
  the allow-list of pure functions (activations, losses, metrics, ops...);
- ``file-access``: objects that read files or external resources: a config field that
  its class opens as a path and that holds a string (Keras's lookup layers'
  ``vocabulary``; the Keras libraries' tokenizers' vocabulary, merges, proto,
  special-token files...: :func:`~layerhub.references.keras_names.file_fields`), high
  when the class reads it under safe mode and medium when it refuses it there itself;
  ``TFSMLayer``, ``TorchModuleWrapper``'s pickle;
- ``external-module``: a reference to a module outside Keras and the allowed packages
  that nothing installed provides (medium: layerhub never imports it, and load fails
  with :class:`~layerhub.MissingObjectsError` naming what to install);
  ``unknown-name``: a name nothing provides;
  ``provider-not-allowed``: a name provided only by a plugin outside the allow-list;
- the resource budget (:mod:`.budget`): declared weights over what the file stores or
  over ``LAYERHUB_MAX_PARAMS``, absurd shapes, too many layers, too deep a graph;
- ``schema``: plugin config violations (:mod:`layerhub.schemas.plugin`);
- ``renamed`` (info): an old name a plugin declared as an alias of a new one.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from ..archive.layout import ModelArchive
from ..archive.limits import Limits
from ..archive.reader import read_archive
from ..archive.sources import is_hub
from ..archive.weights_file import inspect_weights_file, weights_format
from ..errors import CorruptArchiveError, LayerhubError, SchemaViolation, UnsafeArchiveError
from ..findings import Finding, Severity
from ..plugins.allowlist import AllowList
from ..plugins.registry import Registry
from ..references.keras_names import (
    FunctionVerdict,
    builtin_names,
    file_fields,
    is_keras_module,
    is_non_modeling,
    judge_function,
    library_installed,
)
from ..references.walk import VALUE_KIND, Reference, walk_documents
from .budget import budget_findings

__all__ = ["ScanReport", "analyze", "scan_file", "schema_violations"]

#: The longest path ``open`` takes (Linux's ``PATH_MAX``): a longer string is data (a
#: SentencePiece ``proto`` inlined as base64), not a file name.
PATH_MAX = 4096
#: Layers whose config makes Keras run code from outside the file's config.
CODE_LOADING_LAYERS = {
    "TFSMLayer": "loads an external TensorFlow SavedModel, whose graph can run any op",
    "TorchModuleWrapper": "unpickles a torch module (torch.load: arbitrary code execution)",
}
#: Pointer tokens under which ``walk`` reports a name string its parent already stands for.
ECHO_KEYS = frozenset({"registered_name", "class_name", "config"})


class ScanReport(NamedTuple):
    """The findings for one file: its ``path``, its ``format`` (``keras``, ``h5``,
    ``keras-dir``, ``preset``, ``weights-h5``, ``weights-json``, ``npz``; None when it
    could not be read) and its ``findings``; ``to_json()`` is what ``--json`` prints.

    Added in version 0.2.0.
    """

    path: str
    format: str | None
    findings: tuple[Finding, ...]

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def at_or_above(self, threshold: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity >= threshold]

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "worst": str(self.worst) if self.worst is not None else None,
            "findings": [f.to_json() for f in self.findings],
        }


def scan_file(
    path: str | os.PathLike[str],
    *,
    registry: Registry | None = None,
    policy: AllowList | None = None,
    limits: Limits | None = None,
) -> ScanReport:
    """Read ``path`` safely and analyze it; an unreadable file is itself a finding.

    A weights-only file (``.weights.h5``, ``.weights.json``, ``.npz``) has no config:
    its report holds the hazards of its weights alone.
    """
    location = os.fspath(path)
    weights = None if is_hub(location) or os.path.isdir(location) else weights_format(location)
    try:
        if weights is not None:
            found = inspect_weights_file(Path(location), limits or Limits.from_env())
            return ScanReport(location, weights, tuple(found))
        archive = read_archive(location, limits)
    except UnsafeArchiveError as exc:
        findings = exc.findings or (Finding("unsafe-archive", Severity.CRITICAL, str(exc)),)
        return ScanReport(location, None, tuple(findings))  # type: ignore[arg-type]
    except CorruptArchiveError as exc:
        return ScanReport(location, None, (Finding("corrupt", Severity.HIGH, str(exc)),))
    # an hf:// repository is reported by the commit that was scanned
    where = archive.path if is_hub(location) else location
    return ScanReport(where, archive.format, tuple(analyze(archive, registry, policy)))


def analyze(
    archive: ModelArchive,
    registry: Registry | None = None,
    policy: AllowList | None = None,
    provided: Collection[str] = (),
    *,
    schemas: bool = True,
    references: Sequence[Reference] | None = None,
) -> list[Finding]:
    """Every finding for an archive already read: its own hazards, then the config's.

    ``provided`` names objects the caller supplies itself (``custom_objects``, objects
    already registered with Keras); ``registry`` defaults to the installed plugins,
    discovered only when the config references an object Keras does not provide (a file
    of built-ins is judged without them, so scanning it discovers nothing).
    ``schemas=False`` leaves schema findings out, for ``load_model``, which validates
    (or not, ``validate=False``) as a step of its own. ``references`` is
    ``list(walk_documents(archive.config, archive.documents))`` when the caller already
    has it (the config is walked once per load).
    """
    if references is None:
        references = list(walk_documents(archive.config, archive.documents))
    if registry is None:
        if any(r.custom for r in references):
            from ..plugins.discovery import get_registry  # here: only a plugin object needs it

            registry = get_registry()
        else:
            registry = Registry()  # a file of built-ins never consults it
    policy = policy or AllowList.load()
    findings = list(archive.findings)
    findings += config_findings(references, registry, policy, provided)
    findings += budget_findings(archive, references, registry)
    if schemas:
        findings += schema_findings(references, registry, provided)
    return findings


def config_findings(
    references: Iterable[Reference],
    registry: Registry,
    policy: AllowList,
    provided: Collection[str] = (),
) -> list[Finding]:
    findings: list[Finding] = []
    lambdas: list[str] = []
    for ref in references:
        if ref.kind == VALUE_KIND:
            continue  # a value, not a name: the budget's (.placeholders)
        if ref.kind == "function" and ref.class_name == ref.name and echoes_parent(ref):
            continue
        if ref.kind == "lambda" and any(ref.pointer.startswith(f"{p}/") for p in lambdas):
            continue  # the bytecode inside a lambda already reported
        found = list(reference_findings(ref, registry, policy, provided))
        if ref.kind == "lambda" and found:
            lambdas.append(ref.pointer)
        findings += found
    return findings


def echoes_parent(ref: Reference) -> bool:
    """A bare ``"pkg>name"`` string under a key its enclosing object is already judged by."""
    return ref.pointer.rpartition("/")[2] in ECHO_KEYS


def reference_findings(
    ref: Reference, registry: Registry, policy: AllowList, provided: Collection[str]
) -> Iterable[Finding]:
    inner = ref.config if isinstance(ref.config, dict) else {}
    if ref.kind == "lambda":
        finding = lambda_finding(ref, inner)
        if finding is not None:
            yield finding
        return
    if is_non_modeling(ref.module, ref.name) or is_non_modeling(ref.module, ref.class_name):
        yield Finding(
            "non-modeling-api",
            Severity.CRITICAL,
            f"names Keras's non-modeling API {ref.module or 'keras'}.{ref.name}; a model "
            "config has no use for it",
            ref.pointer,
            ref.name,
        )
        return
    if ref.kind == "function" and ref.name not in provided:
        verdict = judge_function(ref.module, ref.name)
        if verdict is not None:
            yield function_finding(ref, verdict)
            return
    if ref.class_name in CODE_LOADING_LAYERS:
        yield Finding(
            "file-access",
            Severity.CRITICAL,
            f"{ref.class_name} {CODE_LOADING_LAYERS[ref.class_name]}",
            ref.pointer,
            ref.name,
        )
    yield from path_findings(ref, inner)
    if ref.name in provided:
        return
    if ref.builtin:
        if ref.name and ref.name not in builtin_names():
            yield Finding(
                "unknown-name",
                Severity.MEDIUM,
                f"{ref.kind} {ref.name!r} is not a Keras built-in",
                ref.pointer,
                ref.name,
            )
        return
    entry = registry.get(ref.name)
    if entry is not None:
        if entry.name != ref.name:
            yield Finding(
                "renamed",
                Severity.INFO,
                f"{ref.name!r} is an old name of {entry.name!r} ({entry.describe_provider()}): "
                "it loads, with a warning",
                ref.pointer,
                ref.name,
            )
        if not policy.allows_provider(entry.provider.distribution):
            yield Finding(
                "provider-not-allowed",
                Severity.HIGH,
                f"{ref.name!r} is provided by {entry.provider.requirement}, which is not in "
                f"the allowed providers ({policy.providers_source})",
                ref.pointer,
                ref.name,
            )
        return
    from ..index.installed import module_provider  # only for a name nothing registers
    from ..plugins.discovery import get_discovery

    provider = module_provider(get_discovery().indexed, ref.module)
    if provider is not None and ref.kind == "class":
        if not policy.allows_provider(provider.distribution):
            yield Finding(
                "provider-not-allowed",
                Severity.HIGH,
                f"{ref.name!r} from {ref.module!r} is provided by {provider.distribution}, "
                f"which is not in the allowed providers ({policy.providers_source})",
                ref.pointer,
                ref.name,
            )
        return  # an unregistered class of an installed indexed distribution (by module)
    if ref.module and ref.module != "builtins" and not policy.allows_module(ref.module):
        yield Finding(
            "external-module",
            Severity.MEDIUM,
            f"{ref.kind} {ref.name!r} from module {ref.module!r}: no installed plugin "
            "provides it and layerhub never imports a module because a file names it",
            ref.pointer,
            ref.name,
        )
        return
    if ref.module and policy.allows_module(ref.module) and not is_keras_module(ref.module):
        package = ref.module.split(".", 1)[0]
        if not library_installed(package):  # a top-level lookup runs no code
            yield Finding(
                "unknown-name",
                Severity.MEDIUM,
                f"{ref.kind} {ref.name!r} from {ref.module!r}: {package} is not installed",
                ref.pointer,
                ref.name,
            )
        return  # an allowed package's own class, which Keras imports and checks itself
    yield Finding(
        "unknown-name",
        Severity.MEDIUM,
        f"{ref.kind} {ref.name!r}: no installed plugin or allowed package provides it",
        ref.pointer,
        ref.name,
    )


def path_findings(ref: Reference, inner: dict[str, Any]) -> Iterator[Finding]:
    """A ``file-access`` finding for each field holding a path that the class opens."""
    if ref.kind != "class" or not inner:
        return
    for field, reads in file_fields(ref.module, ref.name, ref.class_name).items():
        path = inner.get(field)
        if not isinstance(path, str) or not path or len(path) > PATH_MAX:
            continue
        if reads:
            severity, how = Severity.HIGH, "reads it even under safe mode"
        else:
            severity = Severity.MEDIUM
            how = (
                "refuses it under safe mode itself, but reads it wherever safe mode is off "
                "(safe_mode=False, a from_config outside a load)"
            )
        yield Finding(
            "file-access",
            severity,
            f"{ref.class_name} opens the path {path!r} named in its {field!r}: it {how}",
            f"{ref.pointer}/config/{field}",
            ref.name,
        )


def function_finding(ref: Reference, verdict: FunctionVerdict) -> Finding:
    """A Keras object where a function is expected that is not a pure function."""
    severity = Severity.CRITICAL if verdict.code == "non-modeling-api" else Severity.HIGH
    return Finding(
        verdict.code,
        severity,
        f"names {verdict.target} where Keras expects a function; it {verdict.reason}",
        ref.pointer,
        ref.name,
    )


def lambda_finding(ref: Reference, inner: dict[str, Any]) -> Finding | None:
    """``__lambda__`` and legacy bytecode are code; a Lambda around a named function is not.

    A Lambda layer whose function is a ``__lambda__`` is reported once, at the function.
    """
    if ref.class_name == "__lambda__":
        return Finding(
            "lambda",
            Severity.CRITICAL,
            "a serialized Python lambda (arbitrary code execution)",
            ref.pointer,
            ref.name,
        )
    function = inner.get("function")
    if isinstance(function, dict) and function.get("class_name") == "__lambda__":
        return None
    named = isinstance(function, str) or (
        isinstance(function, dict) and function.get("class_name") == "function"
    )
    if named and inner.get("function_type") in (None, "function"):
        return Finding(
            "lambda-layer",
            Severity.MEDIUM,
            "a Lambda layer around a named function (see the function's own findings)",
            ref.pointer,
            ref.name,
        )
    return Finding(
        "lambda",
        Severity.CRITICAL,
        "a Lambda layer with serialized Python code (arbitrary code execution)",
        ref.pointer,
        ref.name,
    )


def schema_findings(
    references: Iterable[Reference], registry: Registry, provided: Collection[str] = ()
) -> list[Finding]:
    """Every plugin object config that breaks its plugin's schema (the check load runs)."""
    try:
        violations = schema_violations(references, registry, provided)
    except LayerhubError as exc:
        return [Finding("schema", Severity.MEDIUM, f"schemas could not be checked: {exc}")]
    return [
        Finding("schema", Severity.MEDIUM, violation.detail(), located(violation), violation.name)
        for violation in violations
    ]


def located(violation: SchemaViolation) -> str:
    """A violation's pointer, prefixed ``<member>#`` when it is in a preset's other
    documents rather than the config, as the walk located its object."""
    if violation.member == "config.json":
        return violation.pointer
    return f"{violation.member}#{violation.pointer}"


def schema_violations(
    references: Iterable[Reference], registry: Registry, skip: Collection[str] = ()
) -> list[SchemaViolation]:
    """The schema violations of the plugin object configs among ``references``, but for the
    objects named in ``skip`` (the caller's own). Reads the plugins' schemas and nothing
    else a plugin provides; raises :class:`~layerhub.LayerhubError` when a schema cannot
    be used and ``LAYERHUB_STRICT`` makes that an error."""
    custom = [r for r in references if r.custom]
    if not custom:
        return []  # a file of built-ins has no plugin config to check
    from ..schemas.plugin import check_references  # the validators: only for plugin objects

    return check_references(custom, registry, skip=skip).violations
