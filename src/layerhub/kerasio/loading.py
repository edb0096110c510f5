"""``load_model``, ``model_from_json`` and ``scope``: Keras deserialization with every
plugin object in reach.

The load path: read the archive once (no keras) -> walk its config to every custom
reference -> refuse what the policy refuses -> import only the plugin targets those
names need, reporting everything missing at once -> validate their configs -> hand the
objects to Keras in a thread-local custom-object scope, the user's objects first
(:mod:`layerhub.kerasio.precedence`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ..archive.jsondoc import parse_config
from ..archive.layout import ModelArchive
from ..archive.limits import Limits
from ..archive.memo import ContentMemo, unchanged
from ..archive.reader import read_archive
from ..archive.sources import Source, classify_source
from ..errors import (
    ArchiveChangedError,
    LayerhubError,
    MissingObject,
    MissingObjectsError,
    ModelLoadError,
    PluginError,
    PluginWarning,
    UnsafeArchiveError,
)
from ..index.document import EMPTY
from ..index.installed import module_provider
from ..index.manifest import check_manifest
from ..index.requirements import Hint, hints_for
from ..plugins.discovery import get_discovery, get_registry
from ..plugins.registry import Entry, Provider, ProviderSource
from ..references.keras_names import keras_library, library_installed
from ..references.walk import Reference, walk_documents
from ..safety.policy import check_archive
from ..schemas.plugin import raise_for_violations
from . import fastload
from .backend import import_keras
from .keras_own import keras_load_model, keras_model_from_json
from .precedence import Precedence
from .provenance import remember_source

__all__ = [
    "MESSAGE_LIMIT",
    "analyse",
    "changed",
    "load_model",
    "model_from_json",
    "prepare",
    "scope",
    "shorten_dumps",
]


def load_model(
    filepath: str | os.PathLike[str],
    custom_objects: Mapping[str, Any] | None = None,
    compile: bool = True,
    safe_mode: bool = True,
    *,
    validate: bool = True,
    fast: bool = True,
) -> Any:
    """Load a model saved by Keras, importing exactly the plugin objects it needs.

    A drop-in for :func:`keras.saving.load_model`: takes what it takes (``str`` or
    ``pathlib.Path``; ``.keras`` zips, unzipped ``.keras`` directories, ``.h5``) and
    returns what it returns; and ``"hf://owner/name[@REVISION]"``, a Hugging Face Hub
    repository, fetched pinned to one commit within the archive limits
    (:mod:`layerhub.archive.hub`), then analysed and loaded like a local directory, its
    commit recorded as the model's provenance. Before Keras runs, a local file gets the
    same analysis as ``layerhub scan``: under ``safe_mode=True`` anything unsafe raises
    :class:`~layerhub.UnsafeArchiveError` (for legacy ``.h5`` too, where Keras ignores
    ``safe_mode``); ``safe_mode=False`` is the opt-out for trusted files. Raises
    :class:`~layerhub.MissingObjectsError` naming every unresolvable object at once,
    :class:`~layerhub.SchemaViolationError` naming every plugin object config that breaks
    its plugin's schema (before Keras builds anything; ``validate=False`` skips it; a
    refused file's ``UnsafeArchiveError`` lists them with its findings), and
    :class:`~layerhub.ModelLoadError` when Keras itself fails on the file (and
    :class:`~layerhub.errors.MissingDependencyError` when Keras's backend is not installed).
    Sources only
    Keras can open (other remote URLs, Orbax checkpoints) are loaded with every
    plugin object in :func:`scope`, and only with ``safe_mode=False``: layerhub cannot
    analyse them first. ``fast`` skips initializing weights the archive overwrites
    (:mod:`layerhub.kerasio.fastload`); ``fast=False`` is Keras's own load, unchanged.

    Added in version 0.1.0.
    """
    source = classify_source(filepath)
    if source is Source.KERAS_ONLY:
        if safe_mode:
            raise UnsafeArchiveError(
                f"{os.fspath(filepath)}: layerhub cannot inspect a remote or Orbax "
                "source before Keras runs it; download it and load the local file, or pass "
                "safe_mode=False if you trust it"
            )
        import_keras()
        with scope(custom_objects):
            return keras_load_model(
                filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
            )
    snapshot, key = None, None
    if source is Source.HUB:
        from ..archive.hub import fetch

        limits = Limits.from_env()
        snapshot = fetch(os.fspath(filepath), limits)
        archive = snapshot.read(limits)
        every: Sequence[Reference] = tuple(walk_documents(archive.config, archive.documents))
        filepath = snapshot.path  # Keras loads the very files analysed: no second fetch
    else:
        (archive, every), key = ANALYSES.get(filepath, Limits.from_env(), lambda: analyse(filepath))
    precedence, objects = prepare(
        archive, every, custom_objects, safe_mode=safe_mode, validate=validate
    )

    import_keras()  # a missing backend is one clear error, naming the extra
    load = fastload.fast_load_model if fast else keras_load_model
    user = precedence.user or None
    try:
        with precedence.applied(objects):
            changed(key)  # Keras must read the bytes that were analysed: before and after
            model = load(filepath, custom_objects=user, compile=compile, safe_mode=safe_mode)
            changed(key)
    except LayerhubError:
        raise
    except Exception as exc:
        message = shorten_dumps(" ".join(str(exc).split()))
        raise ModelLoadError(
            f"{archive.path}: Keras could not load the model: {type(exc).__name__}: {message}"
        ) from exc
    if snapshot is not None:
        remember_source(model, snapshot.provenance())
    return model


def prepare(
    archive: ModelArchive,
    every: Sequence[Reference],
    custom_objects: Mapping[str, Any] | None,
    *,
    safe_mode: bool,
    validate: bool,
) -> tuple[Precedence, dict[str, Any]]:
    """Everything between reading a file and handing it to Keras, for ``load_model`` and
    KerasHub's ``from_preset`` (:mod:`.presets`) alike: the manifest checked, the policy's
    refusal (with the schema violations), only the plugin targets ``every`` names
    imported (every missing name at once), the plugin configs validated.

    Returns the user's precedence and the plugin objects Keras needs in scope.
    """
    check_manifest(archive.manifest, archive.path)
    references = [r for r in every if r.custom]
    precedence = Precedence(custom_objects, scoped_names=(r.name for r in references))
    check_archive(  # a refusal names the schema violations too: the file's problems at once
        archive,
        safe_mode=safe_mode,
        provided=precedence.provided,
        references=every,
        validate=validate,
        skip=precedence.user,
    )
    objects = resolve_references(references, precedence, archive.path, archive.manifest)
    if validate:
        raise_for_violations(references, get_registry(), skip=precedence.user, source=archive.path)
    return precedence, objects


#: A Keras message longer than this has the middles of its config dumps cut.
MESSAGE_LIMIT = 2000
#: What stays of each end of a cut dump.
DUMP_HEAD, DUMP_TAIL = 300, 100


def shorten_dumps(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """Keras's message whole, but for the middles of its ``{...}`` config dumps.

    Keras puts the cause before, after or between dumps of the whole config ("Unable to
    reconstruct an instance of ...", "Exception encountered: ..."); only text inside the
    longest balanced braces is ever cut, longest first, until the message fits.
    """
    spans = sorted(brace_spans(message), key=lambda span: span[0] - span[1])
    cuts = []
    excess = len(message) - limit
    for start, end in spans:
        if excess <= 0:
            break
        removed = end - start - DUMP_HEAD - DUMP_TAIL
        if removed > 0:
            cuts.append((start + DUMP_HEAD, end - DUMP_TAIL, removed))
            excess -= removed
    for start, end, removed in sorted(cuts, reverse=True):
        message = f"{message[:start]} ... [{removed} characters cut] ... {message[end:]}"
    return message


def brace_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every outermost balanced ``{...}`` in ``text``."""
    spans, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "{":
            if depth == 0:
                start = i
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    return spans


#: Each file's analysis (read, walk) per content, so loading a file again skips it.
ANALYSES = ContentMemo()


def analyse(filepath: str | os.PathLike[str]) -> tuple[ModelArchive, tuple[Reference, ...]]:
    """The archive read once and every reference in its configs (shared: not mutated)."""
    archive = read_archive(filepath)
    return archive, tuple(walk_documents(archive.config, archive.documents))


def changed(key: Any) -> None:
    """Raise if the file moved away from the content its analysis was made of."""
    if not unchanged(key):
        raise ArchiveChangedError(
            f"{key.path}: the file changed while it was being loaded; load it again"
        )


def model_from_json(
    json_string: str, custom_objects: Mapping[str, Any] | None = None, *, safe_mode: bool = True
) -> Any:
    """Build an (uncompiled, freshly initialised) model from ``model.to_json()`` output.

    A drop-in for :func:`keras.models.model_from_json`, and the JSON-string twin of
    :func:`load_model`: it imports only the plugin objects the JSON references and
    reports everything missing at once. User ``custom_objects`` (and an enclosing
    ``custom_object_scope``) win over plugins. Malformed JSON raises
    :class:`~layerhub.CorruptArchiveError`, a ``ValueError`` like Keras's.

    The JSON gets the analysis :func:`load_model` gives a file's config, before Keras or
    any plugin is imported: under ``safe_mode=True`` (the default) it refuses what
    ``load_model`` refuses for the same config, with :class:`~layerhub.UnsafeArchiveError`
    naming each finding's JSON pointer (Lambda bytecode, Keras's non-modeling API, a
    resource budget blown...); ``safe_mode=False``, for JSON you trust, refuses only what
    ``load_model`` always refuses and lets Keras deserialize lambdas (in a
    ``SafeModeScope`` of this call's own: no process-wide setting changes). Keras's own
    ``model_from_json`` has no ``safe_mode``: its callers, which ``layerhub.activate()``
    routes here, get the safe default.

    Added in version 0.1.0.

    Changed in version 0.2.0: ``safe_mode``; the JSON is analysed, as a file's config is.
    """
    text = json_string.encode() if isinstance(json_string, str) else json_string
    config = parse_config(text, JSON_SOURCE)
    every = tuple(walk_documents(config))  # a model JSON has no other documents
    references = [r for r in every if r.custom]
    precedence = Precedence(custom_objects, scoped_names=(r.name for r in references))
    check_archive(
        ModelArchive(JSON_SOURCE, "json", config),
        safe_mode=safe_mode,
        provided=precedence.provided,
        references=every,
    )
    objects = resolve_references(references, precedence, JSON_SOURCE)

    import_keras()
    with precedence.applied(objects):
        return keras_model_from_json(
            json_string, custom_objects=precedence.user or None, safe_mode=safe_mode
        )


#: What a model JSON is called in messages: it has no file name.
JSON_SOURCE = "model JSON"


@contextlib.contextmanager
def scope(custom_objects: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Make every registered plugin object available to Keras deserialization inside.

    ``model_from_json``, ``clone_model``, ``deserialize_keras_object`` and
    ``from_config`` all see the plugin objects. Imports every plugin target; one that
    fails to import is skipped with a :class:`~layerhub.PluginWarning`. Objects the
    user registered with Keras and ``custom_objects`` win over plugins. Thread-local,
    like Keras's own scopes.

    Added in version 0.1.0.
    """
    import keras  # noqa: F401 -- what the user registered is known once keras is imported

    precedence = Precedence(custom_objects)
    registry = get_registry()
    objects, failures = precedence.resolve(registry, registry.names())
    for reason in failures.values():
        warnings.warn(f"layerhub: {reason}", PluginWarning, stacklevel=3)
    with precedence.applied(objects) as visible:
        yield visible


def resolve_references(
    references: Sequence[Reference],
    precedence: Precedence,
    source: str = "",
    manifest: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """name -> plugin object for every reference the user does not provide.

    Raises :class:`~layerhub.MissingObjectsError` listing every name nothing provides,
    each with what to install (:func:`layerhub.index.requirements.hints_for`: the
    archive's ``manifest``, the trusted and curated indexes, ``LAYERHUB_INDEX``). Classes
    of an installed Keras library are left to Keras, which imports them by module.
    """
    installed = functools.cache(library_installed)  # one lookup per library, not per reference
    wanted = [
        r
        for r in references
        if r.name not in precedence.provided and not keras_imports(r, installed)
    ]
    objects, failures = precedence.resolve(get_registry(), (r.name for r in wanted))
    for reference in wanted:
        if reference.name not in objects and reference.name not in failures:
            found = by_module(reference)
            if isinstance(found, str):
                failures[reference.name] = found
            elif found is not None:
                objects[reference.name] = found
    missing = [r for r in wanted if r.name not in objects]
    if missing:
        if failures:  # a plugin that failed to import may only lack Keras's backend
            import_keras()
        hints = suggest_requirements([(r.name, r.module) for r in missing], manifest)
        raise MissingObjectsError(
            dedupe(
                [
                    MissingObject(
                        r.name,
                        r.pointer,
                        failures.get(r.name) or hints.get(r.name, NO_HINT).note,
                        hints.get(r.name, NO_HINT).requirement,
                    )
                    for r in missing
                ]
            ),
            source,
        )
    return objects


def keras_imports(reference: Reference, installed: Callable[[str], bool]) -> bool:
    """Whether Keras finds this class itself: its module is under an installed Keras
    library (``keras_hub``...), which Keras imports by the config's ``module``."""
    library = keras_library(reference.module)
    return library is not None and reference.kind == "class" and installed(library)


def by_module(reference: Reference) -> Any:
    """The unregistered class a reference names by ``module`` and class name, when an
    installed distribution of the trusted or curated index has that module prefix
    (:func:`layerhub.index.installed.module_provider`); ``None`` when none has, the
    reason (a string) when the import fails or finds no Keras class."""
    if reference.kind != "class" or not reference.class_name.isidentifier():
        return None  # a class name, not an attribute path into the module
    provider = module_provider(get_discovery().indexed, reference.module)
    if provider is None:
        return None
    target = f"{reference.module}:{reference.class_name}"
    source = ProviderSource(provider.source)
    entry = Entry(
        reference.name, target, Provider(provider.distribution, provider.version, source=source)
    )
    try:
        found = entry.load()
    except PluginError as exc:
        return str(exc)
    if not (isinstance(found, type) and callable(getattr(found, "from_config", None))):
        return f"{target} provided by {entry.provider.requirement} is not a Keras class"
    return found


NO_HINT = Hint(None)


def suggest_requirements(
    names: Sequence[tuple[str, str | None]], manifest: Mapping[str, Any] | None
) -> dict[str, Hint]:
    """What to install for ``names``; an unreachable ``LAYERHUB_INDEX`` only warns, so the
    error about the missing objects is never replaced by one about the index."""
    try:
        return hints_for(names, manifest)
    except LayerhubError as exc:
        warnings.warn(f"layerhub: {exc}", PluginWarning, stacklevel=4)
        return hints_for(names, manifest, index=EMPTY)


def dedupe(missing: Sequence[MissingObject]) -> list[MissingObject]:
    """One line per missing name: its first location, and how many more there are."""
    first: dict[str, MissingObject] = {}
    counts: dict[str, int] = {}
    for item in missing:
        first.setdefault(item.name, item)
        counts[item.name] = counts.get(item.name, 0) + 1
    result = []
    for name, item in first.items():
        extra = counts[name] - 1
        pointer = f"{item.pointer} (+{extra} more)" if extra else item.pointer
        result.append(MissingObject(name, pointer, item.reason, item.requirement))
    return result
