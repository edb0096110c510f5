"""Checks that need only the imported target: it imports, and Keras saves it by its name."""

from __future__ import annotations

from .subject import Subject

__all__ = ["check_imports", "check_registered_name"]


def check_imports(subject: Subject) -> None:
    """The registered target imports (``module:attribute`` resolves)."""
    subject.target  # noqa: B018 -- importing is the check; a failure raises CheckFailure


def check_registered_name(subject: Subject) -> None:
    """The name Keras records when saving the object equals the name it is registered under.

    Keras writes ``keras.saving.get_registered_name(obj)`` into ``config.json``; layerhub
    finds the plugin by that name, so a mismatch makes every saved model unloadable.
    """
    import keras

    from ..errors import CheckFailure

    recorded = keras.saving.get_registered_name(subject.target)
    if recorded != subject.name:
        package, _, name = subject.name.partition(">")
        hint = (
            f"@keras.saving.register_keras_serializable(package={package!r}, name={name!r})"
            if name
            else "a registered name of the form 'Package>Name'"
        )
        raise CheckFailure(
            f"Keras saves this object as {recorded!r}, but the plugin registers it as "
            f"{subject.name!r}, so saved models would not find it. Fix: decorate "
            f"{subject.entry.target_path} with {hint}, or register it under {recorded!r}."
        )
