"""The console-script entry point: bare ``tektoro`` opens the TUI without loading typer.

``tektoro`` and ``tektoro --db URL`` go straight to the Textual app, because
typer (and the pydantic it imports) would add a visible delay before the login
screen. The reports :mod:`.quick` answers without typer and SQLAlchemy go there first;
everything else is handed to the typer commands in :mod:`.main`.
"""

from __future__ import annotations

import sys

from ..loading import pause_collection


def bare_tui_database(argv: list[str]) -> tuple[bool, str | None]:
    """Whether ``argv`` only opens the TUI, and the ``--db`` value it names."""
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--db":
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--db="):
        return True, argv[0].split("=", 1)[1]
    return False, None


def run() -> None:
    """Open the TUI for a bare call; otherwise run the typer command line."""
    pause_collection()  # resumed once the database is open
    bare, db = bare_tui_database(sys.argv[1:])
    if not bare:
        from .quick import answer

        if answer(sys.argv[1:]):
            return
        from .main import run as run_commands

        run_commands()
        return
    from ..config import resolve_database
    from ..errors import TektoroError

    try:
        choice = resolve_database(db)
    except TektoroError as exc:
        print(f"{exc.title}: {exc.message}", file=sys.stderr)
        raise SystemExit(1) from exc
    from ..app import run_app

    run_app(choice.url)


if __name__ == "__main__":
    run()
