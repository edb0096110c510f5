"""Keras's words in layerhub's errors: a long message loses the middles of its config
dumps, never its cause (pure functions: no keras imported)."""

from __future__ import annotations

from layerhub.kerasio.loading import MESSAGE_LIMIT, shorten_dumps

DUMP = "{" + ", ".join(f"'key{i}': {{'nested': [{i}, {i}]}}" for i in range(800)) + "}"


def test_the_cause_after_a_long_dump_survives():
    cause = "Exception encountered: Unable to reconstruct an instance of 'Thing'"
    message = f"Thing could not be deserialized properly. config={DUMP}. {cause}"
    short = shorten_dumps(message)
    assert short.endswith(cause)
    assert short.startswith("Thing could not be deserialized properly. config={'key0'")
    assert "characters cut" in short
    assert len(short) <= MESSAGE_LIMIT + 100


def test_every_dump_is_cut_longest_first_until_the_message_fits():
    message = f"first {DUMP} middle {DUMP[:500]}}} last"
    short = shorten_dumps(message)
    assert short.count("characters cut") == 1  # the long dump alone is enough
    assert " middle " in short and short.endswith(" last")


def test_short_messages_and_text_outside_braces_are_kept_whole():
    assert shorten_dumps("File not found: x.keras") == "File not found: x.keras"
    prose = "word " * 2000
    assert shorten_dumps(prose) == prose
