"""The one-shot commands, as scripts use them: exit codes, stdout, stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tektoro_tui.cli.main import app

PASSWORD = "owner-pass-123"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _init(runner: CliRunner, db_url: str) -> None:
    result = runner.invoke(
        app,
        [
            "init",
            "--company",
            "Northwind",
            "--admin-email",
            "owner@example.com",
            "--admin-name",
            "Olga",
            "--password-stdin",
            "--db",
            db_url,
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created 'Northwind'" in result.stdout
    assert "add --address, --tax-id, --bank-account later" in result.stderr


def test_init_takes_the_sellers_details(runner: CliRunner, db_url: str) -> None:
    result = runner.invoke(
        app,
        [
            "init", "--company", "Acme Sp. z o.o.", "--admin-email", "a@example.com",
            "--address", "ul. Długa 5\\n00-001 Warszawa", "--tax-id", "PL5260001246",
            "--bank-account", "PL61 1090 1014 0000 0712 1981 2874", "--password-stdin",
            "--db", db_url,
        ],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Settings" not in result.stderr, "nothing left to add"
    from tektoro_tui.services.hub import Services

    services = Services.connect(db_url)
    try:
        firm = services.settings.get(services.auth.login("a@example.com", PASSWORD))
    finally:
        services.close()
    assert firm.billing_address == "ul. Długa 5\n00-001 Warszawa"
    assert (firm.tax_id, firm.bank_account) == (
        "PL5260001246",
        "PL61 1090 1014 0000 0712 1981 2874",
    )


@pytest.mark.pg_story
def test_init_login_whoami_logout(runner: CliRunner, db_url: str) -> None:
    _init(runner, db_url)
    result = runner.invoke(
        app,
        ["login", "--email", "OWNER@example.com", "--password-stdin", "--db", db_url],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Logged in as Olga" in result.stdout
    who = runner.invoke(app, ["whoami", "--json", "--db", db_url])
    assert who.exit_code == 0, who.output
    data = json.loads(who.stdout)
    assert data["role"] == "administrator" and "settings.manage" in data["permissions"]
    assert runner.invoke(app, ["logout", "--db", db_url]).exit_code == 0
    after = runner.invoke(app, ["whoami", "--db", db_url])
    assert after.exit_code == 1
    assert "tektoro login" in after.stderr


@pytest.mark.pg_story
def test_wrong_password_exits_1_with_reason_on_stderr(runner: CliRunner, db_url: str) -> None:
    _init(runner, db_url)
    result = runner.invoke(
        app,
        ["login", "--email", "owner@example.com", "--password-stdin", "--db", db_url],
        input="wrong-password\n",
    )
    assert result.exit_code == 1
    assert "password is wrong" in result.stderr and result.stdout == ""


def test_init_with_bad_input_names_every_field(runner: CliRunner, db_url: str) -> None:
    result = runner.invoke(
        app,
        ["init", "--company", "", "--admin-email", "nope", "--password-stdin", "--db", db_url],
        input="short\n",
    )
    assert result.exit_code == 1
    for field in ("company", "admin_email", "password"):
        assert field in result.stderr
    status = runner.invoke(app, ["whoami", "--db", db_url])
    assert status.exit_code == 1


@pytest.mark.pg_story
def test_invite_and_register_from_the_cli(runner: CliRunner, db_url: str) -> None:
    _init(runner, db_url)
    runner.invoke(
        app,
        ["login", "--email", "owner@example.com", "--password-stdin", "--db", db_url],
        input=PASSWORD + "\n",
    )
    invited = runner.invoke(app, ["users", "invite", "ann@example.com", "--json", "--db", db_url])
    assert invited.exit_code == 0, invited.output
    code = json.loads(invited.stdout)["code"]
    registered = runner.invoke(
        app,
        ["register", "--code", code, "--name", "Ann Staff", "--password-stdin", "--db", db_url],
        input="ann-pass-123\n",
    )
    assert registered.exit_code == 0, registered.output
    listed = runner.invoke(app, ["users", "list", "--json", "--db", db_url])
    rows = json.loads(listed.stdout)
    ann = next(r for r in rows if r["email"] == "ann@example.com")
    assert ann["supervisor"] == "Olga" and ann["role"] == "staff"


@pytest.mark.pg_story
def test_db_status_and_upgrade(runner: CliRunner, empty_db_url: str) -> None:
    db_url = empty_db_url
    before = runner.invoke(app, ["db", "status", "--json", "--db", db_url])
    if db_url.startswith("sqlite"):  # no file yet: status refuses, only upgrade creates it
        assert before.exit_code == 1 and "There is no database at" in before.stderr
    else:  # an empty database on the server
        assert before.exit_code == 0, before.output
        assert json.loads(before.stdout)["current"] is None
    upgraded = runner.invoke(app, ["db", "upgrade", "--db", db_url])
    assert upgraded.exit_code == 0, upgraded.output
    after = json.loads(runner.invoke(app, ["db", "status", "--json", "--db", db_url]).stdout)
    assert after["up_to_date"] is True and after["current"] == after["head"]


def test_a_first_start_creates_the_default_databases_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a fresh machine nothing has made the data folder yet; the README's first command,
    ``tektoro init``, must still create the default SQLite file."""
    from tektoro_tui import paths

    monkeypatch.setenv("TEKTORO_HOME", str(tmp_path / "fresh-home"))
    assert not paths.data_dir().exists()
    created = runner.invoke(
        app,
        ["init", "--company", "Northwind", "--admin-email", "o@example.com", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    assert paths.default_database_file().is_file()


def test_only_the_commands_that_make_a_firm_create_a_database(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "typo.db"
    for command in (["check"], ["whoami"], ["db", "status"], ["time", "list"]):
        refused = runner.invoke(app, [*command, "--db", str(typo)])
        assert refused.exit_code == 1, refused.output
        assert refused.stderr.startswith(f"No such database: There is no database at {typo}.")
        assert not typo.exists()
    for blank in ("", "   "):
        refused = runner.invoke(app, ["check", "--db", blank])
        assert refused.exit_code == 1 and "--db is blank" in refused.stderr
    assert not (tmp_path / "   ").exists()
    folder = runner.invoke(app, ["check", "--db", str(tmp_path)])
    assert folder.exit_code == 1 and "is not a database file" in folder.stderr
    typo.touch()  # an empty file: still no firm in it, and check does not make one
    empty = runner.invoke(app, ["check", "--db", str(typo)])
    assert empty.exit_code == 1 and "holds no TekToro firm" in empty.stderr
    upgraded = runner.invoke(app, ["db", "upgrade", "--db", str(tmp_path / "new.db")])
    assert upgraded.exit_code == 0, upgraded.output


@pytest.mark.parametrize(
    ("db", "problem"),
    [
        ("x" * 5000, "cannot be opened: File name too long"),
        ("sqlite:///a\x00b", "--db holds control characters"),
        ("\x00", "--db holds control characters"),
    ],
)
def test_a_database_path_no_file_can_have_is_refused(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: str, problem: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["check"], ["db", "upgrade"]):
        refused = runner.invoke(app, [*command, "--db", db])
        assert refused.exit_code == 1 and refused.exception is not None
        assert isinstance(refused.exception, SystemExit) and problem in refused.stderr
        assert len(refused.stderr.splitlines()) == 1 and len(refused.stderr) < 400
    assert list(tmp_path.iterdir()) == []


def test_a_missing_postgresql_database_is_refused(runner: CliRunner, pg_url: str) -> None:
    missing = pg_url.rsplit("/", 1)[0] + "/tektoro_no_such_database"
    refused = runner.invoke(app, ["check", "--db", missing])
    assert refused.exit_code == 1
    assert refused.stderr == (
        "No such database: The database 'tektoro_no_such_database' does not exist on the "
        "server. Create it (createdb tektoro_no_such_database), then run 'tektoro init' or "
        "'tektoro db upgrade' on it.\n"
    )


def test_help_names_the_exit_codes(runner: CliRunner) -> None:
    shown = " ".join(runner.invoke(app, ["--help"]).stdout.split())
    assert "Exit codes: 0 when the command did its work; 1 when it was refused" in shown
    assert "2 for a usage error" in shown


def test_database_url_precedence(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tektoro_tui import paths
    from tektoro_tui.config import resolve_database

    assert resolve_database().source == "default SQLite file"
    assert str(paths.default_database_file()) in resolve_database().url
    cfg = paths.config_file()
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[database]\nurl = "sqlite:///from-config.db"\n')
    assert resolve_database().url == "sqlite:///from-config.db"
    monkeypatch.setenv("TEKTORO_DATABASE_URL", "sqlite:///from-env.db")
    assert resolve_database().url == "sqlite:///from-env.db"
    assert resolve_database("postgresql://u@h/db").url == "postgresql://u@h/db"
    assert resolve_database(str(tmp_path / "x.db")).url == f"sqlite:///{tmp_path / 'x.db'}"


def test_the_system_wide_config_is_read_below_the_users(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An administrator writes the server's database once for everybody; a user's own file
    still wins, and a bad system file is named in the refusal."""
    from tektoro_tui import paths
    from tektoro_tui.config import resolve_database
    from tektoro_tui.errors import ConfigError
    from tektoro_tui.services import audit_key

    system = paths.system_config_file()
    assert system.is_relative_to(Path(os.environ["TEKTORO_HOME"]))  # tests never read /etc
    system.parent.mkdir(parents=True)
    system.write_text(
        '[database]\nurl = "postgresql://tektoro@dbserver/tektoro"\n'
        '[audit]\nkey_file = "/srv/tektoro/audit.key"\n'
    )
    chosen = resolve_database()
    assert (chosen.url, chosen.source) == (
        "postgresql://tektoro@dbserver/tektoro",
        f"config file {system}",
    )
    monkeypatch.delenv("TEKTORO_AUDIT_KEY_FILE", raising=False)
    assert audit_key.key_file() == Path("/srv/tektoro/audit.key")
    mine = paths.config_file()
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text('[database]\nurl = "sqlite:///mine.db"\n')
    assert resolve_database().url == "sqlite:///mine.db"
    assert audit_key.key_file() == Path("/srv/tektoro/audit.key")  # not set in mine
    mine.unlink()
    system.write_text("[database]\nurl = 5\n")
    with pytest.raises(ConfigError, match=str(system)):
        resolve_database()
    monkeypatch.setenv(paths.SYSTEM_CONFIG_ENV, str(tmp_path / "elsewhere.toml"))
    assert paths.system_config_file() == tmp_path / "elsewhere.toml"


def test_help_stays_light() -> None:
    """`tektoro --help` must not pay for SQLModel, Textual, fpdf2 or openpyxl."""
    code = (
        "import sys\n"
        "from tektoro_tui.cli.main import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'textual', 'fpdf', 'openpyxl', 'psycopg')"
        " if m in sys.modules]\n"
        "print('HEAVY:' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY:\n" in out.stdout, out.stdout[-300:]


def test_whoami_loads_only_what_it_uses(runner: CliRunner, db_url: str) -> None:
    """A one-shot command: no migrations tool, no other services, no writers, no TUI."""
    _init(runner, db_url)
    login = ["login", "--email", "owner@example.com", "--password-stdin", "--db", db_url]
    assert runner.invoke(app, login, input=PASSWORD + "\n").exit_code == 0
    code = (
        "import gc, sys\n"
        f"sys.argv = ['tektoro', 'whoami', '--db', {db_url!r}]\n"
        "from tektoro_tui.cli.main import run\n"
        "try:\n    run()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "heavy = ('alembic', 'openpyxl', 'fpdf', 'textual', 'argon2', 'tektoro_tui.exports',"
        " 'tektoro_tui.services.invoicing', 'tektoro_tui.services.pipeline',"
        " 'tektoro_tui.services.reporting', 'tektoro_tui.services.contractor_invoices')\n"
        "print('HEAVY:' + ','.join(m for m in heavy if m in sys.modules))\n"
        "print('COLLECTING:', gc.isenabled())\n"
    )
    root = Path(__file__).resolve().parents[2]  # this tree, not another installed copy
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert "Olga <owner@example.com>" in out.stdout
    assert "HEAVY:\n" in out.stdout, out.stdout[-300:]
    assert "COLLECTING: True" in out.stdout


def test_no_keyring_on_headless_server_is_a_message_not_a_traceback(
    runner: CliRunner, db_url: str
) -> None:
    _init(runner, db_url)
    result = runner.invoke(
        app,
        ["login", "--email", "owner@example.com", "--password-stdin", "--db", db_url],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0
    assert "session.json" in result.stdout  # the file fallback, readable only by the user
    from tektoro_tui import paths

    assert oct(paths.session_file().stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], (True, None)),
        (["--db", "x.db"], (True, "x.db")),
        (["--db=pg://h/db"], (True, "pg://h/db")),
        (["check"], (False, None)),
        (["--db", "x.db", "check"], (False, None)),
        (["--help"], (False, None)),
    ],
)
def test_only_a_bare_call_skips_the_command_line(argv: list[str], expected: tuple) -> None:
    from tektoro_tui.cli.entry import bare_tui_database

    assert bare_tui_database(argv) == expected


# --- --db before or after the command ---------------------------------------------------------

DB_COMMANDS = (
    ["whoami"],
    ["check"],
    ["db", "status"],
    ["users", "list"],
    ["logout"],
    ["invoices", "list"],
    ["time", "list"],
)


@pytest.mark.pg_story
@pytest.mark.parametrize("command", DB_COMMANDS, ids=[" ".join(c) for c in DB_COMMANDS])
def test_the_db_given_before_the_command_is_the_one_used(
    runner: CliRunner,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    """``tektoro --db X CMD`` acts on X, never on the database of the environment."""
    _init(runner, db_url)
    monkeypatch.setenv("TEKTORO_DATABASE_URL", db_url)
    absent = tmp_path / "typo.db"
    result = runner.invoke(app, ["--db", str(absent), *command])
    assert result.exit_code == 1, result.output
    assert "No such database" in result.stderr and "typo.db" in result.stderr, result.stderr
    assert not absent.exists(), "a command that is not init creates no database"


@pytest.mark.pg_story
def test_the_db_before_the_command_logs_in_and_answers(
    runner: CliRunner, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _init(runner, db_url)
    monkeypatch.setenv("TEKTORO_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    login = ["--db", db_url, "login", "--email", "owner@example.com", "--password-stdin"]
    assert runner.invoke(app, login, input=PASSWORD + "\n").exit_code == 0
    who = runner.invoke(app, ["--db", db_url, "whoami", "--json"])
    assert who.exit_code == 0, who.output
    assert json.loads(who.stdout)["email"] == "owner@example.com"
    twice = runner.invoke(app, ["--db", db_url, "whoami", "--db", str(tmp_path / "x.db")])
    assert twice.exit_code == 1 and "--db names two databases" in twice.stderr
    same = runner.invoke(app, ["--db", db_url, "whoami", "--db", db_url])
    assert same.exit_code == 0, same.output


# --- a one-shot command loads only the commands it runs ----------------------------------------


def test_every_top_level_command_names_the_modules_that_make_it() -> None:
    """``MODULES_OF`` against what each command module really registers: every group or
    command it adds at the top is listed with it, and ``export`` with every module that adds
    an export."""
    import importlib

    import typer

    from tektoro_tui.cli import main
    from tektoro_tui.cli.pipeline import export_app

    made_by: dict[str, set[str]] = {}
    for module in main.COMMAND_MODULES:
        fresh = typer.Typer()
        importlib.import_module(f"tektoro_tui.cli.{module}").register(fresh)
        names = {group.name for group in fresh.registered_groups}
        names |= {command.name for command in fresh.registered_commands}
        for name in names:
            made_by.setdefault(str(name), set()).add(module)
    exporters = {
        command.callback.__module__.rsplit(".", 1)[1]
        for command in export_app.registered_commands
        if command.callback is not None
    }
    made_by["export"] |= exporters
    assert {name: set(modules) for name, modules in main.MODULES_OF.items()} == made_by


def _loaded_after(argv: list[str]) -> list[str]:
    code = (
        "import sys\n"
        "from tektoro_tui.cli.main import load_commands, modules_for\n"
        f"load_commands(modules_for({argv!r}))\n"
        "print(' '.join(sorted(m.rsplit('.', 1)[1] for m in sys.modules"
        " if m.startswith('tektoro_tui.cli.') and m.count('.') == 2)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_a_command_loads_only_the_modules_it_needs() -> None:
    assert _loaded_after(["whoami", "--db", "x.db"]) == ["common", "main"]
    assert _loaded_after(["--db", "x.db", "users", "list"]) == ["common", "main"]
    # output: how the pipeline's commands print (shared with the quick reads)
    assert _loaded_after(["pay", "show"]) == ["common", "main", "output", "payroll", "pipeline"]
    from tektoro_tui.cli.main import COMMAND_MODULES

    every = ["common", "main", "output", *COMMAND_MODULES]
    assert _loaded_after(["--help"]) == sorted(every)
    assert _loaded_after(["whoamii"]) == sorted(every)  # the refusal suggests the nearest names
    exporters = ["client_invoices", "projects", "subcontracts", "payroll"]
    assert _loaded_after(["export", "pay"]) == sorted(
        ["common", "main", "output", "pipeline", *exporters]
    )


def test_a_group_run_alone_offers_the_same_commands_as_in_the_whole_tree(tmp_path: Path) -> None:
    """``tektoro export --help`` from the console script (only the modules ``export`` needs
    loaded) lists exactly the exports the whole command holds."""
    from typer.main import get_command

    whole = get_command(app).commands["export"].commands  # type: ignore[attr-defined]
    out = subprocess.run(
        [sys.executable, "-m", "tektoro_tui.cli.main", "export", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout
    listed = {
        line.split()[1]
        for line in out.splitlines()
        if line.startswith("│ ") and len(line.split()) > 2 and not line.split()[1].startswith("-")
    }
    assert listed == set(whole)
