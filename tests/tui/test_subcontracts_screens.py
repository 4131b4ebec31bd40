"""The Subcontracts screens: an office manager makes an agreement and plans three days, the
foreman (logged in as himself) reports them, the accountant settles in two stages, and the
project's balance counts what was paid.

The clock stands at Monday 2024-05-06; the firm's window is 07:00-17:00, the day 8 h, +50 %
over the day. Rate 40.00/h: Mon 2024-04-29 07:00-15:00 × 4 = 1,280.00; Tue 07:00-17:00 × 4 =
8 h + 2 h over: (320 + 120) × 4 = 1,760.00; Wed 07:00-15:00 × 3 = 960.00. In all 4,000.00.
"""

from __future__ import annotations

import pytest
from textual.widgets import TabbedContent

from tektoro_tui.app import TektoroApp
from tektoro_tui.screens.projects import ProjectScreen
from tektoro_tui.screens.subcontracts import SubcontractScreen, SubcontractsScreen
from tektoro_tui.services.administration.presets import (
    CompanyForm,
    ContactForm,
    ProjectForm,
    WorkTypeForm,
)
from tektoro_tui.widgets.dialogs.form import FormModal
from tests.builders import add_person, set_organisation

from .conftest import ADMIN, Firm
from .tuitools import (
    fill,
    invalid_fields,
    keys,
    log_in,
    open_area,
    settle,
    snapshot_steps,
    table_rows,
    text_of,
)

SIZE = (100, 30)
ACCOUNTANT = ("adam@acme.test", "adam-pass-2024")
FOREMAN = ("piotr@dach-bud.test", "piotr-pass-2024")


@pytest.fixture
def site(firm: Firm) -> Firm:
    """Warehouse (time and material) for Harbour Hotel; Dach-Bud and its foreman Piotr Nowak,
    who has a login; an accountant; the type of work Roofing."""
    services, admin = firm.services, firm.admin
    set_organisation(services, workday_end_minute=17 * 60)
    client = services.presets.save_company(admin, CompanyForm("Harbour Hotel")).id
    services.presets.save_project(
        admin, ProjectForm("Warehouse", client, valuation="tm", start_date="2024-01-01")
    )
    sub = services.presets.save_company(
        admin, CompanyForm(name="Dach-Bud", kind="subcontractor")
    ).id
    contact = services.presets.save_contact(
        admin, ContactForm(company_id=sub, name="Piotr Nowak", email=FOREMAN[0])
    ).id
    services.presets.save_work_type(admin, WorkTypeForm(name="Roofing"))
    add_person(services, admin, "Adam Accountant", "accountant", email=ACCOUNTANT[0],
               password=ACCOUNTANT[1])  # fmt: skip
    token = services.subcontracts.invite_foreman(admin, contact)
    services.auth.register(token, "Piotr Nowak", FOREMAN[1])
    return firm


