"""``hf://owner/name[@REVISION]``: a Keras model on the Hugging Face Hub, fetched to be analysed.

Keras's own ``hf://`` load downloads the whole repository, each file at whatever the
branch is when that file is fetched, with no size limit. Here instead:

- the revision is resolved to a commit sha once (``model_info``, which also gives every
  file's size);
- those sizes are checked against the archive :class:`~layerhub.archive.limits.Limits`
  before anything is downloaded;
- only the files of a Keras model directory or KerasHub preset are downloaded
  (``config.json``, ``metadata.json``, ``model.weights.h5``/``.npz``, ``assets/``,
  layerhub's manifest; a preset's task, preprocessor, tokenizer and converter configs,
  ``task.weights.h5``, and ``model.weights.json`` with exactly the shards it lists, read
  from it first), each pinned to that commit, into huggingface_hub's own cache;
- the snapshot directory is then read like any unzipped ``.keras`` directory, and
  ``load_model`` hands that same directory to Keras: no second fetch.

Offline (``HF_HUB_OFFLINE=1``, or the Hub unreachable) a snapshot huggingface_hub has
cached is used, exactly as huggingface_hub itself does; ``HF_HOME``, ``HF_HUB_CACHE``,
``HF_ENDPOINT`` and tokens are huggingface_hub's. Pushing (:func:`push`) is one commit of
a prepared directory. huggingface_hub is optional (``layerhub[hub]``) and imported only
inside these functions; nothing here imports keras.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from ..errors import CorruptArchiveError, HubError, MissingDependencyError
from ..version import __version__
from .jsondoc import parse_config
from .layout import (
    ASSETS_DIR,
    CONFIG_MEMBER,
    MANIFEST_MEMBER,
    METADATA_MEMBER,
    NPZ_WEIGHTS_MEMBER,
    TASK_WEIGHTS_MEMBER,
    WEIGHTS_MEMBER,
    ModelArchive,
)
from .limits import Limits, limit_error
from .preset import document_members, shard_index_member, shard_names
from .sources import HUB_PREFIX as PREFIX

__all__ = ["HubSource", "cached", "fetch", "huggingface_hub", "one_line", "push", "unreachable"]

INSTALL_HINT = "pip install 'layerhub[hub]'"


class HubSource(NamedTuple):
    """A model repository on the Hub and the revision asked for (``None``: the default branch)."""

    repo_id: str
    revision: str | None = None

    @classmethod
    def parse(cls, location: str) -> HubSource:
        repo_id, at, revision = location[len(PREFIX) :].partition("@")
        owner, slash, name = repo_id.partition("/")
        if not (owner and slash and name) or "/" in name or (at and not revision):
            raise CorruptArchiveError(
                f"{location}: expected hf://owner/name or hf://owner/name@REVISION"
            )
        return cls(repo_id, revision or None)

    def url(self, revision: str | None = None) -> str:
        revision = revision or self.revision
        return f"{PREFIX}{self.repo_id}" + (f"@{revision}" if revision else "")


class Snapshot(NamedTuple):
    """The model files of one commit, downloaded into huggingface_hub's cache."""

    source: HubSource
    commit: str
    path: Path

    @property
    def url(self) -> str:
        """``hf://owner/name@<commit sha>``: where every message about this snapshot points."""
        return self.source.url(self.commit)

    def provenance(self) -> dict[str, Any]:
        """Where the model came from, as the manifest's ``source`` records it."""
        return {
            "repository": self.source.url(None),
            "revision": self.source.revision,
            "commit": self.commit,
        }

    def read(self, limits: Limits) -> ModelArchive:
        """The snapshot read like an unzipped ``.keras`` directory, named by its commit."""
        from .directory import read_directory

        # huggingface_hub's cache links each snapshot file to a blob of the same repository
        blobs = self.path.parent.parent / "blobs"
        archive = read_directory(self.path, limits, links_within=blobs)
        return archive._replace(path=self.url)


