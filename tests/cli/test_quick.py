"""The quick reads of one-shot commands answer exactly as the ordinary commands, or not at all.

``tektoro time summary`` is answered by :mod:`tektoro_tui.cli.quick` without typer and
SQLAlchemy when everything about the call is plain; these tests hold its answers to the
ordinary command's, byte for byte, and check that every case it cannot be sure of is left to
the ordinary command, having printed nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.cli.quick import answer
from tektoro_tui.data.direct import place_of
from tektoro_tui.data.engine import Database
from tektoro_tui.services.base import FixedClock
from tektoro_tui.services.invoicing.views import PaymentForm
from tests.builders import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    PASSWORD,
    add_codes,
    add_job,
    add_person,
    add_time_cards,
    add_work_codes,
    approve_all,
    bill,
    codes_of,
    connected,
    issue_invoice,
    join,
    make_firm,
)

TODAY = date.today()
DAYS = [(TODAY - timedelta(days=n)).isoformat() for n in (0, 3, 9)]


def ordinary(url: str, *args: str) -> str:
    """What the typer command prints for ``args``."""
    result = CliRunner().invoke(app, [*args, "--db", url])
    assert result.exit_code == 0, result.output
    return result.stdout


def quick(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> str | None:
    """What the quick read prints for ``args``; None when it leaves them to the command
    (having printed nothing)."""
    capsys.readouterr()
    answered = answer([*args, "--db", url])
    printed = capsys.readouterr().out
    if not answered:
        assert printed == ""
        return None
    return printed


def log_in(url: str, email: str, password: str) -> None:
    result = CliRunner().invoke(
        app, ["login", "--email", email, "--password-stdin", "--db", url], input=password + "\n"
    )
    assert result.exit_code == 0, result.output


def firm(url: str) -> dict[str, int]:
    """The owner with two staff (Ann, Bob) and Ann's own staff member (Cid, whom the owner does
    not see): entries on two clients' projects over three days; the users' ids."""
    with connected(url) as services:
        owner = make_firm(services)
        ann = join(services, owner, "ann@example.com", "Ann Żak")
        bob = join(services, owner, "bob@example.com", "Bob Brown")
        cid = join(services, ann, "cid@example.com", "Cid Cole")
        roof = add_codes(services, owner, "Acme GmbH", "Roof", hourly_rate="100.00")
        job = add_job(services, owner, "Żeta AG", "A very long project name that is cut", "Plan")
        hall = codes_of(job, roof.activity_id, roof.rate_code_id)
        for person, codes, spans in (
            (owner, roof, ("1:00", "0:30", "2:15")),
            (ann, roof, ("1:30", "2.5", "0:45")),
            (ann, hall, ("3:00", "1:10", "0:20")),
            (bob, hall, ("4:00", "0:05", "1:00")),
            (cid, roof, ("7:00", "7:00", "7:00")),
        ):
            cards = [codes.card(span, day, "work") for span, day in zip(spans, DAYS, strict=True)]
            add_time_cards(services, person, cards)
        return {"owner": owner.user_id, "ann": ann.user_id, "roof": roof.project_id}


def below(url: str, sql: str, **params: object) -> None:
    """Change rows below the program, as an attacker or a careless script would."""
    db = Database.open(url)
    try:
        with db.engine.begin() as connection:
            connection.execute(text(sql), params)
    finally:
        db.dispose()


@pytest.mark.pg_story
def test_the_summary_answered_quickly_is_the_commands_to_the_byte(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = firm(db_url)
    log_in(db_url, OWNER_EMAIL, OWNER_PASSWORD)
    calls = [
        (),
        ("--json",),
        ("--from", DAYS[1]),
        (f"--from={DAYS[2]}", "--to", DAYS[1], "--json"),
        ("--from", ".".join(reversed(DAYS[1].split("-")))),  # 31.12.2026 is a date too
        ("--from", "", "--to", DAYS[0]),
        ("--from", DAYS[0], "--to", DAYS[2]),  # after the end: nothing
    ]
    for call in calls:
        assert quick(capsys, db_url, "time", "summary", *call) == ordinary(
            db_url, "time", "summary", *call
        ), call
    # the database named before the command
    capsys.readouterr()
    assert answer([f"--db={db_url}", "time", "summary", "--json"])
    assert capsys.readouterr().out == ordinary(db_url, "time", "summary", "--json")
    assert answer(["--db", db_url, "revenue", "report"])
    assert capsys.readouterr().out == ordinary(db_url, "revenue", "report")
    everything = json.loads(ordinary(db_url, "time", "summary", "--json"))["projects"]
    # the owner sees their own and their direct staff's, not Cid's (one level down only)
    assert sum(p["entries"] for p in everything) == 12
    assert sum(p["minutes"] for p in everything) == 60 * 18 + 5
    lines = ordinary(db_url, "time", "summary").splitlines()
    assert lines[-1] == "Total: 2 projects, 12 entries, 18:05 h, 1,808.33 EUR", lines

    # a row edited below the program that makes the owner their own supervisor changes
    # nothing; a staff member sees only their own
    below(db_url, "UPDATE user_account SET supervisor_id = id WHERE id = :me", me=ids["owner"])
    assert quick(capsys, db_url, "time", "summary") == ordinary(db_url, "time", "summary")
    log_in(db_url, "cid@example.com", PASSWORD)
    mine = quick(capsys, db_url, "time", "summary")
    assert mine == ordinary(db_url, "time", "summary")
    assert mine is not None and mine.splitlines()[-1].startswith("Total: 1 projects, 3 entries")


@pytest.mark.pg_story
def test_what_the_quick_read_cannot_be_sure_of_is_left_to_the_command(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = firm(db_url)
    assert quick(capsys, db_url, "time", "summary") is None  # nobody logged in
    log_in(db_url, "ann@example.com", PASSWORD)
    assert quick(capsys, db_url, "time", "summary") is not None
    for call in (
        ("--person", "cid@example.com"),  # a name to look up: the command's
        ("--status", "draft"),
        ("--from", DAYS[1], "--from", DAYS[2]),  # twice
        ("--from", "yesterday"),  # malformed: the command names the field
        ("--from", "2026-02-30"),
        ("--from",),
        ("--json=yes",),
        ("extra",),
        ("--help",),
    ):
        assert quick(capsys, db_url, "time", "summary", *call) is None, call
    assert answer(["time", "list", "--db", db_url]) is False
    capsys.readouterr()
    assert answer(["--db", db_url, "time", "summary", "--db", db_url]) is False  # twice
    assert capsys.readouterr().out == ""

    # the session's checks: the command refuses each of these with its own message
    below(
        db_url, "UPDATE user_account SET is_active = :no WHERE id = :ann", no=False, ann=ids["ann"]
    )
    assert quick(capsys, db_url, "time", "summary") is None
    below(
        db_url, "UPDATE user_account SET is_active = :yes WHERE id = :ann", yes=True, ann=ids["ann"]
    )
    assert quick(capsys, db_url, "time", "summary") is not None
    below(db_url, "UPDATE login_session SET expires_at = created_at")
    assert quick(capsys, db_url, "time", "summary") is None
    log_in(db_url, "ann@example.com", PASSWORD)
    assert quick(capsys, db_url, "time", "summary") is not None
    below(db_url, "UPDATE login_session SET revoked_at = created_at")
    assert quick(capsys, db_url, "time", "summary") is None
    log_in(db_url, "ann@example.com", PASSWORD)
    assert quick(capsys, db_url, "time", "summary") is not None
    below(db_url, "UPDATE user_account SET role = 'owner' WHERE id = :ann", ann=ids["ann"])
    assert quick(capsys, db_url, "time", "summary") is None  # a role the program does not know
    below(db_url, "UPDATE user_account SET role = 'staff' WHERE id = :ann", ann=ids["ann"])
    assert quick(capsys, db_url, "time", "summary") is not None
    below(db_url, "UPDATE alembic_version SET version_num = '0016_older'")
    assert quick(capsys, db_url, "time", "summary") is None


def invoiced_firm(url: str) -> None:
    """Two invoices paid in parts over three months: one of a client's two projects (shared
    between them by its time), one of another client's single project; an accountant."""
    clock = FixedClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    with connected(url, clock) as services:
        owner = make_firm(services)
        add_person(services, owner, "Acc Ounter", "accountant", email="acc@example.com")
        roof = add_job(services, owner, "Acme GmbH", "Roof", "Work")
        hall = add_job(services, owner, roof.client_id, "Hall", "Work")
        zeta = add_job(services, owner, "Zeta AG", "A very long project name that is cut", "W")
        activity, rate = add_work_codes(services, owner, "Design", "Std", "81.30")
        for jobs in ((roof, hall), (zeta,)):
            clock.current = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
            cards = [codes_of(job, activity, rate).card("1:10", "2026-03-02") for job in jobs]
            ids = add_time_cards(services, owner, cards)
            approve_all(services, ids, owner)
            invoice = issue_invoice(services, owner, bill(services, owner, ids))
            for amount, day in (
                ("33.33", "2026-03-10"),
                ("40.00", "2026-04-10"),
                ("7", "2026-05-11"),
            ):
                clock.current = datetime.fromisoformat(f"{day}T09:00:00+00:00")
                form = PaymentForm(amount, day)
                services.invoices.record_payment(owner, invoice.number or "", form)


