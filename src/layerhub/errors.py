"""The exception hierarchy.

Every error layerhub raises on bad input derives from :class:`LayerhubError`.
Where Keras raises a built-in exception for the same input, the layerhub
subclass derives from that built-in as well, so code written against Keras
(``except ValueError:``) keeps working after switching to layerhub.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

__all__ = [
    "ArchiveChangedError",
    "AuthoringError",
    "CheckConfigError",
    "CheckFailure",
    "ConfigurationError",
    "CorruptArchiveError",
    "ExportError",
    "HubError",
    "IndexBuildError",
    "IndexFormatError",
    "IndexUnavailableError",
    "LayerhubError",
    "MissingDependencyError",
    "MissingObject",
    "MissingObjectsError",
    "ModelLoadError",
    "PluginError",
    "PluginWarning",
    "ProvenanceWarning",
    "RenamedObjectWarning",
    "SchemaError",
    "SchemaViolation",
    "SchemaViolationError",
    "TrustError",
    "UnsafeArchiveError",
]


class LayerhubError(Exception):
    """Base class of every error layerhub raises on bad input.

    Added in version 0.1.0.
    """


class PluginError(LayerhubError):
    """A plugin could not be loaded, or one of its targets could not be imported.

    Added in version 0.1.0.
    """


class PluginWarning(UserWarning):
    """A plugin was skipped or one of its registrations was refused.

    Emitted (never raised) so that one broken plugin never stops the others.
    ``--strict`` / ``LAYERHUB_STRICT=1`` turns these into :class:`PluginError`.

    Added in version 0.1.0.
    """


class RenamedObjectWarning(UserWarning):
    """A file names an object by an old name its plugin declared as an alias of the new
    one (``registry.add(..., aliases=)`` or the ``layerhub.aliases`` entry points): the
    object loads, and the message names the new name to save under.

    Added in version 0.2.0.
    """


class CorruptArchiveError(LayerhubError, ValueError):
    """The file is not a readable Keras archive (not a zip, truncated, missing members...).

    Added in version 0.1.0.
    """


class UnsafeArchiveError(LayerhubError, ValueError):
    """The archive asks for something that safe mode refuses (lambdas, external modules...).

    ``findings`` holds every reason (:class:`layerhub.findings.Finding`), each with its
    location in the config, the archive or the HDF5 file, and the object there.
    ``violations`` holds the :class:`SchemaViolation` s of the same file's plugin configs,
    when ``load_model`` validated them: a refused file is reported whole, in one error,
    rather than one problem per attempt to load it.

    Added in version 0.1.0.
    """

    def __init__(
        self,
        message: str,
        findings: Iterable[object] = (),
        violations: Iterable[SchemaViolation] = (),
    ) -> None:
        self.findings = tuple(findings)
        self.violations = tuple(violations)
        super().__init__(message)


class ModelLoadError(LayerhubError, ValueError, TypeError):
    """Keras itself failed to build the model from a file that passed layerhub's checks.

    Keras reports broken files with many exception types (``ValueError``, ``TypeError``,
    ``KeyError``, ``OSError``...); this wraps them all, the original chained, and
    derives from both ``ValueError`` and ``TypeError`` so Keras-era handlers still work.

    Added in version 0.1.0.
    """


class ArchiveChangedError(ModelLoadError):
    """The file changed between layerhub's analysis and the end of Keras's load, so what
    Keras read is not what was checked; load it again once it is no longer written to.

    Added in version 0.1.0.
    """


class ConfigurationError(LayerhubError, ValueError):
    """A layerhub setting (environment variable or trust file) is unusable.

    Added in version 0.1.0.
    """


class MissingObject(NamedTuple):
    """One custom object the archive references that nothing installed provides.

    Added in version 0.1.0.
    """

    name: str
    pointer: str
    reason: str = ""
    requirement: str | None = None

    def describe(self) -> str:
        text = f"{self.name!r} at {self.pointer or '/'}"
        if self.reason:
            text += f" ({self.reason})"
        if self.requirement:
            text += f" -- install: pip install {self.requirement!r}"
        return text


class MissingObjectsError(LayerhubError, TypeError):
    """Custom objects referenced by a model that no plugin provides -- all of them at once.

    Derives from ``TypeError`` because that is what Keras raises for an unknown class.

    Added in version 0.1.0.
    """

    def __init__(self, missing: Iterable[MissingObject], source: str = "") -> None:
        self.missing = tuple(missing)
        self.source = source
        where = f" in {source}" if source else ""
        names = "; ".join(m.describe() for m in self.missing)
        super().__init__(
            f"{len(self.missing)} custom object(s) referenced{where} are not provided by any "
            f"installed layerhub plugin: {names}"
        )


class SchemaError(LayerhubError, ValueError):
    """A schema cannot be used: malformed, not found, or nothing to infer one from.

    Added in version 0.1.0.
    """


class SchemaViolation(NamedTuple):
    """One way a config breaks a schema, located twice: where the object sits in the
    file (``pointer``, a JSON pointer into ``member``) and where inside the object's
    config the problem is (``path``, a JSON pointer into its config).

    ``name`` is the registered name of the plugin object, or the shipped schema's file
    name for the archive's own files (then ``pointer`` is ``""``). ``keyword`` is the
    JSON Schema keyword that failed; ``value`` the offending value (for ``required``,
    the missing property's name; for ``additionalProperties``, the unexpected
    property's value, with ``path`` naming it).

    Added in version 0.1.0.
    """

    name: str
    pointer: str
    path: str
    keyword: str
    value: Any
    message: str
    member: str = "config.json"

    def describe(self) -> str:
        return f"{self.name!r} at {self.member}:{self.pointer or '/'}, {self.detail()}"

    def detail(self) -> str:
        """What is wrong inside the object's config, for a text that names the object and
        its pointer already (a scan finding)."""
        return f"config {self.path or '/'}: {self.message} [{self.keyword}]"

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


class SchemaViolationError(LayerhubError, ValueError):
    """Plugin object configs that do not satisfy their plugins' schemas -- all of them at once.

    Derives from ``ValueError``, what Keras raises for a config it cannot use.

    Added in version 0.1.0.
    """

    #: How many violations the message spells out; :attr:`violations` holds them all.
    SHOWN = 20

    def __init__(self, violations: Iterable[SchemaViolation], source: str = "") -> None:
        self.violations = tuple(violations)
        self.source = source
        where = f" in {source}" if source else ""
        details = self.listing(self.violations)
        super().__init__(f"{len(self.violations)} schema violation(s){where}: {details}")

    @classmethod
    def listing(cls, violations: tuple[SchemaViolation, ...]) -> str:
        """The violations as one line: the first :attr:`SHOWN`, then how many more."""
        details = "; ".join(v.describe() for v in violations[: cls.SHOWN])
        more = len(violations) - cls.SHOWN
        return f"{details}; and {more} more" if more > 0 else details


class IndexFormatError(LayerhubError, ValueError):
    """An index or provenance manifest that is not valid JSON or breaks its schema.

    Added in version 0.1.0.
    """


class IndexUnavailableError(LayerhubError, OSError):
    """An index (file or URL) could not be read: missing file, network failure, HTTP error.

    Added in version 0.1.0.
    """


class HubError(LayerhubError, OSError):
    """The Hugging Face Hub refused a request or could not be reached (and nothing cached
    answers instead): repository or revision not found, no access, a failed push.

    Added in version 0.1.0.
    """


class TrustError(LayerhubError, ValueError):
    """``layerhub trust`` could not introspect a distribution (not installed, import crash).

    Added in version 0.1.0.
    """


class ProvenanceWarning(UserWarning):
    """A model's manifest names a provider installed at a different major version.

    Added in version 0.1.0.
    """


class IndexBuildError(LayerhubError, ValueError):
    """``layerhub index build`` met a wheel it cannot publish (bad name, unreadable hook).

    Added in version 0.1.0.
    """


class CheckConfigError(LayerhubError, ValueError):
    """The conformance suite was asked for something that does not exist (a plugin, a check).

    Added in version 0.1.0.
    """


class ExportError(LayerhubError, ValueError):
    """A model cannot be exported as asked (unknown format, output in the way...).

    Added in version 0.1.0.
    """


class AuthoringError(LayerhubError, ValueError):
    """``layerhub adopt`` or ``layerhub new`` cannot do what was asked: a distribution
    not installed or registering nothing, a ``pyproject.toml`` that cannot be edited, a
    project directory already there.

    Added in version 0.2.0.
    """


class MissingDependencyError(LayerhubError, ImportError):
    """An optional dependency a feature needs is not installed; the message says what to install.

    Added in version 0.1.0.
    """


class CheckFailure(LayerhubError, AssertionError):
    """A conformance check found that a plugin object does not conform; the message says
    what is wrong and how to fix it.

    Added in version 0.1.0.
    """
