"""Every command of the command line, fed arbitrary text for each of its arguments and options.

Whatever is typed, a command either does its work (exit 0), refuses in one line on stderr
(exit 1) or is a usage error reported by the command line itself (exit 2): never a
traceback. After each command's examples ``tektoro check`` still finds the ledger intact.

The firm is the finance world of ``tests/finance_world.py``, built and logged into once per
test process and copied for each command. Paths are kept inside the test's folder, and
``--db`` is never fuzzed here (``test_cli.py`` covers missing and blank databases): arbitrary
text there could name a server to wait for, or a new file anywhere.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.credentials import load_session_token, save_session_token
from tektoro_tui.services.audit_key import ENV_KEY_FILE, key_file
from tektoro_tui.services.base import FixedClock
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, connected, make_firm
from tests.finance_world import NOW, build_world

SKIPPED = {
    ("demo",): "builds a whole firm: seconds per example",
    ("init",): "refused on a firm that exists; covered by test_cli.py",
}
NOT_FUZZED = {"db", "help"}
PATHS = {"out", "body_file", "file", "pdf"}
"""Options naming a file: fuzzed as a name inside the test's folder, never anywhere else."""

NASTY = (
    "",
    "   ",
    "99999999999999999999",
    "9" * 5000,
    "x" * 100_000,
    "-1",
    "0",
    "1e999",
    "NaN",
    "²",
    "١٢",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "1.005",
    "1,234",
    "09:30-08:00",
    "\x00",
    "a\nb",
    "'; DROP TABLE invoice; --",
    '=HYPERLINK("x")',
    "INV/2026/00001",
    "MI/2026/00001",
    "DR-000001",
    "1",
    "carl@example.com",
    "Roof",
)
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.from_regex(r"[0-9]{1,25}", fullmatch=True),
    st.from_regex(r"-?[0-9]{1,4}([.,][0-9]{1,4})?", fullmatch=True),
)
NAME = st.text(alphabet=st.characters(blacklist_characters="/\x00"), max_size=30)
PLAUSIBLE = {
    "fmt": ("csv", "xlsx", "pdf", "html"),
    "kind": ("bill", "write_down", "hold", "standard", "late_fee"),
    "method": ("wire", "cash", "other"),
    "role": ("staff", "manager", "client"),
    "status": ("draft", "accepted", "issued", "overdue", "paid", "approved"),
    "period": ("week", "month"),
    "doc_type": ("insurance", "licence", "contract"),
    "project": ("Roof", "Hall", "1"),
    "task": ("Survey", "Build", "1"),
    "activity": ("Design",),
    "rate": ("Senior",),
    "client": ("Acme Sp. z o.o.", "Bolt GmbH", "1"),
    "contractor": ("carl@example.com", "dora@example.com", "4"),
    "person": ("carl@example.com",),
    "for_user": ("carl@example.com",),
    "time": ("1:30", "22:00-02:00+1", "8:00-9:00"),
    "amount": ("10.00", "738.00", "0.01"),
    "number": ("INV/2026/00001", "INV/2026/00002", "MI/2026/00001"),
    "invoice": ("INV/2026/00001", "MI/2026/00001"),
    "document": ("DR-000001", "DR-000002", "1"),
    "ids": ("1", "2", "5", "9", "12"),
    "terms_id": ("1",),
    "limit": ("5", "200"),
    "days": ("60", "90"),
}
"""Values that get past the first checks, so the examples also reach the deeper ones."""


def _commands() -> list[tuple[tuple[str, ...], Any]]:
    """Every leaf command of ``tektoro`` with its path of names."""
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(command: Any, names: tuple[str, ...]) -> None:
        children = getattr(command, "commands", None)
        if children is None:
            found.append((names, command))
            return
        for name, child in sorted(children.items()):
            walk(child, (*names, name))

    walk(get_command(app), ())
    return [(names, command) for names, command in found if names not in SKIPPED]


COMMANDS = _commands()


