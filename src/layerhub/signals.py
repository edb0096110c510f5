"""Signals: exceptions raised and caught inside layerhub, never seen by a caller.

They are not errors of the user's input, so they do not derive from
:class:`~layerhub.errors.LayerhubError` and do not live in the user-facing
:mod:`layerhub.errors`. ``CheckSkipped`` alone reaches the conformance API
(``layerhub.checks``), where a check raises it to be reported as skipped.
"""

from __future__ import annotations

__all__ = [
    "CheckSkipped",
    "ChildFailed",
    "MalformedMetadata",
    "TooManyLinks",
    "UnreadableDtype",
    "UnresolvableReference",
    "UnsupportedHDF5",
]


class CheckSkipped(Exception):
    """A conformance check cannot run for this object (nothing to check, or an example
    is needed); the suite reports it as skipped.

    Added in version 0.1.0.
    """

    def __init__(self, reason: str, *, needs_example: bool = False) -> None:
        super().__init__(reason)
        self.needs_example = needs_example


class UnsupportedHDF5(Exception):
    """The pure HDF5 reader met something it does not handle: the caller asks h5py."""


class TooManyLinks(Exception):
    """One HDF5 group holds more links than the caller accepts in the whole file."""


class ChildFailed(Exception):
    """A child process (:mod:`layerhub.child`) exited with an error, printed no reply, or
    ran out of time; the message is one line. Callers turn it into the
    :class:`LayerhubError` of their command."""


class UnresolvableReference(LookupError):
    """A ``$ref`` in a schema that leads nowhere (:func:`layerhub.schemas.shipped.resolve`)."""


class UnreadableDtype(ValueError):
    """NumPy does not read a ``__numpy__``/``__tensor__`` value's dtype
    (:mod:`layerhub.safety.placeholders` reports it as a finding)."""


class MalformedMetadata(ValueError):
    """An ``entry_points.txt`` line that is neither a section, a comment nor ``a = b``
    (:mod:`layerhub.plugins.metadata`: discovery skips that distribution, warning)."""