def huggingface_hub() -> ModuleType:
    """The optional ``huggingface_hub`` module, or an error saying how to install it."""
    try:
        import huggingface_hub
    except ImportError:
        raise MissingDependencyError(
            f"hf:// sources need the huggingface_hub package: {INSTALL_HINT}"
        ) from None
    return huggingface_hub


@functools.cache
def json_files() -> frozenset[str]:
    """The configs of a model directory or preset (all ``resolve`` and ``validate`` read)."""
    return frozenset((CONFIG_MEMBER, METADATA_MEMBER, MANIFEST_MEMBER, *document_members()))


@functools.cache
def model_files() -> frozenset[str]:
    """Every file of a model directory or preset but the shards and assets."""
    return (
        json_files()
        | {WEIGHTS_MEMBER, NPZ_WEIGHTS_MEMBER, TASK_WEIGHTS_MEMBER}
        | {shard_index_member()}
    )


def is_model_file(name: str) -> bool:
    return name in model_files() or name.startswith(ASSETS_DIR)


def fetch(location: str, limits: Limits | None = None, *, weights: bool = True) -> Snapshot:
    """Resolve ``location`` to a commit, check its file sizes, download its model files
    (with ``weights=False`` only its JSON files: all ``resolve`` and ``validate`` read)."""
    source = HubSource.parse(location)
    limits = limits or Limits.from_env()
    hub = huggingface_hub()
    try:
        info = hub.HfApi().model_info(source.repo_id, revision=source.revision, files_metadata=True)
    except Exception as exc:
        if not unreachable(exc):
            raise hub_error(source.url(), exc) from None
        return cached(hub, source, exc)
    commit = info.sha
    wanted = is_model_file if weights else json_files().__contains__
    declared = {s.rfilename: s.size for s in info.siblings or ()}
    sizes = {name: size for name, size in declared.items() if wanted(name)}
    where = source.url(commit)
    if CONFIG_MEMBER not in sizes:
        raise CorruptArchiveError(f"{where}: not a Keras model repository (no {CONFIG_MEMBER})")
    check_sizes(where, sizes, limits)
    if weights and (shards := shard_sizes(hub, source.repo_id, commit, declared, limits)):
        sizes.update(shards)
        check_sizes(where, sizes, limits)
    try:
        # config.json by the revision asked for, so huggingface_hub records revision ->
        # commit in its cache (what offline use looks up); everything else by the commit
        config = Path(hub.hf_hub_download(source.repo_id, CONFIG_MEMBER, revision=source.revision))
        if config.parent.name != commit:
            raise HubError(
                f"{source.url()}: moved from {commit} to {config.parent.name} while it was "
                "being downloaded; try again"
            )
        for name in sizes:
            if name != CONFIG_MEMBER:
                hub.hf_hub_download(source.repo_id, name, revision=commit)
    except HubError:
        raise
    except Exception as exc:
        raise hub_error(where, exc) from None
    for name, size in sizes.items():  # the limits held for the declared sizes: and the files?
        got = (config.parent / name).stat().st_size
        if got != size:
            raise CorruptArchiveError(f"{where}: {name} is {got} bytes, the Hub declared {size}")
    return Snapshot(source, commit, config.parent)


def shard_sizes(
    hub: ModuleType, repo_id: str, commit: str, declared: dict[str, int | None], limits: Limits
) -> dict[str, int | None]:
    """The shards the sharded-weights index of a preset lists, with their declared sizes,
    the index downloaded (and read, with the config limits) first. A name that is not a
    plain file name is left for the directory reader to report; a listed shard missing
    from the repository is an error."""
    index = shard_index_member()
    if index not in declared:
        return {}
    where = f"{PREFIX}{repo_id}@{commit}"
    try:
        path = Path(hub.hf_hub_download(repo_id, index, revision=commit))
    except Exception as exc:
        raise hub_error(where, exc) from None
    document = parse_config(path.read_bytes(), f"{where}/{index}", limits)
    names, _ = shard_names(document, f"{where}/{index}", index)
    missing = [name for name in names if name not in declared]
    if missing:
        raise CorruptArchiveError(f"{where}: {index} lists shards the repository lacks: {missing}")
    return {name: declared[name] for name in names}