async def test_plan_report_settle_and_see_the_balance(site: Firm) -> None:
    app = TektoroApp(services=site.services)
    async with app.run_test(size=SIZE) as pilot:
        # the office makes the agreement and plans three days
        listed = await open_area(pilot, "b", SubcontractsScreen, login=ADMIN)
        await keys(pilot, "n")
        fill(
            app,
            project="Warehouse",
            subcontractor="Dach-Bud",
            scope="Roof membrane, paid by the hour",
            contract_date="2024-04-01",
            deadline="2024-06-30",
            time_and_material=True,
            hourly_rate="40",
        )
        await keys(pilot, "ctrl+s")
        await settle(pilot)
        agreement = app.screen
        assert isinstance(agreement, SubcontractScreen)
        assert agreement.number == "SA/2024/00001"
        assert "time and material at 40.00/h" in text_of(app, "#sa-heading")
        await keys(pilot, "n")
        fill(
            app,
            work_date="2024-04-29",
            date_to="2024-05-01",
            planned_end="15:00",
            work_type="Roofing",
            foreman="Piotr Nowak",
            planned_headcount="4",
        )
        await keys(pilot, "ctrl+s")
        assert "3 days planned." in text_of(app, "#sa-status")
        assert len(table_rows(agreement.query_one("#sa-days"))) == 3
        assert listed is not None

        # the foreman reports his crew's three days
        await log_in(pilot, *FOREMAN)
        crews = app.screen.query_one("#crews").cell_texts()  # his home: what to report
        assert crews == [
            ["SA/2024/00001", "Roof membrane, paid b…", "—", "0", "3 (from 2024-04-29)"]
        ]
        assert (
            "Time cards need" not in text_of(app, "#missing")
            or not app.screen.query_one("#missing").display
        )
        foreman_list = await open_area(pilot, "b", SubcontractsScreen)
        assert [row[0] for row in table_rows(foreman_list.table)] == ["SA/2024/00001"]
        await keys(pilot, "enter", "2")
        for day, end, people in (
            ("2024-04-29", "15:00", "4"),
            ("2024-04-30", "17:00", "4"),
            ("2024-05-01", "15:00", "3"),
        ):
            await keys(pilot, "n")
            fill(app, report_date=day, actual_start="07:00", actual_end=end, headcount=people)
            await keys(pilot, "ctrl+s")
            await settle(pilot)
        assert "entered: 960.00 EUR" in text_of(app, "#sa-status")
        amounts = [str(row[6]) for row in table_rows(app.screen.query_one("#sa-reports"))]
        assert amounts == ["1,280.00", "1,760.00", "960.00"]
        await keys(pilot, "1")
        marks = [str(row[5]) for row in table_rows(app.screen.query_one("#sa-days"))]
        assert marks == ["", "end 17:00 (15:00)", "3 people (4)"]
        assert app.screen.check_action("settle", ()) is False  # a foreman never settles

        # the accountant settles in two stages
        await log_in(pilot, *ACCOUNTANT)
        await open_area(pilot, "b", SubcontractsScreen)
        await keys(pilot, "enter", "p")
        form = app.screen
        assert isinstance(form, FormModal)
        assert "Contract amount 4,000.00, paid so far 0.00" in str(
            form.query_one("#intro").render()
        )
        fill(app, amount="2500", settled_on="2024-05-02", description="Bank transfer")
        await keys(pilot, "ctrl+s")
        assert "remaining 1,500.00 EUR" in text_of(app, "#sa-status")
        await keys(pilot, "p")
        fill(
            app,
            amount="1500",
            settled_on="2024-05-06",
            description="Final, as agreed",
            fully_paid=True,
            work_completed=True,
        )
        await keys(pilot, "ctrl+s")
        heading = text_of(app, "#sa-heading")
        assert "paid 4,000.00 · remaining 0.00 EUR" in heading
        assert "Work completed, fully paid" in heading
        await keys(pilot, "3")
        stages = table_rows(app.screen.query_one("#sa-stages"))
        assert [(row[0], str(row[3])) for row in stages] == [("1", "2,500.00"), ("2", "4,000.00")]

        # the project's balance counts the subcontract
        await open_area(pilot, "j")
        await keys(pilot, "enter", "4")
        assert isinstance(app.screen, ProjectScreen)
        balance = text_of(app, "#pj-balance")
        line = next(x for x in balance.splitlines() if "ubcontract" in x)
        assert "4,000.00" in line


async def test_bad_input_is_named_in_the_form_and_nothing_is_made(site: Firm) -> None:
    app = TektoroApp(services=site.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "b", SubcontractsScreen, login=ADMIN)
        await keys(pilot, "n")
        fill(app, scope="Roof", deadline="someday", time_and_material=False, fixed_amount="-5")
        await keys(pilot, "ctrl+s")
        form = app.screen
        assert isinstance(form, FormModal)  # the form stays up with its problems
        bad = invalid_fields(app)
        assert set(bad) == {"project", "subcontractor", "deadline", "fixed_amount"}, bad
        assert bad["fixed_amount"] == "must be at least 0.01"
        await keys(pilot, "escape")
        await settle(pilot)
        assert site.services.subcontracts.list(site.admin).total == 0


def test_subcontract_list_snapshot(site: Firm, snap_compare) -> None:  # type: ignore[no-untyped-def]
    from tektoro_tui.services.subcontracts.views import AgreementForm, StageForm

    services, admin = site.services, site.admin
    for scope, amount in (("Walls", "12000"), ("Roof", "30000")):
        services.subcontracts.add(
            admin,
            AgreementForm("Warehouse", "Dach-Bud", scope, "2024-03-01", "2024-04-30", "no", amount),
        )
    services.subcontracts.settle(admin, "2", StageForm("10000", "2024-04-15", "First stage"))
    app = TektoroApp(services=services)
    steps = snapshot_steps("ctrl+g", "b", login=ADMIN)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)


