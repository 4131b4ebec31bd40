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


def listed(items: tuple[str, ...] | list[str]) -> str:
    """Items as a sentence lists them: "address", "address and tax ID", "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def missing_details(owner: str, missing: tuple[str, ...]) -> str:
    """ "your firm's address and tax ID are missing" (the verb agrees with the count)."""
    return f"{owner} {listed(missing)} {'is' if len(missing) == 1 else 'are'} missing"


def counted(count: int, thing: str, things: str | None = None) -> str:
    """ "1 invoice", "2 invoices"; "1 entry", "3 entries" when ``things`` is given."""
    return f"{count} {thing}" if count == 1 else f"{count} {things or thing + 's'}"