def cached(hub: ModuleType, source: HubSource, reason: Exception) -> Snapshot:
    """The snapshot huggingface_hub cached for ``source``, when the Hub cannot be asked."""
    try:
        config = Path(
            hub.hf_hub_download(
                source.repo_id, CONFIG_MEMBER, revision=source.revision, local_files_only=True
            )
        )
    except Exception:
        raise HubError(
            f"{source.url()}: the Hub cannot be reached ({one_line(reason)}) and "
            "huggingface_hub has no cached snapshot of it"
        ) from None
    return Snapshot(source, config.parent.name, config.parent)


def check_sizes(where: str, sizes: dict[str, int | None], limits: Limits) -> None:
    """Refuse, from the sizes the Hub declares, what the archive limits refuse in a zip."""
    if len(sizes) > limits.max_members:
        raise limit_error(
            f"{where}: {len(sizes)} model files, over the limit of {limits.max_members}",
            "too-many-members",
            "member:",
            "MAX_MEMBERS",
        )
    for name, size in sizes.items():
        if size is None:
            raise CorruptArchiveError(f"{where}: the Hub declares no size for {name}")
        if name.endswith(".json"):  # the configs, and a preset's shard index
            bound, code, setting = limits.max_config_bytes, "config-too-large", "MAX_CONFIG_BYTES"
        else:
            bound, code, setting = limits.max_member_bytes, "member-too-large", "MAX_MEMBER_BYTES"
        if size > bound:
            raise limit_error(
                f"{where}: {name} is {size} bytes, over the limit of {bound}",
                code,
                f"member:{name}",
                setting,
            )
    total = sum(s or 0 for s in sizes.values())
    if total > limits.max_total_bytes:
        raise limit_error(
            f"{where}: {total} bytes of model files, over the limit of {limits.max_total_bytes}",
            "archive-too-large",
            "member:",
            "MAX_TOTAL_BYTES",
        )


def push(location: str, folder: Path, message: str) -> str:
    """Upload ``folder`` to the repository of ``location`` in one commit; its sha.

    The Hub applies a commit whole or not at all, so a failed push leaves the
    repository as it was.
    """
    source = HubSource.parse(location)
    hub = huggingface_hub()
    api = hub.HfApi(library_name="layerhub", library_version=__version__)
    try:
        repo = api.create_repo(source.repo_id, exist_ok=True)
        info = api.upload_folder(
            repo_id=repo.repo_id,
            folder_path=str(folder),
            commit_message=message,
            revision=source.revision,
        )
    except Exception as exc:
        raise hub_error(source.url(), exc, "push failed") from None
    return info.oid


def unreachable(exc: Exception) -> bool:
    """Whether ``exc`` means the Hub could not be asked (offline, network, Hub down), the
    cases where huggingface_hub itself falls back to its cache."""
    import huggingface_hub.errors as errors

    if isinstance(exc, errors.OfflineModeIsEnabled):
        return True
    if isinstance(exc, errors.HfHubHTTPError):
        response = getattr(exc, "response", None)
        return response is not None and response.status_code >= 500
    # the HTTP client huggingface_hub uses, already imported by it: httpx2 (2.x), httpx
    # (1.x) or requests (0.x, whose errors are OSErrors)
    transport = tuple(
        sys.modules[name].TransportError for name in ("httpx2", "httpx") if name in sys.modules
    )
    return isinstance(exc, (OSError, *transport))


def hub_error(where: str, exc: Exception, doing: str = "") -> HubError:
    what = f"{doing}: " if doing else ""
    return HubError(f"{where}: {what}{type(exc).__name__}: {one_line(exc)}")


def one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]