@pytest.mark.pg_story
def test_the_revenue_answered_quickly_is_the_commands_to_the_byte(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    invoiced_firm(db_url)
    log_in(db_url, "acc@example.com", PASSWORD)
    calls = [
        (),
        ("--json",),
        ("--from", "2026-04-01"),
        ("--from=2026-04-01", "--as-of", "2026-04-30", "--json"),
        ("--as-of", "10.03.2026"),
    ]
    for call in calls:
        assert quick(capsys, db_url, "revenue", "report", *call) == ordinary(
            db_url, "revenue", "report", *call
        ), call
    rows = json.loads(ordinary(db_url, "revenue", "report", "--json"))
    assert [(r["month"], r["project_name"]) for r in rows][:3] == [
        ("2026-03", "Hall"),
        ("2026-03", "Roof"),
        ("2026-03", "A very long project name that is cut"),
    ]
    assert len(rows) == 9
    # whoever may not see every invoice is left to the command, which refuses
    log_in(db_url, OWNER_EMAIL, OWNER_PASSWORD)
    assert quick(capsys, db_url, "revenue", "report") is not None
    below(db_url, "DELETE FROM role_permission WHERE permission = 'invoice.view_all'")
    assert quick(capsys, db_url, "revenue", "report") is None
    refused = CliRunner().invoke(app, ["revenue", "report", "--db", db_url])
    assert refused.exit_code == 1


@pytest.mark.pg_story
def test_whoami_answered_quickly_is_the_commands_to_the_byte(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = firm(db_url)
    assert quick(capsys, db_url, "whoami") is None  # nobody logged in: the command says so
    for email, password in ((OWNER_EMAIL, OWNER_PASSWORD), ("ann@example.com", PASSWORD)):
        log_in(db_url, email, password)
        for call in ((), ("--json",)):
            assert quick(capsys, db_url, "whoami", *call) == ordinary(db_url, "whoami", *call)
    assert quick(capsys, db_url, "whoami") == "Ann Żak <ann@example.com> (Staff / contractor)\n"
    staff = json.loads(quick(capsys, db_url, "whoami", "--json") or "")
    assert staff["id"] == ids["ann"] and "time.enter" in staff["permissions"], staff
    # the matrix as it is now, and a role changed below the program: what the command says
    below(db_url, "DELETE FROM role_permission WHERE permission = 'time.enter'")
    below(db_url, "UPDATE user_account SET role = 'manager' WHERE id = :ann", ann=ids["ann"])
    for call in ((), ("--json",)):
        assert quick(capsys, db_url, "whoami", *call) == ordinary(db_url, "whoami", *call)
    staff = json.loads(quick(capsys, db_url, "whoami", "--json") or "")
    assert staff["role"] == "manager" and "time.enter" not in staff["permissions"], staff
    for call in (("--jsn",), ("--json", "--json"), ("me",), ("--help",)):
        assert quick(capsys, db_url, "whoami", *call) is None, call
    below(db_url, "UPDATE login_session SET revoked_at = created_at")
    assert quick(capsys, db_url, "whoami") is None


def test_a_file_that_is_not_there_is_never_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.db"
    assert quick(capsys, f"sqlite:///{missing}", "time", "summary") is None
    assert not missing.exists()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://root@127.0.0.1:5432/test",
        "postgres://root@localhost/test",
        "postgresql+psycopg://root:s3cret@db.example.com:6543/firm_1",
        "postgresql://root:p%40ss@db/firm",
        "postgresql:///test",
        "postgresql://root@/test",
    ],
)
def test_a_url_is_keyed_as_the_engine_shows_it(url: str) -> None:
    """The CLI session is kept under the engine's display of the URL: the quick read must
    find it under the same text (passwords looked up as the engine does)."""
    from tektoro_tui.credentials import database_password

    place = place_of(url, database_password)
    assert place is not None
    assert place.display_url == Database.open(url).display_url


