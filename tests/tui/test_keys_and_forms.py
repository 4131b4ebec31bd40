"""Keys that do what they say, and forms that never lose work.

- Typing where no text field has the focus (a button, a list) never leaves the screen.
- Every form with unsaved changes asks before it is left, however it is left: Escape, Go to,
  the command palette, logging out, quitting; a form without changes is left at once.
- A key that changes data asks first: (de)activating a client, a project, a user.
- A form dialog stays up while the service checks it: keys pressed with no pause after Save
  land in the dialog, never on the screen beneath; a worker's result never opens a dialog over
  another screen.
- The command palette finds an action by the words a bookkeeper uses.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Button, Input, TabbedContent
from textual.widgets._footer import FooterKey

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.compliance import ComplianceScreen
from tektoro_tui.screens.home import HomeScreen
from tektoro_tui.screens.presets import PresetsScreen
from tektoro_tui.screens.printer import PrinterScreen
from tektoro_tui.screens.settings import SettingsScreen
from tektoro_tui.screens.terms import TermsScreen
from tektoro_tui.screens.time_card import TimeCardScreen
from tektoro_tui.screens.users import UsersScreen
from tektoro_tui.services.administration.presets import CompanyForm
from tektoro_tui.services.audit_key import ENV_KEY_FILE, key_file
from tektoro_tui.widgets.dialogs.confirm import YesNoDialog
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.dialogs.help import HelpScreen
from tektoro_tui.widgets.key_footer import KeyFooter
from tektoro_tui.widgets.unsaved import LeaveDialog
from tests.builders import (
    add_job,
    add_time_cards,
    add_work_codes,
    approve_all,
    bill,
    codes_of,
    issue_invoice,
)

from .conftest import ADMIN, Firm
from .tuitools import errors, go, keys, log_in, open_area, settle, type_into, type_text

SIZE = (100, 30)


def org_name(firm: Firm) -> str:
    """The organisation's name as stored."""
    return firm.services.settings.get(firm.admin).name


class Gate:
    """Holds a service call in its worker until the test opens the gate; the call itself is
    the real one (only its timing is the test's)."""

    def __init__(self, call: Callable[..., Any]) -> None:
        self._call = call
        self._open = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        assert self._open.wait(10), "the gate was never opened"
        return self._call(*args, **kwargs)

    def open(self) -> None:
        self._open.set()


# --- no navigation while typing -----------------------------------------------------------------


async def test_typing_on_the_settings_save_button_changes_nothing_and_stays(
    stocked_firm: Firm,
) -> None:
    """The bookkeeper's sentence, typed with the focus on a button, used to jump through Home,
    Approvals, Notices and Users and throw the settings away."""
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "s", SettingsScreen, login=ADMIN)
        type_into(app, "#input-name", "Acme Builders Ltd")
        screen.query_one("#save", Button).focus()
        await pilot.press(*"having a look at approvals now, then users")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#input-name", Input).value == "Acme Builders Ltd"
        assert len(app.screen_stack) == 3
    assert org_name(stocked_firm) == "Acme Builders"


# --- leaving a form asks first ------------------------------------------------------------------


Opener = Callable[[Pilot[None]], Awaitable[None]]


async def open_settings(pilot: Pilot[None]) -> None:
    await open_area(pilot, "s", SettingsScreen, login=ADMIN)
    type_into(pilot.app, "#input-name", "Acme Builders Ltd")


async def open_time_card(pilot: Pilot[None]) -> None:
    await open_area(pilot, "c", TimeCardScreen, login=ADMIN)
    await type_text(pilot, "1:30")


async def open_client_form(pilot: Pilot[None]) -> None:
    await open_area(pilot, "p", PresetsScreen, login=ADMIN)
    await keys(pilot, "n")
    await type_text(pilot, "Brand Book Ltd")


async def open_project_form(pilot: Pilot[None]) -> None:
    screen = await open_area(pilot, "p", PresetsScreen, login=ADMIN)
    screen.query_one(TabbedContent).active = "projects"
    await settle(pilot)
    await keys(pilot, "e")
    await type_text(pilot, " phase 2")


async def open_user_form(pilot: Pilot[None]) -> None:
    await open_area(pilot, "u", UsersScreen, login=ADMIN)
    await keys(pilot, "n")
    await type_text(pilot, "Nina New")


async def open_terms_form(pilot: Pilot[None]) -> None:
    await open_area(pilot, "e", TermsScreen, login=ADMIN)
    await keys(pilot, "n")
    await type_text(pilot, "Net 14")


