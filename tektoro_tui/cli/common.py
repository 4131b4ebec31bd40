"""What every CLI command shares: the --db and --json options, opening the services,
the logged-in user, password input and JSON output. Refusals exit 1 with the reason on
stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import AuthenticationError, TektoroError

if TYPE_CHECKING:
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


def fail(message: str, title: str = "Error", code: int = 1) -> None:
    """Print a refusal to stderr and exit with ``code``."""
    typer.echo(f"{title}: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def services_for(db: str | None, *, migrate: bool = True) -> Iterator[Services]:
    """Open the chosen database's services; turn product errors into a clean exit 1."""
    from ..config import resolve_database
    from ..loading import resume_collection
    from ..services.hub import Services

    services: Services | None = None
    try:
        choice = resolve_database(db)
        services = Services.connect(choice.url, migrate=migrate)
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


def print_json(data: Any) -> None:
    """Print ``data`` as JSON (dates, money and enums as text)."""
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
