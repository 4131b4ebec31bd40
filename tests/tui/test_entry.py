"""Getting in: first-run set-up, login and registration with an invitation code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tektoro_tui.app import TektoroApp
from tektoro_tui.errors import Problem, ValidationError
from tektoro_tui.screens.home import HomeScreen
from tektoro_tui.screens.login import LoginScreen
from tektoro_tui.screens.register import RegisterScreen
from tektoro_tui.screens.setup import SetupScreen
from tektoro_tui.services.administration.auth import WRONG_LOGIN
from tektoro_tui.services.hub import Services
from tektoro_tui.widgets.unsaved import LeaveDialog

from .conftest import ADMIN, ADMIN_EMAIL, ADMIN_PASSWORD, STAFF, Firm
from .tuitools import (
    errors,
    go,
    invalid_fields,
    keys,
    log_in,
    notifications,
    settle,
    text_of,
    type_into,
    type_text,
)


async def test_first_run_set_up_creates_the_organisation_and_lands_on_home(
    empty_services: Services,
) -> None:
    app = TektoroApp(services=empty_services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        type_into(app, "#input-company", "Acme Builders")
        type_into(app, "#input-admin_email", "ann@acme.test")
        type_into(app, "#input-admin_name", "Ann Admin")
        type_into(app, "#input-password", "correct-horse")
        type_into(app, "#input-password_confirm", "correct-horse")
        await keys(pilot, "ctrl+s")

        assert isinstance(app.screen, HomeScreen)
        assert app.actor is not None and app.actor.email == "ann@acme.test"
        assert "Acme Builders" in app.status_line
        assert empty_services.auth.is_initialised()
        firm = empty_services.settings.get(app.actor)
        assert (firm.billing_address, firm.tax_id, firm.bank_account) == ("", "", "")


async def test_set_up_takes_the_sellers_details_printed_on_invoices(
    empty_services: Services,
) -> None:
    app = TektoroApp(services=empty_services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        type_into(app, "#input-company", "Acme Sp. z o.o.")
        type_into(app, "#input-admin_email", "ann@acme.test")
        type_into(app, "#input-password", "correct-horse")
        type_into(app, "#input-password_confirm", "correct-horse")
        type_into(app, "#input-billing_address", "ul. Długa 5, 00-001 Warszawa")
        type_into(app, "#input-tax_id", "PL5260001246")
        type_into(app, "#input-bank_account", "PL61 1090 1014 0000 0712 1981 2874")
        app.screen.query_one("#input-bank_account").focus()
        await keys(pilot, "enter")  # Enter on the last field creates the organisation

        assert isinstance(app.screen, HomeScreen)
        firm = empty_services.settings.get(app.actor)
        assert (firm.billing_address, firm.tax_id, firm.bank_account) == (
            "ul. Długa 5, 00-001 Warszawa",
            "PL5260001246",
            "PL61 1090 1014 0000 0712 1981 2874",
        )


async def test_set_up_marks_every_bad_field_and_creates_nothing(empty_services: Services) -> None:
    app = TektoroApp(services=empty_services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        type_into(app, "#input-admin_email", "not-an-address")
        type_into(app, "#input-password", "short")
        type_into(app, "#input-password_confirm", "short")
        await keys(pilot, "ctrl+s")

        assert isinstance(app.screen, SetupScreen)
        assert set(invalid_fields(app)) == {"company", "admin_email", "password"}
        assert [title for title, _ in errors(app)] == ["Please correct the form"]
        assert not empty_services.auth.is_initialised()


async def test_set_up_refuses_a_mistyped_password_confirmation(empty_services: Services) -> None:
    app = TektoroApp(services=empty_services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        type_into(app, "#input-password", "correct-horse")
        type_into(app, "#input-password_confirm", "correct-hose")
        await keys(pilot, "ctrl+s")
        assert set(invalid_fields(app)) == {"password_confirm"}
        assert not empty_services.auth.is_initialised()


async def test_login_with_a_wrong_then_the_right_password(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, ADMIN_EMAIL, "wrong-password", refused=True)

        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None
        assert ("Login failed", WRONG_LOGIN, "error") in notifications(app)
        assert WRONG_LOGIN in text_of(app, "#login-message")

        await log_in(pilot, *ADMIN)
        assert isinstance(app.screen, HomeScreen)
        assert app.actor is not None and app.actor.user_id == firm.admin.user_id
        assert "Ann Admin" in app.status_line and "Administrator" in app.status_line
        assert "sqlite:///tektoro.db" in app.status_line
        assert not errors(app), "the failed attempt's message is gone once the user is in"


async def test_a_refusal_outside_a_form_is_not_titled_as_a_form(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *ADMIN)
        assert isinstance(app.screen, HomeScreen)
        app.show_error(ValidationError([Problem("period", "must be week or month")]))
        app.show_error(ValidationError([Problem("ids", "choose one")], title="Nothing chosen"))
        await settle(pilot)
        assert [title for title, _ in errors(app)] == ["Cannot do that", "Nothing chosen"]


async def test_login_by_keyboard_only(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_text(pilot, ADMIN_EMAIL, "enter")
        await type_text(pilot, ADMIN_PASSWORD, "enter")
        assert isinstance(app.screen, HomeScreen)


async def test_registration_with_an_invitation_code(firm: Firm) -> None:
    invitation = firm.services.auth.invite(firm.admin, "new.hire@acme.test")
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await keys(pilot, "ctrl+r")
        assert isinstance(app.screen, RegisterScreen)

        type_into(app, "#input-code", invitation.token)
        await settle(pilot)
        shown = text_of(app, "#invitation")
        assert "new.hire@acme.test" in shown
        assert "Ann Admin" in shown and "Acme Builders" in shown

        type_into(app, "#input-name", "Nina New")
        type_into(app, "#input-password", "nina-pass-1")
        type_into(app, "#input-password_confirm", "nina-pass-1")
        await keys(pilot, "ctrl+s")

        assert isinstance(app.screen, HomeScreen)
        assert app.actor is not None and app.actor.email == "new.hire@acme.test"
        assert app.actor.supervisor_id == firm.admin.user_id
    assert firm.services.auth.login("new.hire@acme.test", "nina-pass-1").name == "Nina New"


async def test_registration_with_an_unknown_code_says_so(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#register")
        await settle(pilot)
        type_into(app, "#input-code", "no-such-code-at-all")
        await settle(pilot)
        assert set(invalid_fields(app)) == {"code"}
        await keys(pilot, "escape")
        assert isinstance(app.screen, LeaveDialog), "what was typed is not thrown away unasked"
        await keys(pilot, "y")
        assert isinstance(app.screen, LoginScreen)


async def test_a_deactivated_user_is_refused(firm: Firm) -> None:
    firm.services.users.set_active(firm.admin, firm.staff.user_id, False)
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *STAFF, refused=True)
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None
        messages = [message for _, message, _ in notifications(app)]
        assert any("deactivated" in message for message in messages)


async def test_a_user_deactivated_while_signed_in_is_signed_out(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *STAFF)
        assert isinstance(app.screen, HomeScreen)
        firm.services.users.set_active(firm.admin, firm.staff.user_id, False)
        await keys(pilot, *go("u"))
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None
        assert any(title == "Signed out" for title, _, _ in notifications(app))


async def test_log_out_returns_to_the_login_screen(firm: Firm) -> None:
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, *ADMIN)
        await keys(pilot, *go("p"), "ctrl+l")
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None
        assert len(app.screen_stack) == 2
        assert "Database: sqlite:///tektoro.db" in text_of(app, "#database")


async def test_set_up_done_elsewhere_meanwhile_leads_to_the_login(
    empty_services: Services,
) -> None:
    app = TektoroApp(services=empty_services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        empty_services.auth.init_organisation("Other Co", "o@other.test", "Olga", "other-pass")
        type_into(app, "#input-company", "Acme Builders")
        type_into(app, "#input-admin_email", "ann@acme.test")
        type_into(app, "#input-password", "correct-horse")
        type_into(app, "#input-password_confirm", "correct-horse")
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, LoginScreen)
        assert any(title == "Already set up" for title, _, _ in notifications(app))


async def test_the_benchmark_hook_exits_once_the_login_is_painted(
    firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEKTORO_EXIT_ON_READY", "login")
    app = TektoroApp(services=firm.services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
    assert not app.is_running
    assert app.return_code == 0
    assert not app.connection.is_open, "the database is not even opened"


async def test_a_database_that_cannot_be_opened_is_reported_on_the_login(tmp_path: Path) -> None:
    app = TektoroApp(db_url=f"sqlite:///{tmp_path}/missing/folder/tektoro.db")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        shown = text_of(app, "#database")
        assert shown.startswith("The database could not be opened")
        assert [s for _, _, s in notifications(app)] == ["error"]
        await log_in(pilot, *ADMIN, refused=True)
        assert isinstance(app.screen, LoginScreen), "still running, still refusing"