async def open_compliance_form(pilot: Pilot[None]) -> None:
    await open_area(pilot, "o", ComplianceScreen, login=ADMIN)
    await keys(pilot, "n")
    type_into(pilot.app, "#input-expires_on", "2030-01-01")


async def open_smtp_password(pilot: Pilot[None]) -> None:
    await open_area(pilot, "s", SettingsScreen, login=ADMIN)
    await keys(pilot, "f2")
    await type_text(pilot, "secret")


FORMS: dict[str, Opener] = {
    "settings": open_settings,
    "time card": open_time_card,
    "client": open_client_form,
    "project": open_project_form,
    "user": open_user_form,
    "payment terms": open_terms_form,
    "compliance document": open_compliance_form,
    "smtp password": open_smtp_password,
}


@pytest.mark.parametrize("form", FORMS)
async def test_escape_from_a_form_with_changes_asks_and_stay_keeps_them(
    stocked_firm: Firm, form: str
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await FORMS[form](pilot)
        editing = app.screen
        typed = dict(editing.typed_values())  # type: ignore[attr-defined]
        await keys(pilot, "escape")
        assert isinstance(app.screen, LeaveDialog), form
        await keys(pilot, "escape")  # Stay is the default answer
        assert app.screen is editing
        assert editing.typed_values() == typed  # type: ignore[attr-defined]
        await keys(pilot, "escape", "y")
        assert editing not in app.screen_stack, "Leave without saving leaves"
        assert not errors(app)


@pytest.mark.parametrize("form", ["settings", "time card"])
@pytest.mark.parametrize(
    "leave",
    [("ctrl+g", "h"), ("ctrl+l",), ("ctrl+q",)],
    ids=["go to", "log out", "quit"],
)
async def test_go_to_logout_and_quit_ask_before_a_form_is_lost(
    stocked_firm: Firm, form: str, leave: tuple[str, ...]
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await FORMS[form](pilot)
        editing = app.screen
        await keys(pilot, *leave)
        assert isinstance(app.screen, LeaveDialog)
        await keys(pilot, "n")
        assert app.screen is editing
        assert app.actor is not None and app.is_running


async def test_the_palette_asks_before_a_form_is_lost(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        await keys(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "Open Users and staff", "enter")
        assert isinstance(app.screen, LeaveDialog)
        await keys(pilot, "y")
        assert isinstance(app.screen, UsersScreen)


async def test_a_form_without_changes_is_left_at_once(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "s", SettingsScreen, login=ADMIN)
        await keys(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
        await open_area(pilot, "p", PresetsScreen)
        await keys(pilot, "n", "escape")
        assert isinstance(app.screen, PresetsScreen)
        await keys(pilot, *go("c"))
        assert isinstance(app.screen, TimeCardScreen)
        await keys(pilot, "ctrl+l")
        assert app.actor is None


UNTOUCHED: dict[str, tuple[str, tuple[str, ...]]] = {
    "client": ("p", ("n",)),
    "project": ("p", ("2", "e")),
    "user": ("u", ("n",)),
    "payment terms": ("e", ("n",)),
    "compliance document": ("o", ("n",)),
    "smtp password": ("s", ("f2",)),
    "invitation": ("u", ("i",)),
}


@pytest.mark.parametrize("form", UNTOUCHED)
async def test_an_untouched_form_dialog_closes_at_once(stocked_firm: Firm, form: str) -> None:
    """Drop-downs that choose their first option, switches and dates filled in for the user
    are what the form was loaded with: nothing to ask about."""
    area, pressed = UNTOUCHED[form]
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, area, login=ADMIN)
        await keys(pilot, *pressed)
        dialog = app.screen
        assert isinstance(dialog, FormModal), form
        await keys(pilot, "escape")
        assert dialog not in app.screen_stack, f"the {form} form asked for nothing typed"


async def test_an_untouched_payment_form_closes_at_once(invoiced: Firm) -> None:
    app = TektoroApp(services=invoiced.services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        await keys(pilot, "p")
        assert isinstance(app.screen, FormModal)
        await keys(pilot, "escape")
        assert app.screen is screen


async def test_saved_settings_are_left_without_a_question(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        await keys(pilot, "ctrl+s", "escape")
        assert isinstance(app.screen, HomeScreen)
    assert org_name(stocked_firm) == "Acme Builders Ltd"


async def test_a_saved_time_card_leaves_no_question_behind(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_time_card(pilot)
        await keys(pilot, "ctrl+s")
        assert not errors(app)
        await keys(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


# --- one key that changes data asks first -------------------------------------------------------


async def test_deactivating_a_client_asks_first(stocked_firm: Firm) -> None:
    services, admin = stocked_firm.services, stocked_firm.admin
    app = TektoroApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "p", PresetsScreen, login=ADMIN)
        await keys(pilot, "d")
        assert isinstance(app.screen, YesNoDialog)
        await keys(pilot, "n")
        assert services.presets.list_companies(admin, "client").items[0].is_active
        await keys(pilot, "d", "y")
        assert isinstance(app.screen, PresetsScreen)
    assert not services.presets.list_companies(admin, "client").items[0].is_active


async def test_reactivating_a_project_asks_first(stocked_firm: Firm) -> None:
    services, admin = stocked_firm.services, stocked_firm.admin
    project = services.presets.list_projects(admin).items[0]
    services.presets.set_active(admin, "project", project.id, False)
    app = TektoroApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "p", PresetsScreen, login=ADMIN)
        screen.query_one(TabbedContent).active = "projects"
        await settle(pilot)
        await keys(pilot, "d")
        assert isinstance(app.screen, YesNoDialog)
        assert "Reactivate the project Harbour refit?" in str(app.screen._question)
        await keys(pilot, "escape")
        assert not services.presets.list_projects(admin).items[0].is_active


async def test_deactivating_a_user_asks_and_reactivating_too(stocked_firm: Firm) -> None:
    services, admin, staff = stocked_firm.services, stocked_firm.admin, stocked_firm.staff
    app = TektoroApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "u", UsersScreen, login=ADMIN)
        screen.users_table.move_to(staff.user_id)
        await keys(pilot, "d", "y")
        assert not services.users.get_user(admin, staff.user_id).is_active
        await keys(pilot, "d")
        assert isinstance(app.screen, YesNoDialog), "reactivating asks too"
        await keys(pilot, "y")
    assert services.users.get_user(admin, staff.user_id).is_active


# --- dialogs under a burst of keys --------------------------------------------------------------


async def test_a_refused_form_stays_up_under_a_burst_of_keys(
    stocked_firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Save, then keys pressed with no pause while the service checks the form: before, the
    dialog closed meanwhile, the keys reached the presets screen beneath (e opened another
    form, n a new one) and the dialog came back. Now every key lands in the dialog."""
    services, admin = stocked_firm.services, stocked_firm.admin
    gate = Gate(services.presets.save_company)
    app = TektoroApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "p", PresetsScreen, login=ADMIN)
        await keys(pilot, "n")
        form = app.screen
        assert isinstance(form, FormModal)
        monkeypatch.setattr(services.presets, "save_company", gate)
        await pilot.press("ctrl+s", "d", "e", "n", "space", "B", "o", "o", "k")
        assert app.screen is form
        gate.open()
        await settle(pilot)
        assert app.screen is form, "the same dialog, never closed and opened again"
        assert len(app.screen_stack) == 4
        assert form.query_one("#input-name", Input).value == "den Book"
        assert "name" in {field.field_name for field in form.query(".-invalid").results()}
    clients = services.presets.list_companies(admin, "client").items
    assert [(c.name, c.is_active) for c in clients] == [("Harbour Hotel", True)]


async def test_a_time_card_saved_again_while_saving_is_saved_once(
    stocked_firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, admin = stocked_firm.services, stocked_firm.admin
    gate = Gate(services.time.add_entry)
    app = TektoroApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "c", TimeCardScreen, login=ADMIN)
        monkeypatch.setattr(services.time, "add_entry", gate)
        await pilot.press(*"1:30", "ctrl+s", "ctrl+s", "enter")
        gate.open()
        await settle(pilot)
        assert not errors(app)
    assert len(services.time.report(admin).items) == 1


# --- a worker's result never opens a dialog over another screen ---------------------------------


@pytest.fixture
def invoiced(stocked_firm: Firm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Firm:
    """The stocked firm with one issued, unpaid invoice in the Invoice Printer."""
    # the firm's audit key stays where the firm was made; exports go below this test's home
    monkeypatch.setenv(ENV_KEY_FILE, str(key_file()))
    monkeypatch.setenv("TEKTORO_HOME", str(tmp_path / "home"))
    services, admin = stocked_firm.services, stocked_firm.admin
    job = add_job(services, admin, CompanyForm("Lakeside School"), "Lakeside gym", "Survey")
    activity, rate = add_work_codes(services, admin, "Work", "Std", "80")
    codes = codes_of(job, activity, rate)
    ids = add_time_cards(services, admin, [codes.card("2:00", "2024-05-02", "Survey")])
    approve_all(services, ids, admin)
    issue_invoice(services, admin, bill(services, admin, ids), date(2024, 5, 3))
    return stocked_firm


@pytest.mark.parametrize(
    ("then", "on_top"),
    [(("ctrl+g", "o"), ComplianceScreen), (("f1",), HelpScreen)],
    ids=["gone to compliance", "help on top"],
)
async def test_a_payment_form_never_opens_over_another_screen(
    invoiced: Firm, monkeypatch: pytest.MonkeyPatch, then: tuple[str, ...], on_top: type
) -> None:
    """p reads the invoice in a worker; the user moves on before it answers."""
    services = invoiced.services
    gate = Gate(services.settings.today)
    app = TektoroApp(services=services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        monkeypatch.setattr(services.settings, "today", gate)
        await pilot.press("p", *then)
        gate.open()
        await settle(pilot)
        assert isinstance(app.screen, on_top)
        assert not any(isinstance(screen, FormModal) for screen in app.screen_stack)


async def test_record_payment_is_named_so_on_the_key_and_the_form(invoiced: Firm) -> None:
    app = TektoroApp(services=invoiced.services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        offered = {b.binding.description for b in screen.active_bindings.values()}
        assert "Record payment" in offered
        await keys(pilot, "p")
        assert isinstance(app.screen, FormModal)
        assert app.screen._title == "Record payment: INV/2024/00001"


# --- the footer follows the keys, and is rebuilt only when they change --------------------------


def footer_keys(app: TektoroApp) -> set[str]:
    """The descriptions of the keys the footer of the screen on top shows."""
    return {key.description for key in app.screen.query_one(KeyFooter).query(FooterKey)}


async def test_the_footer_is_rebuilt_when_its_keys_change_and_only_then(
    invoiced: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual rebuilds a footer on every move of the focus; ours only when a key it shows
    comes, goes, or starts or stops working."""
    built: list[str] = []
    compose = KeyFooter.compose

    def counted(footer: KeyFooter) -> Any:
        built.append(type(footer.screen).__name__)
        return compose(footer)

    monkeypatch.setattr(KeyFooter, "compose", counted)
    app = TektoroApp(services=invoiced.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        shown = footer_keys(app)
        assert {"Record payment", "PDF"} <= shown  # came with the invoice, after the list
        assert "Copy path" not in shown  # nothing rendered yet
        await keys(pilot, "o")  # PDF
        assert "Copy path" in footer_keys(app)
        await keys(pilot, *go("c"))
        assert isinstance(app.screen, TimeCardScreen)
        await settle(pilot)
        before = len(built)
        await keys(pilot, "tab", "tab", "tab", "shift+tab", "tab", "tab")
        assert app.screen.focused is not None
        assert len(built) == before, "moving between fields rebuilt the footer"


# --- the command palette ------------------------------------------------------------------------


def palette_hits(app: TektoroApp) -> list[str]:
    """The commands the palette lists now, as plain text."""
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    found = palette.query_one("CommandList")
    return [str(option.prompt) for option in found.options]  # type: ignore[attr-defined]


@pytest.mark.parametrize("words", ["payment received", "money paid"])
async def test_the_palette_finds_record_payment_by_a_bookkeepers_words(
    invoiced: Firm, words: str
) -> None:
    app = TektoroApp(services=invoiced.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        await keys(pilot, "ctrl+p")
        await type_text(pilot, words)
        assert any("Record payment" in hit for hit in palette_hits(app))
        assert any("Invoice Printer" in hit for hit in palette_hits(app))


async def test_an_action_chosen_in_the_palette_runs_on_its_screen(invoiced: Firm) -> None:
    app = TektoroApp(services=invoiced.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "i", PrinterScreen, login=ADMIN)
        await keys(pilot, "ctrl+p")
        await type_text(pilot, "Record payment", "enter")
        assert isinstance(app.screen, FormModal)
        assert app.screen._title.startswith("Record payment")


async def test_from_home_the_palette_leads_to_where_payments_are_recorded(
    stocked_firm: Firm,
) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, *ADMIN)
        await keys(pilot, "ctrl+p")
        await type_text(pilot, "record payment")
        hits: list[Any] = palette_hits(app)
        assert any("Open Invoice Printer" in hit for hit in hits)
