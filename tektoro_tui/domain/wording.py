"""Messages a person reads: a sentence ends with one full stop, whatever name closes it."""

from __future__ import annotations

_ENDINGS = (".", "!", "?", "…")


def sentence(text: str) -> str:
    """``text`` ending in exactly one full stop: "Saved client Acme Sp. z o.o." not "o.o..".

    A name typed by a person often ends in a full stop already (a legal form such as
    "Sp. z o.o." or "Inc."); the message then takes no second one.
    """
    stripped = text.rstrip()
    return stripped if stripped.endswith(_ENDINGS) else stripped + "."
