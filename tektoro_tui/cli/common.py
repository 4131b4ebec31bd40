"""What every CLI command shares: the --db and --json options, opening the services,
the logged-in user, password input and JSON output. Refusals exit 1 with the reason on
stderr."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..domain.values import is_whole_number, parse_id, parse_whole_number
from ..errors import (
    AuthenticationError,
    ConfigError,
    Problem,
    TektoroError,
    ValidationError,
    shown,
)

if TYPE_CHECKING:
    from ..domain.money import Money
    from ..services.base import Actor
    from ..services.hub import Services

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///file.db or postgresql://user@host/db) or a file path.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
VersionOpt = Annotated[
    int | None,
    typer.Option("--version", help="The version you read (refused if it changed since)."),
]
ProjectOpt = Annotated[str, typer.Option("--project", help="Project id, code or name.")]


MAX_MESSAGE = 1000
"""A refusal longer than this is cut: a 100 KB value typed by mistake is not echoed whole."""
MAX_WORD = 200
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")
_WHITESPACE = re.compile(r"\s+")


def money_text(value: Money | None) -> str:
    """An amount with its currency for a line of output ("1,234.50 EUR"), "-" for none."""
    return "-" if value is None else f"{value.format()} {value.currency}"


def one_line(message: str) -> str:
    """``message`` on one line, with any word over :data:`MAX_WORD` characters and the whole
    over :data:`MAX_MESSAGE` cut short ("…"), and control characters shown as spaces."""
    text = _WHITESPACE.sub(" ", "".join(c if c.isprintable() else " " for c in message))
    text = _LONG_WORD.sub(lambda word: word[0][: MAX_WORD - 1] + "…", text.strip())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def fail(message: str, title: str = "Error", code: int = 1) -> None:
    """Print a refusal to stderr, as one line, and exit with ``code``."""
    typer.echo(one_line(f"{title}: {message}"), err=True)
    raise typer.Exit(code)


def id_value(text: str | int) -> int:
    """An id typed as an argument or option (a typer ``parser``); a usage error otherwise."""
    try:
        return parse_id(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def whole_number(low: int, high: int) -> Callable[[str | int], int]:
    """A typer ``parser`` for a whole number from ``low`` to ``high``."""

    def parse(text: str | int) -> int:
        try:
            return parse_whole_number(text, low, high)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    return parse


def typed_id(field: str, text: str) -> int | None:
    """The id ``text`` gives when it is written as a number; None when it is a name or an
    e-mail to look up instead.

    Raises:
        ValidationError: digits that are no id (0, or beyond the largest id), naming ``field``.
    """
    if not is_whole_number(text):
        return None
    try:
        return parse_id(text)
    except ValueError as exc:
        raise ValidationError([Problem(field, str(exc))]) from None


OUTER_DB: ContextVar[str | None] = ContextVar("outer_db", default=None)
"""The ``--db`` given before the command's name (``tektoro --db URL whoami``), set by the
command line's callback for each invocation."""


def chosen_db(db: str | None) -> str | None:
    """The ``--db`` of a command, or the one given before the command's name; the same
    database may be named in both places, two different ones are refused."""
    outer = OUTER_DB.get()
    if db is not None and outer is not None and db != outer:
        raise ConfigError(
            f"--db names two databases ('{shown(outer)}' before the command, '{shown(db)}' "
            "after it): give it once."
        )
    return db if db is not None else outer


@contextmanager
def services_for(
    db: str | None, *, migrate: bool = True, create: bool = False
) -> Iterator[Services]:
    """Open the chosen database's services; turn product errors into a clean exit 1.

    Only the commands that make a firm (``init``, ``demo``, ``db upgrade``) pass ``create``;
    every other command refuses a database that does not exist, or an empty one.
    """
    from ..config import resolve_database
    from ..loading import resume_collection
    from ..services.hub import Services

    services: Services | None = None
    try:
        choice = resolve_database(chosen_db(db))
        services = Services.connect(choice.url, migrate=migrate, create=create)
        resume_collection()  # paused by the entry point while the program loaded
        yield services
    except TektoroError as exc:
        fail(exc.message, exc.title)
    finally:
        if services is not None:
            services.close()


def current_actor(services: Services) -> Actor:
    """The user of the stored CLI session for this database, or refuse."""
    from ..credentials import load_session_token

    token = load_session_token(services.db.display_url)
    if not token:
        raise AuthenticationError(
            "You are not logged in to this database. Run 'tektoro login' first.",
            title="Not logged in",
        )
    return services.auth.resume_session(token)


def read_password(stdin: bool, prompt: str = "Password", confirm: bool = False) -> str:
    """A password from standard input (one line) or an interactive prompt."""
    if stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        fail("No terminal to ask for the password; pass it with --password-stdin.", "Password")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


@contextmanager
def progress_line(what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress report for a long write, shown on standard error while it is a terminal
    ("Writing 120,000 of 450,000 entries (26 %)", on one line, cleared at the end); None
    otherwise, so scripts and pipes see only the result."""
    if not sys.stderr.isatty():
        yield None
        return

    def show(done: int, expected: int) -> None:
        share = f" ({100 * done // expected} %)" if expected else ""
        sys.stderr.write(f"\rWriting {done:,} of {expected:,} {what}{share}\x1b[K")
        sys.stderr.flush()

    try:
        yield show
    finally:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


def print_json(data: Any) -> None:
    """Print ``data`` as JSON (dates, money and enums as text)."""
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
