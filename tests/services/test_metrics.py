"""Financial metrics against the finance world, every figure computed by hand.

The world (``tests/finance_world.py``), at 100.00/h:

- Carl, Roof (Acme): February 2, 3, 4 — 120 min each, processed (600.00); March: draft 60
  (03-02, 100.00), accepted 90 (03-03, 150.00), approved 120 (03-04, 200.00) and 60 (03-05,
  100.00), rejected 30 (03-06, 50.00).
- Dora, Hall (Bolt): February 9, 10 — 180 min each, processed (600.00).
- Invoices: Acme 600.00 net / 738.00 gross, issued 02-20, due 03-06 (overdue on 03-10);
  Bolt 600.00 net / 738.00 gross, issued 03-09, due 03-23.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import bindparam, text

from tektoro_tui.domain.money import Money
from tektoro_tui.errors import PermissionDenied, ValidationError
from tektoro_tui.services.base import write_table
from tektoro_tui.services.invoicing.views import PaymentForm
from tektoro_tui.services.reporting.views import METRIC_TABLES, StatusCount
from tests.finance_world import World


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def test_default_period_is_twelve_months_up_to_today(world: World) -> None:
    report = world.services.metrics.report(world.admin)
    assert (report.date_from, report.date_to) == (date(2025, 4, 1), date(2026, 3, 10))


def test_hours_by_status(world: World) -> None:
    report = world.services.metrics.report(world.admin)
    assert report.hours_by_status == (
        StatusCount("draft", 1, 60, eur("100.00")),
        StatusCount("pending", 1, 90, eur("150.00")),
        # 3 × 120 + 2 × 180 processed, 120 + 60 approved in March
        StatusCount("approved", 7, 360 + 360 + 180, eur("1500.00")),
        StatusCount("paid", 0, 0, eur("0")),
        StatusCount("rejected", 1, 30, eur("50.00")),
    )


def test_paid_tickets_leave_approved_for_paid(world: World) -> None:
    """Carl's February tickets paid to him (what a paid master invoice does)."""
    with world.services.db.write() as session:
        session.execute(
            text("UPDATE time_entry SET pay_status = 'paid' WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": world.carl_february},
        )
    hours = {s.status: s for s in world.services.metrics.report(world.admin).hours_by_status}
    assert hours["approved"] == StatusCount("approved", 4, 360 + 180, eur("900.00"))
    assert hours["paid"] == StatusCount("paid", 3, 360, eur("600.00"))


def test_revenue_by_status(world: World) -> None:
    revenue = world.services.metrics.report(world.admin).revenue_by_status
    assert [s.status for s in revenue] == [
        "issued", "sent", "partially_paid", "overdue", "paid", "booked", "cancelled",
        "credit_note",
    ]  # fmt: skip
    found = {s.status: (s.count, s.amount) for s in revenue}
    # net of VAT: 600.00 + 23 % is the 738.00 billed
    assert found["overdue"] == (1, eur("600.00"))  # Acme: due 03-06, unpaid on 03-10
    assert found["issued"] == (1, eur("600.00"))  # Bolt: due 03-23
    assert all(found[s] == (0, eur("0")) for s in found if s not in ("overdue", "issued"))


def test_payment_and_credit_note_move_revenue_and_projects(world: World) -> None:
    invoices, admin = world.services.invoices, world.admin
    bolt, acme = world.bolt_invoice.number, world.acme_invoice.number
    assert bolt and acme
    invoices.record_payment(admin, bolt, PaymentForm(amount="369.00", paid_on="2026-03-10"))
    invoices.credit_note(admin, acme, reason="Wrong client", issue_date=date(2026, 3, 10))
    report = world.services.metrics.report(world.admin)
    found = {s.status: (s.count, s.amount) for s in report.revenue_by_status}
    assert found["partially_paid"] == (1, eur("600.00"))
    assert found["cancelled"] == (1, eur("600.00"))
    assert found["credit_note"] == (1, eur("-600.00"))
    assert found["overdue"] == found["issued"] == (0, eur("0"))
    projects = {p.name: p for p in report.projects}
    assert projects["Roof"].invoiced == eur("0")  # 600.00 invoiced, 600.00 credited
    assert projects["Hall"].invoiced == eur("600.00")
    # half of the 738.00 paid recognises half of the 600.00 net, not the 369.00 received
    assert projects["Hall"].revenue == eur("300.00")
    assert projects["Roof"].revenue == eur("0")


def test_projects(world: World) -> None:
    report = world.services.metrics.report(world.admin)
    assert [(p.client_name, p.name) for p in report.projects] == [
        ("Acme Sp. z o.o.", "Roof"),
        ("Bolt GmbH", "Hall"),
    ]
    roof, hall = report.projects
    assert roof.project_id == world.roof_id and hall.project_id == world.hall_id
    # Roof: 3 × 120 + 60 + 90 + 120 + 60 + 30 minutes
    assert (roof.minutes, roof.billable_minutes) == (720, 720)
    assert roof.value == eur("1200.00")
    assert (roof.invoiced, roof.revenue) == (eur("600.00"), eur("0"))
    assert (hall.minutes, hall.billable_minutes, hall.value) == (360, 360, eur("600.00"))
    assert (hall.invoiced, hall.revenue) == (eur("600.00"), eur("0"))