def test_a_password_from_the_environment_is_shown_hidden_as_the_engine_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tektoro_tui.credentials import database_password

    monkeypatch.setenv("TEKTORO_DATABASE_PASSWORD", "from-env")
    url = "postgresql://root@127.0.0.1:5432/test"
    place = place_of(url, database_password)
    assert place is not None and place.arguments["password"] == "from-env"
    assert place.display_url == Database.open(url).display_url


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://root@127.0.0.1/test?sslmode=require",  # options: the engine's
        "postgresql://ro%20ot@127.0.0.1/test",
        "postgresql://root@[::1]/test",
        "postgresql://root@host:99999/test",
        "postgresql://root:@host/test",
        "mysql://root@host/test",
        "sqlite://",
        "sqlite:///:memory:",
    ],
)
def test_a_url_not_plain_enough_is_left_to_the_engine(url: str) -> None:
    assert place_of(url) is None


def test_a_sqlite_url_is_keyed_as_the_engine_shows_it(tmp_path: Path) -> None:
    for name in ("firm one.db", "firm_2-b.v1.db"):
        (tmp_path / name).touch()
        url = f"sqlite:///{tmp_path}/{name}"
        place = place_of(url)
        assert place is not None and place.display_url == Database.open(url).display_url


@pytest.mark.parametrize("name", ["m%C3%BCller.db", "müller.db", "firm,1.db", "a'b.db"])
def test_a_sqlite_path_the_engine_would_decode_or_quote_is_left_to_it(
    tmp_path: Path, name: str
) -> None:
    """The engine reads %-codes in a path and shows some characters %-coded: such a URL may
    name another file, or be kept under another text, than the quick read would take."""
    (tmp_path / name).touch()
    (tmp_path / "müller.db").touch()
    assert place_of(f"sqlite:///{tmp_path}/{name}") is None


