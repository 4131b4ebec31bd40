"""What `tektoro` loads before its login screen, and once the database is open behind it.

Each test starts the program the way the ``tektoro`` command does (``cli.entry.run``), headless,
in a fresh process, and lists the modules it has loaded: timing is left to the benchmark
(``benchmarks/startup.py``); these only keep heavy modules off the path to the first screen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.login import LoginScreen
from tektoro_tui.widgets.entry_button import EntryButton

from .conftest import Firm
from .tuitools import settle

ROOT = Path(__file__).resolve().parents[2]
"""The source tree under test: the fresh process starts here so that it imports this tree."""

HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "alembic",
    "psycopg",
    "argon2",
    "keyring",
    "typer",
    "openpyxl",
    "fpdf",
    "tektoro_tui.data",
    "tektoro_tui.services",
    "tektoro_tui.exports",
)
"""Not needed to show the login screen: the database opens in a worker after it is painted."""

NOT_FOR_SIGNING_IN = (
    "alembic",
    "openpyxl",
    "fpdf",
    "typer",
    "tektoro_tui.exports",
    "tektoro_tui.services.invoicing",
    "tektoro_tui.services.pipeline",
    "tektoro_tui.services.reporting",
    "tektoro_tui.services.contractor_invoices",
)
"""Still not loaded when the database has opened behind the login screen."""

START = """
import gc, json, sys
from tektoro_tui.app import TektoroApp

run = TektoroApp.run
TektoroApp.run = lambda self: run(self, headless=True, size=(100, 30))
if {until_open}:
    opened = TektoroApp._database_opened

    def _database_opened(self, display_url, initialised):
        opened(self, display_url, initialised)
        self.exit()

    TektoroApp._database_opened = _database_opened
sys.argv = ["tektoro", "--db", {url!r}]
from tektoro_tui.cli.entry import run as tektoro

tektoro()
found = {{"modules": sorted(sys.modules), "collecting": gc.isenabled()}}
found["source"] = sys.modules["tektoro_tui"].__file__
print(json.dumps(found))
"""


def _start(url: str, *, until_open: bool) -> dict[str, object]:
    """Run the program headless until the login is painted (or the database open)."""
    env = dict(os.environ)
    if until_open:
        env.pop("TEKTORO_EXIT_ON_READY", None)
    else:
        env["TEKTORO_EXIT_ON_READY"] = "login"
    code = START.format(url=url, until_open=until_open)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    loaded: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    assert Path(str(loaded["source"])).is_relative_to(ROOT), "the tree under test was started"
    return loaded


def _under(modules: object, names: tuple[str, ...]) -> list[str]:
    assert isinstance(modules, list)
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def _url_of(firm: Firm) -> str:
    """The firm's database by an absolute URL (the test runs inside the firm's folder)."""
    return f"sqlite:///{Path.cwd() / 'tektoro.db'}"


def test_the_login_screen_is_painted_before_the_database_layer_loads(firm: Firm) -> None:
    loaded = _start(_url_of(firm), until_open=False)
    assert _under(loaded["modules"], HEAVY) == []


def test_opening_the_database_loads_what_signing_in_needs_only(firm: Firm) -> None:
    loaded = _start(_url_of(firm), until_open=True)
    modules = loaded["modules"]
    assert "tektoro_tui.services.administration.auth" in modules  # the database really was opened
    assert _under(modules, NOT_FOR_SIGNING_IN) == []
    assert loaded["collecting"], "garbage collection is back on once the database is open"


async def test_the_login_screen_parses_no_styles_it_does_not_show(firm: Firm) -> None:
    """Textual's Button styles (7 kB of looks the entry screens never show) wait for the first
    form that uses a Textual button; the login's buttons carry only the looks they show."""
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        sources = " ".join(str(key) for key in app.stylesheet.source)
        assert "textual/widgets/_button.py" not in sources
        assert "entry_button.py" in sources
        buttons = list(app.screen.query(EntryButton))
        assert [button.id for button in buttons] == ["log-in", "register"]
        assert buttons[0].styles.margin.right == 1, "the app's entry styles still reach them"