def test_weekly_series_has_twelve_iso_weeks_without_holes(world: World) -> None:
    weekly = world.services.metrics.report(world.admin).weekly
    assert len(weekly) == 12
    assert (weekly[0].label, weekly[0].start) == ("2025-W52", date(2025, 12, 22))
    assert (weekly[1].label, weekly[1].start) == ("2026-W01", date(2025, 12, 29))
    assert (weekly[-1].label, weekly[-1].start) == ("2026-W11", date(2026, 3, 9))
    busy = {p.label: (p.minutes, p.billable_minutes, p.value) for p in weekly if p.minutes}
    assert busy == {
        "2026-W06": (360, 360, eur("600.00")),  # Carl, February 2–4
        "2026-W07": (360, 360, eur("600.00")),  # Dora, February 9–10
        "2026-W10": (360, 360, eur("600.00")),  # Carl, March 2–6: 60+90+120+60+30
    }
    assert all(p.value == eur("0") for p in weekly if not p.minutes)


def test_monthly_series_covers_every_month(world: World) -> None:
    monthly = world.services.metrics.report(world.admin).monthly
    assert [p.label for p in monthly] == [f"2025-{m:02d}" for m in range(4, 13)] + [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert monthly[0].start == date(2025, 4, 1)
    figures = {p.label: (p.minutes, p.value) for p in monthly if p.minutes}
    assert figures == {"2026-02": (720, eur("1200.00")), "2026-03": (360, eur("600.00"))}


def test_tickets_by_role(world: World) -> None:
    (staff,) = world.services.metrics.report(world.admin).roles
    assert staff.role == "staff" and staff.people == 2
    assert (staff.draft, staff.pending, staff.approved, staff.rejected) == (1, 1, 7, 1)
    assert staff.minutes == 720 + 360


def test_a_chosen_period(world: World) -> None:
    report = world.services.metrics.report(
        world.admin, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
    )
    hours = {s.status: (s.count, s.minutes) for s in report.hours_by_status}
    assert hours == {
        "draft": (1, 60),
        "pending": (1, 90),
        "approved": (2, 180),
        "paid": (0, 0),
        "rejected": (1, 30),
    }
    revenue = {s.status: s.count for s in report.revenue_by_status if s.count}
    assert revenue == {"issued": 1}  # Acme's was issued in February
    assert [p.label for p in report.monthly] == ["2026-03"]
    # Weeks touching March: W09 (Feb 23 – Mar 1) to W14 (Mar 30 – Apr 5)
    assert [p.label for p in report.weekly] == [f"2026-W{w:02d}" for w in range(9, 15)]
    assert [p.name for p in report.projects] == ["Roof", "Hall"]
    assert report.projects[1].minutes == 0 and report.projects[1].invoiced == eur("600.00")


def test_permission_and_bad_input(world: World) -> None:
    metrics = world.services.metrics
    with pytest.raises(PermissionDenied):
        metrics.report(world.carl)
    with pytest.raises(PermissionDenied):
        metrics.table(world.cleo, "projects", metrics.report(world.admin))
    assert metrics.report(world.accountant).hours_by_status
    with pytest.raises(ValidationError) as info:
        metrics.report(world.admin, date_from=date(2026, 3, 2), date_to=date(2026, 3, 1))
    assert info.value.problems[0].field == "date_from"
    with pytest.raises(ValidationError):
        metrics.table(world.admin, "nonsense")


def test_every_table_exports_numbers(world: World, tmp_path: Path) -> None:
    metrics = world.services.metrics
    report = metrics.report(world.admin)
    for name in METRIC_TABLES:
        table = metrics.table(world.admin, name, report)
        assert table.rows and table.totals is not None
        write_table(table, "csv", tmp_path / f"{name}.csv")
        write_table(table, "xlsx", tmp_path / f"{name}.xlsx")
    # projects in CSV: decimal hours and amounts
    with open(tmp_path / "projects.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "Project", "Client", "Hours", "Billable hours", "Value", "Invoiced (net)",
        "Revenue (net)",
    ]  # fmt: skip
    assert rows[1] == ["Roof", "Acme Sp. z o.o.", "12.00", "12.00", "1200.00", "600.00", "0.00"]
    assert rows[-1] == ["Total", "", "18.00", "18.00", "1800.00", "1200.00", "0.00"]
    # hours by status in XLSX: numeric cells
    sheet = load_workbook(tmp_path / "hours_by_status.xlsx").active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    assert values[0][:2] == ["Draft", 1]
    assert [float(v) for v in values[0][2:]] == [1.0, 100.0]
    approved = values[2]
    assert approved[0] == "Approved, not paid"
    assert isinstance(approved[1], int) and approved[1] == 7
    assert isinstance(approved[2], int | float) and float(approved[2]) == 15.0
    assert isinstance(approved[3], int | float) and float(approved[3]) == 1500.0
    assert values[-1][0] == "Total" and values[-1][1] == 10
    # roles in XLSX
    sheet = load_workbook(tmp_path / "roles.xlsx").active
    staff = [cell.value for cell in next(sheet.iter_rows(min_row=4, max_row=4))]
    assert staff[:6] == ["Staff / contractor", 2, 1, 1, 7, 1] and float(staff[6]) == 18.0


def test_a_paid_invoice_is_paid_by_the_client_not_to_the_contractor(world: World) -> None:
    """The two "paid" statuses are different events and keep different labels."""
    invoices, admin, metrics = world.services.invoices, world.admin, world.services.metrics
    bolt = world.bolt_invoice.number
    assert bolt
    invoices.record_payment(admin, bolt, PaymentForm(amount="738.00", paid_on="2026-03-10"))
    report = metrics.report(admin)
    revenue = {row[0]: row[1:] for row in metrics.table(admin, "revenue_by_status", report).rows}
    hours = {row[0] for row in metrics.table(admin, "hours_by_status", report).rows}
    assert revenue["Paid by the client"] == (1, eur("600.00"))
    assert "Paid to the contractor" not in revenue and "Paid to the contractor" in hours