def entry_point(
    *argv: str, way: str = "cli.entry", env: dict[str, str] | None = None
) -> tuple[str, list[str]]:
    """Run ``tektoro argv`` through the console script's entry point (or ``cli.main``, the
    ordinary way) in a fresh interpreter: what it printed, and which of SQLAlchemy, typer and
    their kin, psycopg (PostgreSQL is read through libpq itself) and keyring it loaded."""
    script = (
        "import sys\n"
        f"from tektoro_tui.{way} import run\n"
        f"sys.argv = ['tektoro', *{list(argv)!r}]\n"
        "try:\n"
        "    run()\n"
        "finally:\n"
        "    loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlmodel', 'typer', 'alembic', 'pydantic', 'psycopg', 'keyring'))\n"
        "    print('loaded:', *loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env or os.environ
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr.split("loaded:")[-1].split()


@pytest.mark.pg_story
def test_the_commands_answered_quickly_load_no_sqlalchemy(db_url: str) -> None:
    firm(db_url)
    log_in(db_url, "bob@example.com", PASSWORD)
    printed, loaded = entry_point("time", "summary", "--db", db_url)
    assert loaded == [], loaded
    assert printed.splitlines()[-1].startswith("Total: 1 projects, 3 entries, 5:05 h"), printed
    log_in(db_url, OWNER_EMAIL, OWNER_PASSWORD)
    printed, loaded = entry_point("revenue", "report", "--db", db_url)
    assert loaded == [] and printed.startswith("Month "), (printed, loaded)
    # the ordinary way, for contrast: the same answer, with the ORM and typer loaded
    ordinary_print, ordinary_loaded = entry_point(
        "revenue", "report", "--db", db_url, way="cli.main"
    )
    assert ordinary_print == printed and "sqlalchemy" in ordinary_loaded
    me, loaded = entry_point("whoami", "--db", db_url)
    assert loaded == [] and f"<{OWNER_EMAIL}>" in me, (me, loaded)


def test_a_session_kept_in_the_file_spares_the_search_of_the_keyring(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine that kept its CLI session in the private file had no keyring at login: the
    quick read takes the database password from the environment alone and never loads the
    keyring (a tenth of a second), where the ordinary command searches it. With no session in
    the file (here the environment's password keys the database as another one), the keyring
    is searched as the engine does, and the command answers."""
    firm(pg_url)
    log_in(pg_url, OWNER_EMAIL, OWNER_PASSWORD)  # no keyring in the tests: kept in the file
    with_keyring = {k: v for k, v in os.environ.items() if k != "TEKTORO_NO_KEYRING"}
    me, loaded = entry_point("whoami", "--db", pg_url, env=with_keyring)
    assert loaded == [] and f"<{OWNER_EMAIL}>" in me, (me, loaded)
    ordinary_me, ordinary_loaded = entry_point(
        "whoami", "--db", pg_url, way="cli.main", env=with_keyring
    )
    assert ordinary_me == me and "keyring" in ordinary_loaded, ordinary_loaded
    # the environment's password makes the engine key the session as "root:***@…": no such
    # session in the file, so the keyring is searched, the read declines and the command
    # refuses with its own message
    monkeypatch.setenv("TEKTORO_DATABASE_PASSWORD", "unused-by-trust")
    assert answer(["whoami", "--db", pg_url]) is False
    with_password = {**with_keyring, "TEKTORO_DATABASE_PASSWORD": "unused-by-trust"}
    script = (
        "import sys\n"
        "from tektoro_tui.cli.quick import answer\n"
        f"print(answer(['whoami', '--db', {pg_url!r}]), 'keyring' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=with_password
    )
    assert done.stdout.split() == ["False", "True"], done
    result = CliRunner().invoke(app, ["whoami", "--db", pg_url])
    assert result.exit_code == 1 and "not logged in" in result.output


def test_what_the_commands_printing_would_change_is_left_to_it(db_url: str) -> None:
    """click's printing strips terminal escapes when the output is not a terminal and replaces
    what the output's encoding cannot hold: such an answer is left to the command, so the
    script reading it sees the same bytes either way."""
    ids = firm(db_url)
    log_in(db_url, OWNER_EMAIL, OWNER_PASSWORD)
    ascii_out = {**os.environ, "PYTHONIOENCODING": "ascii"}
    printed, loaded = entry_point("time", "summary", "--db", db_url, env=ascii_out)
    assert "sqlalchemy" in loaded  # the client "Żeta AG" cannot be written in ASCII
    assert (
        printed == entry_point("time", "summary", "--db", db_url, way="cli.main", env=ascii_out)[0]
    )
    assert entry_point("time", "summary", "--db", db_url)[1] == []  # in UTF-8 it can
    below(
        db_url,
        "UPDATE project SET name = :name WHERE id = :roof",
        name="Roof\x1b[31m red",
        roof=ids["roof"],
    )
    printed, loaded = entry_point("time", "summary", "--db", db_url)
    assert "sqlalchemy" in loaded and "\x1b" not in printed and "Roof red" in printed, printed
