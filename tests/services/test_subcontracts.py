"""Subcontracting agreements: numbers, schedules, daily reports, settlement stages, foremen.

Every amount is worked out by hand in the test's docstring. The clock stands at 2026-03-10;
the organisation's working window is 07:00-17:00, the day 8 h, over the day +50 %, outside
the window +100 % (DESIGN.md §9).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select, text

from tektoro_tui.data import models as m
from tektoro_tui.domain.money import Money
from tektoro_tui.errors import (
    IllegalTransition,
    LedgerError,
    NotFound,
    PermissionDenied,
    StaleEdit,
    ValidationError,
)
from tektoro_tui.services.administration.presets import (
    CompanyForm,
    ContactForm,
    ProjectForm,
    WorkTypeForm,
)
from tektoro_tui.services.base import Actor
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.projects.views import SettlementForm
from tektoro_tui.services.subcontracts.views import (
    MAX_ATTACHMENT_BYTES,
    AgreementFilter,
    AgreementForm,
    ReportForm,
    ScheduleForm,
    StageForm,
)
from tests.builders import add_person, set_organisation


def eur(text_: str) -> Money:
    return Money.parse(text_, "EUR")


@dataclass
class Site:
    services: Services
    admin: Actor
    accountant: Actor
    manager: Actor
    hr: Actor
    project_id: int
    subcontractor_id: int
    piotr: int  # contact: foreman of crew 1
    jan: int  # contact: foreman of crew 2


@pytest.fixture
def site(services: Services, admin: Actor) -> Site:
    set_organisation(
        services,
        workday_start_minute=7 * 60,
        workday_end_minute=17 * 60,
        day_length_minutes=8 * 60,
        overtime_over_day_bp=5000,
        overtime_outside_window_bp=10000,
        billing_address="1 Main St",
        tax_id="PL1234567890",
    )
    presets = services.presets
    accountant = add_person(services, admin, "Adam Accountant", "accountant")
    manager = add_person(services, admin, "Mona Manager", "manager")
    hr = add_person(services, admin, "Hanna Hr", "hr")
    client = presets.save_company(admin, CompanyForm(name="Acme Build", kind="client")).id
    sub = presets.save_company(admin, CompanyForm(name="Dach-Bud", kind="subcontractor")).id
    piotr = presets.save_contact(
        admin, ContactForm(company_id=sub, name="Piotr Nowak", email="piotr@dach-bud.example")
    ).id
    jan = presets.save_contact(
        admin, ContactForm(company_id=sub, name="Jan Kowalski", email="jan@dach-bud.example")
    ).id
    project = presets.save_project(
        admin, ProjectForm("Warehouse", client, valuation="tm", start_date="2026-01-01")
    ).id
    for name in ("Bricklaying", "Roofing"):
        presets.save_work_type(admin, WorkTypeForm(name=name))
    return Site(services, admin, accountant, manager, hr, project, sub, piotr, jan)


def fixed_agreement(site: Site, amount: str = "48000", **extra: str) -> str:
    form = AgreementForm(
        project="Warehouse",
        subcontractor="Dach-Bud",
        scope="Brick walls of the hall, by 2026-04-30",
        contract_date="2026-01-10",
        deadline="2026-04-30",
        time_and_material="no",
        fixed_amount=amount,
        **extra,
    )
    return site.services.subcontracts.add(site.manager, form).row.number


def tm_agreement(site: Site) -> str:
    form = AgreementForm(
        project="Warehouse",
        subcontractor="Dach-Bud",
        scope="Walls and roof, paid by the hour",
        contract_date="2026-02-20",
        deadline="2026-03-31",
        time_and_material="yes",
        hourly_rate="40.00",
        rates="Roofing=50.00",
    )
    return site.services.subcontracts.add(site.hr, form).row.number


def settle(site: Site, number: str, amount: str, day: str, **flags: bool) -> object:
    form = StageForm(amount=amount, settled_on=day, description="Bank transfer", **flags)
    return site.services.subcontracts.settle(site.accountant, number, form)


# --- the seed's multi-stage settlement ---------------------------------------------------------


def test_the_seeds_multi_stage_settlement_by_hand(site: Site) -> None:
    """A fixed agreement of 48,000.00 settled in three stages:

    1. 2026-02-01: 15,000.00 paid; paid so far 15,000.00, remaining 33,000.00.
    2. 2026-02-28: 20,000.00 paid; paid so far 35,000.00, remaining 13,000.00.
    3. 2026-03-09: 12,000.00 with "contract fully paid" and "contractual work completed"
       (1,000.00 kept back for a defect, said in the description): paid 47,000.00, nothing
       remains, and the agreement moves to the "contractual work completed" list.
    """
    subs = site.services.subcontracts
    number = fixed_agreement(site)
    assert number == "SA/2026/00001"
    first = settle(site, number, "15000", "2026-02-01")
    assert first.agreement.paid == eur("15000") and first.agreement.remaining == eur("33000")  # type: ignore[attr-defined]
    second = settle(site, number, "20000", "2026-02-28")
    assert second.agreement.remaining == eur("13000")  # type: ignore[attr-defined]
    last = subs.settle(
        site.accountant,
        number,
        StageForm(
            amount="12000",
            settled_on="2026-03-09",
            description="Final; 1,000.00 kept back for the cracked lintel",
            fully_paid=True,
            work_completed=True,
        ),
    )
    assert last.stage.stage == 3 and last.stage.paid_before == eur("35000")
    assert last.agreement.paid == eur("47000") and last.agreement.remaining == eur("0")
    assert last.agreement.fully_paid and last.agreement.work_completed

    active = subs.list(site.accountant, AgreementFilter(status="active"))
    done = subs.list(site.accountant, AgreementFilter(status="completed"))
    assert [a.number for a in active.rows] == []
    assert [a.number for a in done.rows] == [number]
    detail = subs.detail(site.accountant, number)
    assert [(s.stage, s.paid, s.paid_after) for s in detail.stages] == [
        (1, eur("15000"), eur("15000")),
        (2, eur("20000"), eur("35000")),
        (3, eur("12000"), eur("47000")),
    ]
    # paying more after "fully paid" is refused; a correction is not
    with pytest.raises(IllegalTransition, match="fully paid"):
        settle(site, number, "500", "2026-03-10")
    report = run_check(site.services.db)
    assert report.ok, report.lines()


def test_the_balance_counts_what_subcontractors_were_paid(site: Site) -> None:
    """Stages of 15,000.00 and 5,000.00: the project's balance shows subcontracts 20,000.00
    and its result falls by as much."""
    number = fixed_agreement(site)
    before = site.services.projects.balance(site.accountant, "Warehouse")
    settle(site, number, "15000", "2026-02-01")
    settle(site, number, "5000", "2026-03-01")
    after = site.services.projects.balance(site.accountant, "Warehouse")
    assert dict(after.balance.costs)["subcontracts"] == eur("20000")
    assert after.balance.result == before.balance.result - eur("20000")
    months = {month.month: month for month in after.months}
    assert sum((x.costs for x in after.months), eur("0")) == after.balance.total_costs
    assert months["2026-02"].costs == eur("15000")


# --- a time-and-material agreement priced from its daily reports ---------------------------------


WEEK = (
    # day, start, end, headcount, type of work
    ("2026-03-02", "07:00", "15:00", "4", ""),
    ("2026-03-03", "07:00", "17:00", "4", ""),
    ("2026-03-04", "06:00", "16:00", "3", ""),
    ("2026-03-05", "07:00", "19:30", "5", "Roofing"),
    ("2026-03-06", "07:00", "12:30", "2", ""),
)


def test_a_week_of_daily_reports_makes_the_contract_amount(site: Site) -> None:
    """Rate 40.00/h; Roofing 50.00/h; planned as Bricklaying, Piotr's crew.

    Mon 07:00-15:00, 4 people: 8 h standard: 8 × 40 × 4 = 1,280.00
    Tue 07:00-17:00, 4 people: 8 h + 2 h over the day (+50 %): (320 + 2 × 60) × 4 = 1,760.00
    Wed 06:00-16:00, 3 people: 1 h outside (+100 %), 8 h standard, 1 h over:
        (80 + 320 + 60) × 3 = 1,380.00
    Thu 07:00-19:30, 5 people, Roofing at 50.00: 8 h standard, 2 h over, 2:30 outside:
        (400 + 2 × 75 + 2.5 × 100) × 5 = 4,000.00
    Fri 07:00-12:30, 2 people: 5:30 standard: 5.5 × 40 × 2 = 440.00
    The week: 8,860.00, the agreement's contract amount.
    """
    subs = site.services.subcontracts
    number = tm_agreement(site)
    planned = subs.plan(
        site.hr,
        number,
        ScheduleForm(
            work_date="2026-03-02",
            date_to="2026-03-08",
            planned_start="07:00",
            planned_end="15:00",
            work_type="Bricklaying",
            foreman="Piotr Nowak",
            planned_headcount="4",
        ),
    )
    assert [p.work_date for p in planned.created] == [date(2026, 3, day) for day in (2, 3, 4, 5, 6)]
    assert [reason for _day, reason in planned.skipped] == ["not a working weekday"] * 2
    amounts = []
    for day, start, end, people, kind in WEEK:
        report = subs.add_report(
            site.manager,
            number,
            ReportForm(day, start, end, people, work_type=kind),
        )
        amounts.append(report.amount)
    assert amounts == [eur(a) for a in ("1280", "1760", "1380", "4000", "440")]
    detail = subs.detail(site.accountant, number)
    assert detail.row.contract_amount == eur("8860")
    assert detail.reports_total == eur("8860")
    thursday = next(d for d in detail.days if d.work_date == date(2026, 3, 5))
    assert thursday.differences == (
        "5 people (4)",
        "end 19:30 (15:00)",
        "Roofing (Bricklaying)",
    )
    assert next(d for d in detail.days if d.work_date == date(2026, 3, 2)).differences == ()
    report = run_check(site.services.db)
    assert report.ok, report.lines()


def test_a_day_with_its_own_rates_and_a_correction_before_settlement(site: Site) -> None:
    """A planned day with its own % rates (over the day +25 %, outside +60 %): 3 people
    06:00-18:00 at 40.00 is 1 h outside, 8 h standard, 2 h over, 1 h outside:
    (2 × 64 + 320 + 2 × 50) × 3 = 1,644.00. Corrected to 2 people: 1,096.00. Once a stage
    is dated that day, the report is settled and no longer corrected."""
    subs = site.services.subcontracts
    number = tm_agreement(site)
    subs.add_schedule(
        site.hr,
        number,
        ScheduleForm(
            work_date="2026-03-09",
            planned_start="06:00",
            planned_end="18:00",
            work_type="Bricklaying",
            foreman="Piotr Nowak",
            planned_headcount="3",
            custom_rates="yes",
            over_day="25",
            outside_window="60",
        ),
    )
    first = subs.add_report(site.manager, number, ReportForm("2026-03-09", "06:00", "18:00", "3"))
    assert first.amount == eur("1644")
    fixed = subs.edit_report(
        site.manager,
        first.id,
        ReportForm("", "06:00", "18:00", "2"),
        version=first.version,
    )
    assert fixed.amount == eur("1096")
    with pytest.raises(StaleEdit):
        subs.edit_report(
            site.manager, first.id, ReportForm("", "06:00", "18:00", "1"), version=first.version
        )
    settle(site, number, "1000", "2026-03-09")
    with pytest.raises(IllegalTransition, match="settled"):
        subs.edit_report(
            site.manager, first.id, ReportForm("", "06:00", "18:00", "1"), version=fixed.version
        )
    assert subs.detail(site.accountant, number).row.remaining == eur("96")


# --- refusals --------------------------------------------------------------------------------


def test_paying_more_than_the_contract_is_refused_and_changes_nothing(site: Site) -> None:
    number = fixed_agreement(site, "10000")
    settle(site, number, "9000", "2026-02-01")
    with pytest.raises(ValidationError) as refused:
        settle(site, number, "1000.01", "2026-02-02")
    assert refused.value.problems[0].field == "amount"
    assert "at most €1,000.00 remains" in str(refused.value) or "1,000.00" in str(refused.value)
    detail = site.services.subcontracts.detail(site.accountant, number)
    assert detail.row.paid == eur("9000") and len(detail.stages) == 1
    # a correction: a negative stage with its reason
    settle(site, number, "-500", "2026-02-03")
    assert site.services.subcontracts.detail(site.accountant, number).row.paid == eur("8500")
    with pytest.raises(ValidationError, match="below zero"):
        settle(site, number, "-9000", "2026-02-04")


def test_a_dry_run_settles_nothing(site: Site) -> None:
    number = fixed_agreement(site, "10000")
    result = site.services.subcontracts.settle(
        site.accountant,
        number,
        StageForm(amount="4000", settled_on="2026-02-01", description="Transfer"),
        dry_run=True,
    )
    assert result.dry_run and result.agreement.paid == eur("4000")
    detail = site.services.subcontracts.detail(site.accountant, number)
    assert detail.row.paid == eur("0") and detail.stages == ()


def test_a_report_after_the_project_was_completed_is_refused(site: Site) -> None:
    """The project is completed on 2026-03-04: a report of 03-05 is refused naming the date
    field; one of 03-04 still counts."""
    subs = site.services.subcontracts
    number = tm_agreement(site)
    site.services.presets.save_project(
        site.admin,
        ProjectForm(status="completed", end_date="2026-03-04"),
        site.project_id,
    )
    subs.add_schedule(
        site.hr,
        number,
        ScheduleForm(
            work_date="2026-03-04",
            planned_start="07:00",
            planned_end="15:00",
            work_type="Bricklaying",
            foreman="Piotr Nowak",
            planned_headcount="2",
        ),
    )
    assert subs.add_report(
        site.manager, number, ReportForm("2026-03-04", "07:00", "15:00", "2")
    ).amount == eur("640")
    with pytest.raises(ValidationError) as refused:
        subs.add_report(
            site.manager,
            number,
            ReportForm("2026-03-05", "07:00", "15:00", "2", "Bricklaying", "Piotr Nowak"),
        )
    assert [p.field for p in refused.value.problems] == ["report_date"]
    assert "completed" in str(refused.value)
    assert subs.detail(site.accountant, number).row.contract_amount == eur("640")


def test_a_settlement_by_a_role_without_the_right_is_refused(site: Site) -> None:
    number = fixed_agreement(site)
    for who in (site.manager, site.hr):
        with pytest.raises(PermissionDenied, match="settle"):
            site.services.subcontracts.settle(
                who, number, StageForm(amount="100", settled_on="2026-02-01", description="x")
            )
    staff = add_person(site.services, site.admin, "Stan Staff", "staff")
    with pytest.raises(PermissionDenied):
        site.services.subcontracts.list(staff)


def test_an_oversized_attachment_is_refused_and_a_kept_one_reads_back(site: Site) -> None:
    subs = site.services.subcontracts
    number = fixed_agreement(site)
    with pytest.raises(ValidationError) as refused:
        subs.attach(site.manager, number, "scan.pdf", b"x" * (MAX_ATTACHMENT_BYTES + 1))
    assert refused.value.problems[0].field == "file"
    assert "at most 10.0 MB" in str(refused.value)
    kept = subs.attach(site.manager, number, "/tmp/signed contract.pdf", b"%PDF-1.4 signed")
    assert kept.file_name == "signed contract.pdf" and kept.size_bytes == 15
    assert subs.attachment(site.accountant, number, kept.id) == (
        "signed contract.pdf",
        b"%PDF-1.4 signed",
    )
    with pytest.raises(LedgerError, match="permanent"), site.services.db.write() as session:
        session.execute(text("UPDATE subcontract_attachment SET content = :c"), {"c": b"evil"})


def test_bad_agreement_input_names_every_field_and_changes_nothing(site: Site) -> None:
    with pytest.raises(ValidationError) as refused:
        site.services.subcontracts.add(
            site.manager,
            AgreementForm(
                project="Nowhere",
                subcontractor="Acme Build",  # a client, not a subcontractor
                scope="",
                contract_date="2026-02-30",
                deadline="yesterday",
                time_and_material="maybe",
                rates="Roofing 50",
                over_day="-5",
            ),
        )
    fields = {p.field for p in refused.value.problems}
    assert fields >= {
        "project",
        "subcontractor",
        "scope",
        "contract_date",
        "deadline",
        "time_and_material",
        "rates",
        "over_day",
    }
    with site.services.db.read() as session:
        assert session.execute(select(m.SubcontractAgreement.id)).first() is None
        assert session.execute(select(m.SubcontractCounter.year)).first() is None


# --- foremen ----------------------------------------------------------------------------------


def _foreman(site: Site, contact_id: int, name: str, email: str) -> Actor:
    token = site.services.subcontracts.invite_foreman(site.admin, contact_id)
    actor = site.services.auth.register(token, name, "foreman-pass-123")
    assert actor.role.value == "foreman" and actor.email == email
    return actor


def test_a_foreman_sees_and_reports_only_their_own_crew(site: Site) -> None:
    """Piotr leads the crew of agreement 1, Jan that of agreement 2: each sees only their own
    agreement, reports only for their own crew, and cannot settle."""
    subs = site.services.subcontracts
    first = tm_agreement(site)
    second = tm_agreement(site)
    plan = {
        "work_date": "2026-03-09",
        "planned_start": "07:00",
        "planned_end": "15:00",
        "work_type": "Bricklaying",
        "planned_headcount": "3",
    }
    subs.add_schedule(site.hr, first, ScheduleForm(**plan, foreman="Piotr Nowak"))
    subs.add_schedule(site.hr, second, ScheduleForm(**plan, foreman="Jan Kowalski"))
    piotr = _foreman(site, site.piotr, "Piotr Nowak", "piotr@dach-bud.example")
    jan = _foreman(site, site.jan, "Jan Kowalski", "jan@dach-bud.example")

    assert [a.number for a in subs.list(piotr).rows] == [first]
    with pytest.raises(NotFound):
        subs.detail(piotr, second)
    with pytest.raises(NotFound):
        subs.add_report(piotr, second, ReportForm("2026-03-09", "07:00", "15:00", "3"))
    mine = subs.add_report(piotr, first, ReportForm("2026-03-09", "07:00", "16:00", "3"))
    # (8 h × 40 + 1 h over the day × 60) × 3 people = 1,140.00
    assert mine.foreman == "Piotr Nowak" and mine.amount == eur("1140")
    with pytest.raises(NotFound):
        subs.edit_report(jan, mine.id, ReportForm("", "07:00", "15:00", "1"))
    with pytest.raises(PermissionDenied):
        subs.settle(piotr, first, StageForm(amount="1", description="x"))
    with pytest.raises(PermissionDenied):
        subs.add(piotr, AgreementForm())
    report = run_check(site.services.db)
    assert report.ok, report.lines()


# --- the T&M suggestion counts subcontracts as other labour ----------------------------------


def test_a_time_and_material_suggestion_counts_subcontract_payments(site: Site) -> None:
    """Paid 1,500.00 to the subcontractor on 2026-03-02: the suggestion's "Other labour" is
    1,500.00 and its net as much (no time, no costs, nothing invoiced)."""
    number = tm_agreement(site)
    subs = site.services.subcontracts
    subs.add_report(
        site.manager,
        number,
        ReportForm("2026-03-02", "07:00", "15:00", "5", "Bricklaying", "Piotr Nowak"),
    )
    settle(site, number, "1500", "2026-03-02")
    suggested = site.services.projects.suggest(site.accountant, "Warehouse", "partial")
    lines = dict((line.label, line.amount) for line in suggested.suggestion.lines)
    assert lines["Other labour"] == eur("1500")
    assert suggested.suggestion.net == eur("1500")
    invoice = site.services.projects.issue(
        site.accountant, "Warehouse", SettlementForm(kind="partial", net="1500")
    )
    assert invoice.net == eur("1500")  # type: ignore[attr-defined]


# --- working weekdays and holidays ------------------------------------------------------------


def test_plan_these_days_keeps_to_the_firms_working_week_and_holidays(site: Site) -> None:
    """The firm works Monday to Saturday, and 2026-03-04 is a local holiday: planning
    2026-03-02 to 03-08 makes Mon, Tue, Thu, Fri and Sat; Wednesday and Sunday are left out
    with the reason."""
    from tektoro_tui.services.administration.settings import SettingsForm

    settings = site.services.settings
    with pytest.raises(ValidationError) as refused:
        settings.update(
            site.admin, SettingsForm(working_weekdays="Funday", holidays="2026-02-30 Leap")
        )
    assert {p.field for p in refused.value.problems} == {"working_weekdays", "holidays"}
    saved = settings.update(
        site.admin,
        SettingsForm(working_weekdays="mon-sat", holidays="2026-03-04 Local feast\n2026-12-25"),
    )
    assert saved.working_weekdays == "123456"
    assert saved.holidays == ((date(2026, 3, 4), "Local feast"), (date(2026, 12, 25), ""))
    assert settings.form_for(saved).working_weekdays == "Mon-Sat"
    number = tm_agreement(site)
    planned = site.services.subcontracts.plan(
        site.hr,
        number,
        ScheduleForm(
            work_date="2026-03-02",
            date_to="2026-03-08",
            planned_start="07:00",
            planned_end="15:00",
            work_type="Roofing",
            foreman="Jan Kowalski",
            planned_headcount="2",
        ),
    )
    assert [p.work_date.day for p in planned.created] == [2, 3, 5, 6, 7]
    assert planned.skipped == (
        (date(2026, 3, 4), "holiday: Local feast"),
        (date(2026, 3, 8), "not a working weekday"),
    )
    # the same range again: every working day is planned already
    with pytest.raises(ValidationError, match="no working day left"):
        site.services.subcontracts.plan(
            site.hr,
            number,
            ScheduleForm(
                work_date="2026-03-02",
                date_to="2026-03-08",
                planned_start="07:00",
                planned_end="15:00",
                work_type="Roofing",
                foreman="Jan Kowalski",
                planned_headcount="2",
            ),
        )
    # removing a holiday keeps the others
    settings.update(site.admin, SettingsForm(holidays="2026-12-25 Christmas Day"))
    assert settings.get(site.admin).holidays == ((date(2026, 12, 25), "Christmas Day"),)


def test_people_who_see_their_own_projects_see_only_those_agreements(site: Site) -> None:
    """A project manager of Warehouse sees its agreement, not that of another project; an
    estimator of neither sees none and may not make one for a project not theirs."""
    services, admin = site.services, site.admin
    pm = add_person(services, admin, "Pia Pm", "project_manager")
    estimator = add_person(services, admin, "Eve Estimator", "estimator")
    services.presets.save_project(
        admin, ProjectForm(project_manager_id=pm.user_id), site.project_id
    )
    client = services.presets.save_company(admin, CompanyForm(name="Other Client")).id
    services.presets.save_project(admin, ProjectForm("Depot", client, valuation="tm"))
    ours = fixed_agreement(site)
    theirs = services.subcontracts.add(
        admin,
        AgreementForm("Depot", "Dach-Bud", "Fence", "2026-01-10", "2026-04-30", "no", "500"),
    ).row.number
    assert [a.number for a in services.subcontracts.list(pm).rows] == [ours]
    with pytest.raises(NotFound):
        services.subcontracts.detail(pm, theirs)
    assert services.subcontracts.list(estimator).rows == ()
    with pytest.raises(ValidationError) as refused:
        services.subcontracts.add(
            estimator,
            AgreementForm("Depot", "Dach-Bud", "Gate", "2026-01-10", "2026-04-30", "no", "90"),
        )
    assert [p.field for p in refused.value.problems] == ["project"]


def test_a_reported_day_keeps_its_crew_and_a_stale_plan_edit_is_refused(site: Site) -> None:
    subs = site.services.subcontracts
    number = tm_agreement(site)
    form = ScheduleForm(
        work_date="2026-03-09",
        planned_start="07:00",
        planned_end="15:00",
        work_type="Bricklaying",
        foreman="Piotr Nowak",
        planned_headcount="3",
    )
    plan = subs.add_schedule(site.hr, number, form)
    with pytest.raises(ValidationError, match="already planned"):
        subs.add_schedule(site.hr, number, form)
    subs.add_report(site.manager, number, ReportForm("2026-03-09", "07:00", "15:00", "3"))
    moved = ScheduleForm(**{**form.__dict__, "foreman": "Jan Kowalski"})
    with pytest.raises(ValidationError) as refused:
        subs.edit_schedule(site.hr, plan.id, moved, version=plan.version)
    assert [p.field for p in refused.value.problems] == ["foreman"]
    later = ScheduleForm(**{**form.__dict__, "planned_headcount": "4"})
    saved = subs.edit_schedule(site.hr, plan.id, later, version=plan.version)
    assert saved.planned_headcount == 4
    with pytest.raises(StaleEdit):
        subs.edit_schedule(site.hr, plan.id, later, version=plan.version)


def test_a_new_rate_prices_again_only_the_days_not_settled(site: Site) -> None:
    """Rate 40.00: Mon and Tue, 4 people 07:00-15:00, 1,280.00 each; a stage dated Monday
    settles Monday. The rate raised to 50.00 prices Tuesday again (1,600.00), Monday stays:
    the contract is 2,880.00. "-" removes the non-standard rates and the note."""
    subs = site.services.subcontracts
    number = tm_agreement(site)
    for day in ("2026-03-02", "2026-03-03"):
        subs.add_report(
            site.manager, number, ReportForm(day, "07:00", "15:00", "4", "Bricklaying", "1")
        )
    settle(site, number, "1000", "2026-03-02")
    version = subs.detail(site.manager, number).row.version
    edited = subs.edit(
        site.manager,
        number,
        AgreementForm(hourly_rate="50", note="Rate from March"),
        version=version,
    )
    assert [r.amount for r in edited.reports] == [eur("1280"), eur("1600")]
    assert edited.row.contract_amount == eur("2880") and edited.note == "Rate from March"
    cleared = subs.edit(
        site.manager, number, AgreementForm(rates="-", note="-"), version=edited.row.version
    )
    assert cleared.rates == () and cleared.note == ""
    assert run_check(site.services.db).ok