async def test_the_subcontractors_tab_lists_foremen_and_agreements(site: Firm) -> None:
    """Code presets, the Subcontractors tab: Dach-Bud with its foreman Piotr Nowak and its
    agreement; the Types of work tab, where n adds one."""
    from tektoro_tui.services.subcontracts.views import AgreementForm

    site.services.subcontracts.add(
        site.admin,
        AgreementForm("Warehouse", "Dach-Bud", "Walls", "2024-03-01", "2024-06-30", "no", "9000"),
    )
    app = TektoroApp(services=site.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "p", login=ADMIN)
        tabs = app.screen.query_one(TabbedContent)
        tabs.active = "subcontractors"
        await settle(pilot)
        pane = app.screen.query_one("#subcontractors-pane")
        assert [row[0] for row in table_rows(pane.table)] == ["Dach-Bud"]
        assert [row[0] for row in table_rows(pane.query_one("#contacts"))] == ["Piotr Nowak"]
        agreements = table_rows(pane.query_one("#sub-agreements"))
        assert [(row[0], row[2]) for row in agreements] == [("SA/2024/00001", "9,000.00")]
        # i on a contact invites them to log in as the foreman; the code is shown once
        await keys(pilot, "tab")
        assert pane.contacts_focused
        await keys(pilot, "n")
        fill(app, name="Rafał Mazur", email="rafal@dach-bud.test")
        await keys(pilot, "ctrl+s")
        await keys(pilot, "down", "i")
        notice = app.screen
        assert type(notice).__name__ == "NoticeDialog", type(notice).__name__
        code = next(
            str(w.render()).strip()
            for w in notice.query("Static")
            if len(str(w.render()).strip()) > 20 and " " not in str(w.render()).strip()
        )
        rafal = site.services.auth.register(code, "Rafał Mazur", "rafal-pass-2024")
        assert rafal.role.value == "foreman"
        await keys(pilot, "escape")
        tabs.active = "work_types"
        await settle(pilot)
        await keys(pilot, "n")
        fill(app, name="Scaffolding")
        await keys(pilot, "ctrl+s")
        types = app.screen.query_one("#work_types-pane")
        assert [row[0] for row in table_rows(types.table)] == ["Roofing", "Scaffolding"]


async def test_a_planned_day_is_changed_and_its_report_priced_again(site: Firm) -> None:
    """Tuesday planned for 4, reported 07:00-17:00 by 4 (1,760.00); its plan gets its own %
    rates (over the day +100 %): the report is priced again, (320 + 2 × 80) × 4 = 1,920.00."""
    from tektoro_tui.services.subcontracts.views import AgreementForm, ReportForm, ScheduleForm

    subs, admin = site.services.subcontracts, site.admin
    number = subs.add(
        admin,
        AgreementForm("Warehouse", "Dach-Bud", "Roof", "2024-04-01", "2024-06-30", "yes", "", "40"),
    ).row.number
    subs.add_schedule(
        admin,
        number,
        ScheduleForm("2024-04-30", "", "07:00", "15:00", "Roofing", "Piotr Nowak", "4"),
    )
    subs.add_report(admin, number, ReportForm("2024-04-30", "07:00", "17:00", "4"))
    app = TektoroApp(services=site.services)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(pilot, "b", SubcontractsScreen, login=ADMIN)
        await keys(pilot, "enter", "e")
        fill(app, custom_rates=True, over_day="100", outside_window="100")
        await keys(pilot, "ctrl+s")
        assert "The plan of 2024-04-30 saved." in text_of(app, "#sa-status")
        assert "1,920.00" in text_of(app, "#sa-heading")


def test_agreement_schedule_snapshot(site: Firm, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """Three planned days beside their reports: Tuesday ended later, Wednesday's crew was
    smaller, Thursday was reported without a plan."""
    from tektoro_tui.services.subcontracts.views import AgreementForm, ReportForm, ScheduleForm

    subs, admin = site.services.subcontracts, site.admin
    number = subs.add(
        admin,
        AgreementForm(
            "Warehouse", "Dach-Bud", "Roof membrane", "2024-04-01", "2024-06-30", "yes", "",
            "40", "Roofing=48",
        ),
    ).row.number  # fmt: skip
    subs.plan(
        admin,
        number,
        ScheduleForm("2024-04-29", "2024-05-01", "07:00", "15:00", "Roofing", "Piotr Nowak", "4"),
    )
    for day, end, people in (
        ("2024-04-29", "15:00", "4"),
        ("2024-04-30", "17:00", "4"),
        ("2024-05-01", "15:00", "3"),
    ):
        subs.add_report(admin, number, ReportForm(day, "07:00", end, people))
    subs.add_report(
        admin, number, ReportForm("2024-05-02", "08:00", "12:00", "2", "Roofing", "Piotr Nowak")
    )
    app = TektoroApp(services=site.services)
    steps = snapshot_steps("ctrl+g", "b", "enter", login=ADMIN)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps)