@dataclass(frozen=True)
class FirmTemplate:
    """The finance world built once per test process, its owner logged in."""

    template: Path
    """The built firm, copied for each test."""
    run_path: Path
    """Where each test's copy goes: one path for the whole process, so the session the owner
    logged in with once (a session row in the database, a token kept for its URL) is valid in
    every copy."""
    key: Path
    """The audit key the firm was sealed with (every test keeps using it)."""
    token: str
    """The owner's CLI session token for ``run_path``'s URL."""


@pytest.fixture(scope="session")
def firm_template(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[FirmTemplate]:
    """The finance world, built and logged into once per test process."""
    folder = tmp_path_factory.mktemp("fuzz")
    path, run_path = folder / "firm.db", folder / "run.db"
    shutil.copyfile(sqlite_template, path)
    with connected(f"sqlite:///{path}", FixedClock(NOW)) as services:
        build_world(services, make_firm(services))
    shutil.copyfile(path, run_path)
    url = f"sqlite:///{run_path}"
    login = ["login", "--email", OWNER_EMAIL, "--password-stdin", "--db", url]
    assert CliRunner().invoke(app, login, input=OWNER_PASSWORD + "\n").exit_code == 0
    token = load_session_token(url)
    assert token
    shutil.copyfile(run_path, path)  # the template now holds the session row
    yield FirmTemplate(path, run_path, key_file(), token)


@pytest.fixture
def firm_url(
    firm_template: FirmTemplate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh copy of the firm, its owner logged in, the test's folder the working directory."""
    monkeypatch.setenv(ENV_KEY_FILE, str(firm_template.key))
    shutil.copyfile(firm_template.template, firm_template.run_path)
    url = f"sqlite:///{firm_template.run_path}"
    save_session_token(url, firm_template.token)  # into this test's own home
    monkeypatch.chdir(tmp_path)
    yield url
    checked = CliRunner().invoke(app, ["check", "--db", url])
    assert checked.exit_code == 0, checked.output


def _text(name: str | None) -> st.SearchStrategy[str]:
    """Arbitrary text, or now and then a value that parameter usually takes."""
    plausible = PLAUSIBLE.get(name or "")
    if plausible is None:
        return TEXT
    dates = st.dates().map(lambda day: day.isoformat())
    return st.one_of(st.sampled_from(plausible), TEXT, dates)


def _arguments(command: Any, draw: Any, folder: Path) -> list[str]:
    """Arbitrary text for each parameter of ``command``; options maybe left out."""
    args: list[str] = []
    for param in command.params:
        if param.name in NOT_FUZZED:
            continue
        if getattr(param, "is_flag", False):
            if draw(st.booleans()):
                args.append(param.opts[0])
            continue
        if not param.required and draw(st.booleans()):
            continue
        count = draw(st.integers(1, 2)) if param.multiple or param.nargs == -1 else 1
        for _ in range(count):
            value = str(folder / draw(NAME)) if param.name in PATHS else draw(_text(param.name))
            if param.param_type_name == "argument":
                args.append(value)
            else:
                args += [param.opts[0], value]
    return args


@pytest.mark.parametrize(
    ("names", "command"), COMMANDS, ids=[" ".join(names) for names, _ in COMMANDS]
)
@settings(
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_input_reaches_a_traceback(
    firm_url: str, tmp_path: Path, names: tuple[str, ...], command: Any, data: st.DataObject
) -> None:
    args = [*names, *_arguments(command, data.draw, tmp_path), "--db", firm_url]
    result = CliRunner().invoke(app, args, input="not-the-password\n")
    shown = [a if len(a) < 60 else a[:20] + f"...({len(a)})" for a in args]
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        shown,
        result.exception,
    )
    assert result.exit_code in (0, 1, 2), (shown, result.output[-500:])
    assert "Traceback" not in result.output, shown
    if result.exit_code == 1:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and len(lines[0]) <= 1100, (shown, result.stderr[:500])
