"""One error hierarchy for the whole product.

Every failure a user can cause or meet is a :class:`TektoroError` with a short
title and a sentence a bookkeeper understands. The TUI shows it as a titled
notification, the CLI prints it to stderr and exits 1. Nothing below the faces
formats errors for a screen.
"""

from __future__ import annotations

from dataclasses import dataclass

SHOWN_LENGTH = 60
"""How much of a typed value a message quotes; the rest is cut ("…")."""


def shown(value: object, limit: int = SHOWN_LENGTH) -> str:
    """``value`` as a message quotes it: on one line and at most ``limit`` characters, so a
    100 KB value typed by mistake is never echoed whole."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of a form."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class TektoroError(Exception):
    """Base of every expected failure; carries a title and a user-facing message."""

    title = "Something went wrong"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class ValidationError(TektoroError):
    """A form or command had bad input; ``problems`` lists every one of them."""

    title = "Please correct the form"
    NOT_A_FORM = "Cannot do that"
    """The title when the input at fault is no form's: a choice, a selection, a command."""

    def __init__(
        self, problems: list[Problem] | tuple[Problem, ...], *, title: str | None = None
    ) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems) or "invalid input", title=title)

    @property
    def titled(self) -> bool:
        """Whether the raiser chose a title of its own (else the form's default applies)."""
        return "title" in self.__dict__


class PermissionDenied(TektoroError):
    """The acting user lacks the permission an action needs."""

    title = "Not allowed"


class NotFound(TektoroError):
    """A record the action refers to does not exist (or is not visible)."""

    title = "Not found"


class IllegalTransition(TektoroError):
    """A state machine refused a move, e.g. approving a draft time entry."""

    title = "Not possible in this state"

    def __init__(self, entity: str, current: str, action: str, reason: str) -> None:
        self.entity = entity
        self.current = current
        self.action = action
        self.reason = reason
        super().__init__(f"Cannot {action} a {entity} that is {current}: {reason}")


class CurrencyMismatch(TektoroError):
    """Two amounts in different currencies were combined."""

    title = "Currency mismatch"


class ConflictError(TektoroError):
    """Someone else changed the same records first; nothing was written."""

    title = "Changed by someone else"


class AuthenticationError(TektoroError):
    """Login failed, a session expired, or no user is logged in."""

    title = "Login failed"


class ConfigError(TektoroError):
    """Configuration (database URL, config file, credentials) is missing or wrong."""

    title = "Configuration problem"


class DatabaseError(TektoroError):
    """The database could not be reached or refused a write for a technical reason."""

    title = "Database problem"


class DatabaseUnreachable(DatabaseError):
    """The connection to the database was lost or could not be made (the server is down or
    full, the network is cut): nothing was changed, and the same call can work again later."""


class LedgerError(TektoroError):
    """The database itself refused to change a frozen ledger record."""

    title = "Ledger record is frozen"


class StaleEdit(ConflictError):
    """The record was saved by someone else after the form was opened; nothing was written."""
