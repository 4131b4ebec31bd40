"""Forms: presets, users and settings created, edited and refused through the screens."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Switch, TabbedContent

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.presets import PresetsScreen
from tektoro_tui.screens.settings import SettingsScreen
from tektoro_tui.screens.users import UsersScreen
from tektoro_tui.services.administration.users import UserForm
from tektoro_tui.widgets.dialogs.confirm import NoticeDialog, YesNoDialog
from tektoro_tui.widgets.dialogs.form import FormModal
from tektoro_tui.widgets.paged_table import PagedTable

from .conftest import ADMIN, Firm
from .tuitools import errors, invalid_fields, keys, open_area, settle, type_into, type_text


async def open_presets_tab(pilot, tab: str) -> PresetsScreen:  # type: ignore[no-untyped-def]
    """Log in as the administrator and open one tab of the code presets."""
    screen = await open_area(pilot, "p", PresetsScreen, login=ADMIN)
    screen.query_one(TabbedContent).active = tab
    await settle(pilot)
    return screen


async def test_a_rate_code_created_in_its_form_is_listed_and_stored(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_presets_tab(pilot, "rate_codes")
        await keys(pilot, "n")
        assert isinstance(app.screen, FormModal)
        type_into(app, "#input-name", "Overtime")
        type_into(app, "#input-hourly_rate", "1 234,50")
        await keys(pilot, "ctrl+s")

        assert app.screen is screen
        table = screen.query_one("#rate_codes-pane-table", PagedTable)
        names = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert names == ["Overtime", "Standard"], "in its place by name"
        assert table.get_row_at(table.cursor_row)[0] == "Overtime", "the cursor on it"
    stored = stocked_firm.services.presets.list_rate_codes(stocked_firm.admin).items
    assert {(r.name, r.hourly_rate.cents) for r in stored} == {
        ("Standard", 8000),
        ("Overtime", 123450),
    }


async def test_a_project_form_with_several_bad_fields_marks_every_one(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_presets_tab(pilot, "projects")
        await keys(pilot, "n")
        type_into(app, "#input-contract_amount", "lots")
        type_into(app, "#input-progress_pct", "150")
        type_into(app, "#input-start_date", "2024-13-01")
        await keys(pilot, "ctrl+s")

        assert isinstance(app.screen, FormModal), "the form opens again with the problems"
        bad = invalid_fields(app)
        assert set(bad) == {"name", "client_id", "contract_amount", "progress_pct", "start_date"}
        assert bad["name"] == "is required"
        assert app.screen.query_one("#input-contract_amount", Input).value == "lots"
        ((title, message),) = errors(app)
        assert title == "Please correct the form"
        assert len(message.splitlines()) == 5
    assert len(stocked_firm.services.presets.list_projects(stocked_firm.admin).items) == 1


async def test_a_task_is_created_for_the_chosen_project(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_presets_tab(pilot, "tasks")
        projects = stocked_firm.services.presets.list_projects(stocked_firm.admin).items
        screen.query_one("#task-filter", Select).value = projects[0].id
        await settle(pilot)
        await keys(pilot, "n")
        assert app.screen.query_one("#input-project_id", Select).value == projects[0].id
        type_into(app, "#input-name", "Painting")
        await keys(pilot, "ctrl+s")
    tasks = stocked_firm.services.presets.list_tasks(stocked_firm.admin, projects[0].id).items
    assert sorted(t.name for t in tasks) == ["Demolition", "Painting"]


async def test_a_contact_is_added_to_the_highlighted_client(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_presets_tab(pilot, "clients")
        await keys(pilot, "tab", "n")
        type_into(app, "#input-name", "Fred Foreman")
        type_into(app, "#input-position", "foreman")
        await keys(pilot, "ctrl+s")
        contacts = screen.query_one("#contacts", DataTable)
        assert contacts.row_count == 1
        assert contacts.get_row_at(0)[:2] == ["Fred Foreman", "foreman"]


async def test_deactivating_a_preset_updates_the_list(stocked_firm: Firm) -> None:
    app = TektoroApp(services=stocked_firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_presets_tab(pilot, "activities")
        await keys(pilot, "d", "y")
        table = screen.query_one("#activities-pane-table", PagedTable)
        assert table.get_row_at(0)[2] == "inactive"
    missing = stocked_firm.services.presets.missing_presets()
    assert missing == ["Activities"]


async def test_users_list_loads_the_next_page_at_the_end(firm: Firm) -> None:
    for number in range(60):
        firm.services.users.create_user(firm.admin, UserForm(name=f"Crew {number:02d}"))
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "u", login=ADMIN)
        table = app.screen.query_one("#users", PagedTable)
        assert table.row_count == 50
        await keys(pilot, "end")
        table.move_cursor(row=table.row_count - 1)
        await settle(pilot)
        assert table.row_count == 62
        assert table.next_after is None


async def test_users_search_filters_the_list(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "u", login=ADMIN)
        await keys(pilot, "slash")
        await type_text(pilot, "sam")
        table = app.screen.query_one("#users", PagedTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["Sam Staff"]


async def test_a_crew_member_without_login_is_created(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "u", login=ADMIN)
        await keys(pilot, "n")
        assert app.screen.query_one("#input-supervisor_id", Select).value == firm.admin.user_id
        assert app.screen.query_one("#input-is_active", Switch).value is True
        type_into(app, "#input-name", "Carl Crew")
        type_into(app, "#input-pay_rate", "31.50")
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, UsersScreen)
    users = firm.services.users.list_users(firm.admin, search="carl").items
    assert [(u.name, u.can_login, u.pay_rate.cents) for u in users] == [("Carl Crew", False, 3150)]


async def test_deactivating_a_user_asks_first(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "u", login=ADMIN)
        await keys(pilot, "down", "d")
        assert isinstance(app.screen, YesNoDialog)
        await keys(pilot, "y")
    assert not firm.services.users.get_user(firm.admin, firm.staff.user_id).is_active


async def test_an_invitation_shows_its_single_use_code(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "u", login=ADMIN)
        await keys(pilot, "i")
        type_into(app, "#input-email", "joiner@acme.test")
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, NoticeDialog)
        code = app.screen._secret
        assert firm.services.auth.invitation_info(code).email == "joiner@acme.test"
        await keys(pilot, "escape")
        invitations = app.screen.query_one("#invitations", DataTable)
        assert invitations.get_row_at(0)[0] == "joiner@acme.test"


async def test_settings_with_bad_input_are_marked_and_nothing_changes(firm: Firm) -> None:
    before = firm.services.settings.get(firm.admin)
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "s", login=ADMIN)
        assert isinstance(app.screen, SettingsScreen)
        assert app.screen.query_one("#input-name", Input).value == "Acme Builders"
        type_into(app, "#input-name", "Renamed Ltd")
        type_into(app, "#input-currency", "EURO")
        type_into(app, "#input-timezone", "Mars/Olympus")
        type_into(app, "#input-workday_end", "06:00")
        type_into(app, "#input-smtp_port", "99999")
        await keys(pilot, "ctrl+s")
        assert set(invalid_fields(app)) == {"currency", "timezone", "workday_end", "smtp_port"}
        assert "Renamed Ltd" not in app.status_line
    assert firm.services.settings.get(firm.admin) == before


async def test_settings_are_saved_and_the_new_name_shows_at_once(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "s", login=ADMIN)
        type_into(app, "#input-name", "Acme Builders Ltd")
        type_into(app, "#input-default_vat", "8.5")
        type_into(app, "#input-workday_start", "06:30")
        await keys(pilot, "ctrl+s")
        assert not invalid_fields(app)
        assert "Acme Builders Ltd" in app.status_line
    saved = firm.services.settings.get(firm.admin)
    assert (saved.name, saved.default_vat_bp, saved.workday_start_minute) == (
        "Acme Builders Ltd",
        850,
        390,
    )


async def test_the_smtp_password_refusal_is_shown_as_an_error(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_area(pilot, "s", login=ADMIN)
        await keys(pilot, "f2")
        type_into(app, "#input-password", "smtp-secret")
        await keys(pilot, "ctrl+s")
        refusals = errors(app)
        assert refusals and refusals[0][0] == "Configuration problem"
        assert "TEKTORO_SMTP_PASSWORD" in refusals[0][1]


def test_a_switch_shows_a_drafts_yes_or_no_as_on_or_off() -> None:
    """The services' forms hold yes/no fields as text; "no" is not empty text, yet off."""
    from tektoro_tui.widgets.fields import switched_on

    assert [switched_on(v) for v in ("yes", " YES ", "y", "true", "1", "on", True)] == [True] * 7
    assert [switched_on(v) for v in ("no", "", "0", "off", "false", None, False)] == [False] * 7
