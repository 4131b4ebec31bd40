"""Reports a script runs again and again, answered without loading the command tree.

``tektoro time summary``, ``tektoro revenue report`` and ``tektoro whoami`` through typer and
the services start in
about half a second, most of it importing typer, SQLAlchemy, SQLModel and the tables; their
own work is a few milliseconds. The entry point (:mod:`.entry`) hands such a call here first.
What is answered here reads through the driver (:mod:`tektoro_tui.services.quick`) and prints
with the command's own code (:mod:`.output`): the same lines and the same JSON.

Only the plain case is answered here: the options below, each given once, and a database,
schema and session the quick reads accept. Anything else (another option, a name to look
up, a malformed date, no session, any error) is declined, and the command runs the ordinary
way, which answers it or refuses it with its own message. So nothing here ever refuses.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..data.direct import Place
    from ..services.quick import QuickReader


class _Declined(Exception):
    """This call is for the ordinary way."""


def answer(argv: Sequence[str]) -> bool:
    """Print the answer to ``argv`` if it is a quick read; False when it is not (or when
    anything about it is not plain), having printed nothing."""
    outer: list[str] = []  # a --db before the command's name
    if argv[:1] == ["--db"]:
        outer, argv = ["--db", *argv[1:2]], argv[2:]
    elif argv[:1] and argv[0].startswith("--db="):
        outer, argv = [argv[0]], argv[1:]
    words = next((n for n in (2, 1) if tuple(argv[:n]) in QUICK), 0)
    if not words:
        return False
    read, valued = QUICK[tuple(argv[:words])]
    try:
        text = read(_options([*argv[words:], *outer], (*valued, "--db"), ("--json",)))
        _printable(text)
    except Exception:  # noqa: BLE001 - whatever it is, the ordinary way answers or says it
        return False
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


def _printable(text: str) -> None:
    """Decline a text that the command's printing (click's) would change: one with a terminal
    escape (stripped when the output is not a terminal), or one the output's encoding cannot
    hold (replaced)."""
    if "\x1b" in text:
        raise _Declined
    text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")


def time_summary(options: dict[str, str | bool]) -> str:
    """``tektoro time summary [--from DATE] [--to DATE]``: the Time Report summed per project,
    as :func:`tektoro_tui.cli.pipeline.time_summary` prints it."""
    from .output import json_text, project_hours_lines

    date_from, date_to = _date(options.get("--from")), _date(options.get("--to"))
    with _signed_in(options) as (reader, user):
        rows = reader.project_hours(reader.visible_owners(user), date_from, date_to)
    if options.get("--json"):
        return json_text({"projects": rows}) + "\n"
    return "".join(line + "\n" for line in project_hours_lines(rows))


def revenue_report(options: dict[str, str | bool]) -> str:
    """``tektoro revenue report [--from DATE] [--as-of DATE]``: recognised revenue by month,
    client and project, as :func:`tektoro_tui.cli.pipeline.revenue_report` prints it."""
    from ..domain.permissions import Perm
    from .output import json_text, revenue_lines

    date_from, date_to = _date(options.get("--from")), _date(options.get("--as-of"))
    with _signed_in(options) as (reader, user):
        if not reader.holds(user, Perm.INVOICE_VIEW_ALL.value):
            raise _Declined  # the ordinary way says what is missing
        rows = reader.revenue(date_from, date_to)
    if options.get("--json"):
        return json_text(rows) + "\n"
    return "".join(line + "\n" for line in revenue_lines(rows))


def whoami(options: dict[str, str | bool]) -> str:
    """``tektoro whoami``: the signed-in user, as :func:`tektoro_tui.cli.main.whoami` prints
    it (a script's check that its session is live)."""
    from ..domain.permissions import Role
    from .output import json_text

    with _signed_in(options) as (reader, user):
        account = reader.account(user)
    if options.get("--json"):
        return json_text(account) + "\n"
    return f"{account['name']} <{account['email']}> ({Role(account['role']).label})\n"


QUICK: dict[tuple[str, ...], tuple[Callable[[dict[str, str | bool]], str], tuple[str, ...]]] = {
    ("time", "summary"): (time_summary, ("--from", "--to")),
    ("revenue", "report"): (revenue_report, ("--from", "--as-of")),
    ("whoami",): (whoami, ()),
}
"""The commands answered here, with the options they take besides ``--db`` and ``--json``."""


def _session_of(url: str) -> tuple[Place, str]:
    """Where ``url`` is and the stored CLI session token for it; declined without either.

    A session kept in the private file was started where no keyring was there, so the
    database password of that login came from the URL, the environment or ``~/.pgpass``:
    the password is looked for there alone and the keyring (about 0.15 s to load and search)
    is not. Only without such a session is the keyring searched, for the password and then
    the token, as the engine and the ordinary command do. (Should a password have been put
    in a keyring since, a server that refuses the connection without it makes the read
    decline, and the ordinary command answers.)
    """
    from ..credentials import (
        database_password,
        environment_database_password,
        file_session_token,
        load_session_token,
    )
    from ..data.direct import place_of

    place = place_of(url, environment_database_password)
    if place is None:
        raise _Declined
    token = file_session_token(place.display_url)
    if token is None:
        place = place_of(url, database_password)
        token = load_session_token(place.display_url) if place is not None else None
    if place is None or not token:
        raise _Declined
    return place, token


@contextmanager
def _signed_in(options: dict[str, str | bool]) -> Iterator[tuple[QuickReader, int]]:
    """A read of the chosen database and the user of its stored CLI session, when the schema
    is this program's and the session is live; declined otherwise."""
    from ..config import resolve_database
    from ..services.quick import QuickReader

    db = options.get("--db")
    place, token = _session_of(resolve_database(db if isinstance(db, str) else None).url)
    reader = QuickReader(place)
    try:
        if not reader.at_head():
            raise _Declined
        user = reader.session_user(token, datetime.now(UTC))
        if user is None:
            raise _Declined
        yield reader, user
    finally:
        reader.close()


def _options(
    args: Sequence[str], valued: Sequence[str], flags: Sequence[str]
) -> dict[str, str | bool]:
    """``--name value``, ``--name=value`` and ``--flag``, each at most once; nothing else."""
    found: dict[str, str | bool] = {}
    rest = list(args)
    while rest:
        word = rest.pop(0)
        name, equals, value = word.partition("=")
        if name in found:
            raise _Declined
        if name in flags and not equals:
            found[name] = True
        elif name in valued and equals:
            found[name] = value
        elif name in valued and rest:
            found[name] = rest.pop(0)
        else:
            raise _Declined
    return found


def _date(text: str | bool | None) -> date | None:
    """A date option as the command reads it (blank: none); a malformed one is declined."""
    from ..domain.values import parse_date

    if not isinstance(text, str) or not text:
        return None
    return parse_date(text)
