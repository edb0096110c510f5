"""Bounds on what a file may ask of the reader, and the error for going past one."""

from __future__ import annotations

from typing import Any, NamedTuple

from .. import settings
from ..errors import ConfigurationError, UnsafeArchiveError
from ..findings import Finding, Severity

__all__ = ["GiB", "Limits", "MiB", "limit_error"]

MiB = 1024 * 1024
GiB = 1024 * MiB
#: The limits that are ratios rather than counts.
FLOAT_FIELDS = frozenset({"max_ratio", "max_params_ratio"})


class Limits(NamedTuple):
    """Bounds on what a file may ask of the reader.

    Each field has an environment variable ``LAYERHUB_<FIELD>`` (upper case) that
    overrides its default, e.g. ``LAYERHUB_MAX_CONFIG_BYTES=100000000``;
    ``LAYERHUB_ALLOWED_MEMBERS`` is a comma-separated list of glob patterns.
    """

    #: zip members, or HDF5 objects walked.
    max_members: int = 10_000
    #: uncompressed size of one zip member, and declared size of one HDF5 dataset.
    max_member_bytes: int = 16 * GiB
    #: uncompressed size of all zip members together.
    max_total_bytes: int = 32 * GiB
    #: uncompressed / compressed size of a zip member (or declared / file size of an
    #: HDF5 dataset), checked only for members larger than ``ratio_floor_bytes``.
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 16 * MiB
    #: size of ``config.json`` (and ``metadata.json``, the manifest, an h5 model_config).
    max_config_bytes: int = 32 * MiB
    #: nesting of JSON arrays and objects in the config.
    max_json_depth: int = 100
    #: glob patterns of extra zip members to accept besides the Keras layout.
    allowed_members: tuple[str, ...] = ()
    #: weights a config may declare in all (:mod:`layerhub.safety.budget`), and the
    #: size of any one shape it declares.
    max_params: int = 10**11
    #: declared weights / weights the file stores, beyond ``max_unstored_params``.
    max_params_ratio: float = 4.0
    #: weights a config may declare beyond what the file stores (unbuilt layers).
    max_unstored_params: int = 10**8
    #: layers in all the models of a config, nested ones included.
    max_layers: int = 20_000
    #: the longest chain of layers through a model's graph (nested models unrolled).
    max_graph_depth: int = 5_000
    #: bytes Keras allocates for a config's ``__numpy__``/``__tensor__`` values, each
    #: and all together (:mod:`layerhub.safety.placeholders`).
    max_placeholder_bytes: int = 256 * MiB

    @classmethod
    def from_env(cls) -> Limits:
        values: dict[str, Any] = {}
        for name in cls._fields:
            text = settings.limit(name)
            if not text:
                continue
            if name == "allowed_members":
                values[name] = tuple(p.strip() for p in text.split(",") if p.strip())
                continue
            try:
                values[name] = float(text) if name in FLOAT_FIELDS else int(float(text))
            except ValueError:
                raise ConfigurationError(
                    f"{settings.LIMIT_PREFIX}{name.upper()}: expected a number, got {text!r}"
                ) from None
        return cls(**values)


def limit_error(message: str, code: str, location: str, setting: str) -> UnsafeArchiveError:
    """The refusal of a file that goes past a limit, naming the variable that raises it."""
    finding = Finding(code, Severity.CRITICAL, message, location)
    return UnsafeArchiveError(
        f"{message} (raise {settings.LIMIT_PREFIX}{setting} if the file is trusted)", [finding]
    )
