"""The demo firm: every pipeline stage, two staff tiers, working logins, a clean check."""

from __future__ import annotations

import multiprocessing
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from tektoro_tui.data import models as m
from tektoro_tui.data.engine import Database
from tektoro_tui.domain.money import Money
from tektoro_tui.domain.permissions import Role
from tektoro_tui.domain.states import TimeEntryStatus
from tektoro_tui.errors import ConflictError, NotFound, ValidationError
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.demo import (
    DEMO_PASSWORD,
    ORGANISATION,
    TERMS_TEMPLATES,
    DemoResult,
    build_demo,
    history,
)
from tektoro_tui.services.demo.construction import CREW_MEMBER, TIME_CARDS
from tektoro_tui.services.demo.people import Firm, set_up_firm
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import MarkPaidForm
from tests.builders import connected
from tests.conftest import (
    BuiltTemplate,
    built_template,
    copied_or_fresh,
    create_pg_database,
    drop_pg_database,
    test_backend,
)

from .conftest import NOW

TODAY: date = NOW.date()
ENTRIES = 3000


@pytest.fixture(scope="module")
def demo_template(request: pytest.FixtureRequest) -> Iterator[tuple[BuiltTemplate, DemoResult]]:
    """A demo firm of ~3000 entries on this run's backend, built once for the module."""
    results: list[DemoResult] = []

    def build(url: str) -> None:
        with connected(url, FixedClock(NOW)) as services:
            results.append(build_demo(services, entries=ENTRIES, seed=11, today=TODAY))

    with built_template(request, build) as template:
        yield template, results[0]


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the demo firm for the tests that use it, else a fresh database."""
    with copied_or_fresh(request, "demo", "demo_template", tmp_path / "demo.db") as url:
        yield url


@pytest.fixture
def demo(demo_template: tuple[BuiltTemplate, DemoResult], services: Services) -> DemoResult:
    """The demo firm's summary; ``services`` stand on a fresh copy of it."""
    return demo_template[1]


def _counts(services: Services) -> dict[str, int]:
    """Row counts of every table, to prove that a refused build changed nothing."""
    with services.db.read() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in m.metadata.sorted_tables
        }


def test_every_pipeline_status_is_present(services: Services, demo: DemoResult) -> None:
    with services.db.read() as session:
        stored = dict(
            session.execute(text("SELECT status, COUNT(*) FROM time_entry GROUP BY status")).all()
        )
        newest = set(
            session.execute(
                text("SELECT status FROM time_entry ORDER BY work_date DESC, id DESC LIMIT 20")
            ).scalars()
        )
        first, last = session.execute(
            text("SELECT MIN(work_date), MAX(work_date) FROM time_entry")
        ).one()
    assert stored == {s: n for s, n in demo.status_counts.items() if n}
    assert set(stored) == {s.value for s in TimeEntryStatus}
    # the history's entries, and the approved time of the construction side's T&M project
    assert sum(stored.values()) == ENTRIES + TIME_CARDS == demo.entries
    assert demo.pay_status_counts["paid"] > 0
    # The oldest work is mostly processed, the newest still on the time card or report.
    assert stored["processed"] > ENTRIES / 2
    assert newest <= {"draft", "accepted"}
    first, last = (date.fromisoformat(d) if isinstance(d, str) else d for d in (first, last))
    assert (TODAY - first).days <= 365 and last < TODAY


# Each query counts rows that break a rule the pipeline keeps (tektoro check covers the totals).
PIPELINE_RULES: dict[str, str] = {
    "minutes in 15-minute steps up to 8 h": "SELECT COUNT(*) FROM time_entry "
    "WHERE minutes % 15 <> 0 OR minutes < 15 OR minutes > 480",
    "value = minutes x rate / 60, half up": "SELECT COUNT(*) FROM time_entry "
    "WHERE value_cents <> (minutes * rate_cents + 30) / 60",
    "the rate is the rate code's": "SELECT COUNT(*) FROM time_entry t "
    "JOIN rate_code r ON r.id = t.rate_code_id WHERE t.rate_cents <> r.hourly_rate_cents",
    "drafts are not accepted": "SELECT COUNT(*) FROM time_entry "
    "WHERE status = 'draft' AND (accepted_by_id IS NOT NULL OR accepted_at IS NOT NULL)",
    "accepted by the owner or the supervisor": "SELECT COUNT(*) FROM time_entry t "
    "JOIN user_account u ON u.id = t.owner_id WHERE t.status <> 'draft' "
    "AND (t.accepted_at IS NULL OR t.accepted_by_id IS NULL "
    "OR t.accepted_by_id NOT IN (u.id, u.supervisor_id))",
    "approved by the supervisor, after acceptance": "SELECT COUNT(*) FROM time_entry t "
    "JOIN user_account u ON u.id = t.owner_id "
    "WHERE t.status IN ('approved', 'allocated', 'processed') "
    "AND (t.approved_by_id IS NULL OR t.approved_by_id <> u.supervisor_id "
    "OR t.approved_at IS NULL OR t.approved_at < t.accepted_at)",
    "only WIP entries are approved": "SELECT COUNT(*) FROM time_entry "
    "WHERE status IN ('draft', 'accepted', 'rejected') AND approved_by_id IS NOT NULL",
    "rejections give a reason": "SELECT COUNT(*) FROM time_entry "
    "WHERE (status = 'rejected') <> (rejection_reason <> '')",
    "allocated or processed entries have an allocation": "SELECT COUNT(*) FROM time_entry "
    "WHERE (status IN ('allocated', 'processed')) <> (allocation IS NOT NULL)",
    "held entries say until when": "SELECT COUNT(*) FROM time_entry "
    "WHERE (allocation = 'hold') <> (hold_until IS NOT NULL)",
    "only processed entries sit on a document": "SELECT COUNT(*) FROM time_entry "
    "WHERE (status = 'processed') <> (document_id IS NOT NULL)",
    "lines split their value into billed and written down": "SELECT COUNT(*) "
    "FROM document_line WHERE billed_cents + write_down_cents <> value_cents",
    "write-downs go on statements of write-downs": "SELECT COUNT(*) FROM document_line l "
    "JOIN document_record d ON d.id = l.document_id "
    "WHERE (d.kind = 'write_down') <> (l.write_down_cents > 0)",
    "a document bills one client": "SELECT COUNT(*) FROM document_line l "
    "JOIN document_record d ON d.id = l.document_id JOIN time_entry t ON t.id = l.time_entry_id "
    "JOIN project p ON p.id = t.project_id WHERE p.client_id <> d.client_id",
    "documents come after the approvals": "SELECT COUNT(*) FROM document_line l "
    "JOIN document_record d ON d.id = l.document_id JOIN time_entry t ON t.id = l.time_entry_id "
    "WHERE d.created_at < t.approved_at",
    "invoices of the time pipeline are standard invoices of invoice records": "SELECT COUNT(*) "
    "FROM invoice i LEFT JOIN document_record d ON d.id = i.document_id "
    "WHERE i.project_id IS NULL AND (i.kind <> 'standard' OR d.kind IS NULL "
    "OR d.kind <> 'invoice' OR d.client_id <> i.client_id OR i.status = 'draft')",
    "settlement invoices settle a project without a record": "SELECT COUNT(*) FROM invoice i "
    "WHERE i.kind IN ('partial','total','advance','final') "
    "AND (i.project_id IS NULL OR i.document_id IS NOT NULL)",
    "client invoices bill their record's lines": "SELECT COUNT(*) FROM invoice i "
    "WHERE i.kind = 'standard' AND (SELECT COUNT(*) FROM invoice_line l WHERE l.invoice_id = i.id) "
    "<> (SELECT COUNT(*) FROM document_line dl WHERE dl.document_id = i.document_id) "
    "OR i.kind = 'standard' "
    "AND i.net_cents <> (SELECT billed_cents FROM document_record d WHERE d.id = i.document_id)",
    "client payments are dated from the issue date to today": "SELECT COUNT(*) FROM payment p "
    "JOIN invoice i ON i.id = p.invoice_id "
    "WHERE p.paid_on < i.issue_date OR p.paid_on > '2026-03-10'",
    "pay status follows the master invoice": "SELECT COUNT(*) FROM time_entry t "
    "LEFT JOIN master_invoice mi ON mi.id = t.master_invoice_id "
    "WHERE (mi.id IS NULL AND t.pay_status <> 'unpaid') "
    "OR (mi.status = 'paid' AND t.pay_status <> 'paid') "
    "OR (mi.status <> 'paid' AND t.pay_status <> 'invoiced')",
    "master invoices hold the contractor's approved tickets of their period": "SELECT COUNT(*) "
    "FROM master_invoice_line l JOIN master_invoice mi ON mi.id = l.master_invoice_id "
    "JOIN time_entry t ON t.id = l.time_entry_id WHERE t.owner_id <> mi.contractor_id "
    "OR t.status NOT IN ('approved', 'allocated', 'processed') "
    "OR t.work_date < mi.period_start OR t.work_date > mi.period_end "
    "OR l.amount_cents <> (l.minutes * l.pay_rate_cents + 30) / 60",
    "payments are dated after the invoice and by today": "SELECT COUNT(*) FROM payment p "
    "JOIN master_invoice mi ON mi.id = p.master_invoice_id "
    "WHERE p.paid_on < mi.issue_date OR p.paid_on > '2026-03-10'",
}


def test_entries_keep_the_pipeline_rules(services: Services, demo: DemoResult) -> None:
    with services.db.read() as session:
        broken = {
            rule: count
            for rule, sql in PIPELINE_RULES.items()
            if (count := session.execute(text(sql)).scalar_one())
        }
    assert broken == {}


def test_documents_and_the_audit_event(services: Services, demo: DemoResult) -> None:
    with services.db.read() as session:
        kinds = set(session.execute(text("SELECT DISTINCT kind FROM document_record")).scalars())
        lines = session.execute(text("SELECT COUNT(*) FROM document_line")).scalar_one()
        references = session.execute(
            text("SELECT reference FROM document_record ORDER BY id LIMIT 1")
        ).scalar_one()
        events = (
            session.execute(
                text("SELECT after_json FROM audit_event WHERE action = 'demo.generate'")
            )
            .scalars()
            .all()
        )
    assert kinds == {"invoice", "write_down"}
    assert lines == demo.status_counts["processed"] == demo.document_lines
    assert references == "DR-000001"
    assert len(events) == 1 and f'"time_entries":{ENTRIES}' in events[0]


_OFFICE = "u.id NOT IN (SELECT employee_id FROM employee_pay)"
"""The office's people (the field crews, paid by their shifts, have pay terms)."""


def test_two_staff_tiers_and_every_login_works(services: Services, demo: DemoResult) -> None:
    with services.db.read() as session:
        # Whose supervisor has a supervisor other than the administrator: the second tier.
        second_tier = (
            session.execute(
                text(
                    "SELECT u.name FROM user_account u "
                    "JOIN user_account s ON s.id = u.supervisor_id "
                    "JOIN user_account top ON top.id = s.supervisor_id "
                    f"WHERE top.role <> 'administrator' AND {_OFFICE} ORDER BY u.name"
                )
            )
            .scalars()
            .all()
        )
        first_tier = session.execute(
            text(
                "SELECT COUNT(*) FROM user_account u "
                "JOIN user_account s ON s.id = u.supervisor_id "
                "JOIN user_account top ON top.id = s.supervisor_id "
                f"WHERE top.role = 'administrator' AND u.role = 'staff' AND {_OFFICE}"
            )
        ).scalar_one()
        unpaid_staff = session.execute(
            text("SELECT COUNT(*) FROM user_account WHERE role = 'staff' AND pay_rate_cents <= 0")
        ).scalar_one()
        loose_clients = session.execute(
            text("SELECT COUNT(*) FROM user_account WHERE role = 'client' AND company_id IS NULL")
        ).scalar_one()
    assert second_tier == ["Katarzyna Wiśniewska", "Paweł Nowicki"]
    # five staff under the two managers, and the depot's technician of the construction side
    assert first_tier == 6 and unpaid_staff == 0 and loose_clients == 0
    roles = {login.role for login in demo.logins}
    assert {role.label for role in Role if role.value in _DEMO_ROLES} == roles
    for login in demo.logins:
        actor = services.auth.login(login.email, DEMO_PASSWORD)
        assert isinstance(actor, Actor) and actor.name == login.name


_DEMO_ROLES = {"administrator", "manager", "staff", "accountant", "client", "foreman", "hr"}


def test_issue_four_records(services: Services, demo: DemoResult) -> None:
    """Client users for every client, master invoices in every state, terms, compliance."""
    with services.db.read() as session:

        def rows(sql: str) -> list[tuple[object, ...]]:
            return [tuple(r) for r in session.execute(text(sql)).all()]

        clients = rows(  # the clients of the time pipeline (the construction side's have none)
            "SELECT c.name, COUNT(u.id) FROM company c LEFT JOIN user_account u "
            "ON u.company_id = c.id AND u.role = 'client' "
            "WHERE c.id IN (SELECT client_id FROM document_record) GROUP BY c.name ORDER BY c.name"
        )
        states = rows("SELECT status, COUNT(*) FROM master_invoice GROUP BY status ORDER BY 1")
        numbers = rows("SELECT seq, number FROM master_invoice ORDER BY seq")
        series = rows("SELECT last_number FROM invoice_series WHERE code = 'MI'")
        paid_payments = rows(
            "SELECT COUNT(*) FROM payment p JOIN master_invoice mi ON mi.id = p.master_invoice_id "
            "WHERE mi.status = 'paid'"
        )
        notes = rows("SELECT COUNT(*) FROM notification WHERE kind = 'master_invoice_paid'")
        terms = rows("SELECT kind FROM payment_terms_template ORDER BY kind")
        expired = rows(
            "SELECT u.name, d.doc_type FROM contractor_document d JOIN user_account u "
            "ON u.id = d.user_id WHERE d.expires_on < '2026-03-10' ORDER BY u.name"
        )
        kinds = rows(
            "SELECT u.name, COUNT(DISTINCT d.doc_type) FROM user_account u LEFT JOIN "
            "contractor_document d ON d.user_id = u.id AND d.doc_type IN "
            f"('contract', 'tax_form', 'insurance') WHERE u.role = 'staff' AND {_OFFICE} "
            "GROUP BY u.name ORDER BY u.name"
        )
        reports = rows("SELECT COUNT(*) FROM daily_report")
        shifts = rows("SELECT COUNT(*) FROM work_shift")
    assert all(1 <= n <= 2 for _name, n in clients) and len(clients) == 3
    assert dict(states) == {"approved": 2, "draft": 2, "paid": 4, "partially_paid": 1}
    assert [seq for seq, _n in numbers] == list(range(1, 10)) and series == [(9,)]
    assert all(str(n).startswith("MI/") for _s, n in numbers)
    assert paid_payments == [(6,)] and notes == [(4,)]  # Łukasz is paid in two instalments
    assert terms == [("instructions",), ("late_fee",), ("standard",)]
    assert expired == [("Paweł Nowicki", "contract"), ("Émilie Dubois", "insurance")]
    missing = {name for name, n in kinds if n < 3}
    assert missing == {"Katarzyna Wiśniewska", "Tomasz Górski", CREW_MEMBER}
    assert demo.finance == {
        "payment_terms": 3,
        "compliance_documents": 19,
        "master_invoices": 9,
        "payments": 7,
        "client_invoices": 9,
        "client_invoices_paid": 3,
        "client_invoices_partially_paid": 3,
        "client_invoices_sent": 2,
        "client_payments": 6,
        # the construction side: four projects settled by invoices, one more site per 500
        # entries with one cost per 20 entries, besides the sixteen costs of the four
        "construction_projects": 4 + ENTRIES // 500,
        "settlement_invoices": 8,
        "external_invoices": 1,
        "project_changes": 2,
        "project_costs": 16 + ENTRIES // 20,
        "settled_time_cards": TIME_CARDS,
        # six agreements on the construction projects; at scale one more per 1,000 entries
        # (every third with a first stage) and one with 1,000 daily reports
        "subcontract_agreements": 6 + ENTRIES // 1000 + 1,
        "settlement_stages": 7 + len(range(0, ENTRIES // 1000, 3)),
        "daily_reports": reports[0][0],
        # two crews of seven people through the services, and one more crew member per
        # 1,000 entries in bulk, each with the oldest of the three months transferred
        "crew_members": 7 + ENTRIES // 1000,
        "payroll_periods": 7 + ENTRIES // 1000,
        "work_shifts": shifts[0][0],
    }
    assert reports[0][0] > 1000 + 20  # the big agreement's, and a month of roofing
    assert demo.pay_status_counts["paid"] > 0 and demo.pay_status_counts["invoiced"] > 0
    assert "Contractor master invoices: 9 with 7 payments" in demo.summary()
    assert (
        f"Crew pay: {7 + ENTRIES // 1000} crew members, {shifts[0][0]:,} work shifts, "
        f"{7 + ENTRIES // 1000} periods transferred to accounting." in demo.summary()
    )


def _client_invoices(
    services: Services, *, pipeline: bool = True, external: bool = False
) -> list[tuple[Any, ...]]:
    """Every client invoice of the time pipeline (with ``pipeline`` False, every invoice of
    ours, the construction side's settlement invoices too) as a tuple of its columns that
    matter here, by number."""
    columns = (
        m.Invoice.seq, m.Invoice.number, m.Invoice.client_id, m.Invoice.document_id,
        m.Invoice.status, m.Invoice.issue_date, m.Invoice.due_date, m.Invoice.net_cents,
        m.Invoice.vat_cents, m.Invoice.gross_cents, m.Invoice.paid_cents,
        m.Invoice.payment_terms_text, m.Invoice.issued_by_id, m.Invoice.sent_at,
    )  # fmt: skip
    query = select(*columns).order_by(m.Invoice.id)
    if not external:
        query = query.where(m.Invoice.external_number.is_(None))  # type: ignore[union-attr]
    if pipeline:
        query = query.where(m.Invoice.kind == "standard")
    with services.db.read() as session:
        return [tuple(r) for r in session.execute(query).all()]


def test_client_invoices_are_issued_and_paid_through_the_services(
    services: Services, demo: DemoResult
) -> None:
    """Three invoices per client from its newest records: paid, partly paid, unpaid."""
    invoices = _client_invoices(services)
    with services.db.read() as session:
        series = session.execute(
            select(m.InvoiceSeries.last_number, m.InvoiceSeries.last_issue_date).where(
                m.InvoiceSeries.code == "INV"
            )
        ).one()
        clerk = session.execute(
            select(m.UserAccount.id).where(m.UserAccount.role == "accountant")
        ).scalar_one()
        newest_records = {
            client: sorted(
                session.execute(
                    select(m.DocumentRecord.id)
                    .where(m.DocumentRecord.client_id == client, m.DocumentRecord.kind == "invoice")
                    .order_by(m.DocumentRecord.id.desc())  # type: ignore[union-attr]
                    .limit(3)
                ).scalars()
            )
            for client in {row[2] for row in invoices}
        }
        lines = dict(
            (ident, (int(net), int(vat), int(gross)))
            for ident, net, vat, gross in session.execute(
                select(
                    m.InvoiceLine.invoice_id,
                    func.sum(m.InvoiceLine.net_cents),
                    func.sum(m.InvoiceLine.vat_cents),
                    func.sum(m.InvoiceLine.gross_cents),
                ).group_by(m.InvoiceLine.invoice_id)
            ).all()
        )
        ids = dict(session.execute(select(m.Invoice.number, m.Invoice.id)).all())
        payments = {
            ident: (int(total), count)
            for ident, total, count in session.execute(
                select(m.Payment.invoice_id, func.sum(m.Payment.amount_cents), func.count())
                .where(m.Payment.invoice_id.is_not(None))  # type: ignore[union-attr]
                .group_by(m.Payment.invoice_id)
            ).all()
        }
        actions = dict(
            session.execute(
                select(m.AuditEvent.action, func.count())
                .where(m.AuditEvent.entity == "invoice")
                .group_by(m.AuditEvent.action)
            ).all()
        )
    # One gapless series in issue-date order, none dated after today: the construction side's
    # settlement invoices first, then the invoices of the time pipeline.
    numbered = _client_invoices(services, pipeline=False)
    settled = demo.finance["settlement_invoices"]
    assert [row[0] for row in numbered] == list(range(1, settled + 10))
    assert [row[0] for row in invoices] == list(range(settled + 1, settled + 10))
    assert [row[1] for row in numbered] == [f"INV/{row[5].year}/{row[0]:05d}" for row in numbered]
    dates = [row[5] for row in numbered]
    assert dates == sorted(dates) and dates[-1] <= TODAY
    assert tuple(series) == (settled + 9, dates[-1])
    # Per client, from its three newest invoice records, oldest first: paid, partly, unpaid.
    by_client: dict[int, list[tuple[Any, ...]]] = {}
    for row in invoices:
        by_client.setdefault(row[2], []).append(row)
    assert len(by_client) == 3
    for client, rows in by_client.items():
        assert [row[3] for row in rows] == newest_records[client]
        assert [row[4] for row in rows][:2] == ["paid", "partially_paid"]
        assert rows[2][4] in ("issued", "sent")
        paid, partly, unpaid = (row[10] for row in rows)
        assert paid == rows[0][9] and 0 < partly < rows[1][9] and unpaid == 0
    assert sum(row[13] is not None for row in invoices) == 2  # sent: unpaid ones but the last
    for row in invoices:
        ident, (net, vat, gross) = ids[row[1]], row[7:10]
        assert (row[6] - row[5]).days == 14 and row[11] == TERMS_TEMPLATES[0][2]
        assert row[12] == clerk and gross == net + vat > 0
        assert lines[ident] == (net, vat, gross)  # the totals are their lines'
        assert payments.get(ident, (0, 0))[0] == row[10]  # the payments add up
    pipeline = {ids[row[1]] for row in invoices}
    assert sum(count for ident, (_t, count) in payments.items() if ident in pipeline) == 6
    # every draft starts with the firm's default terms (the standard ones): none is edited;
    # the construction side issues its settlement invoices and records one from elsewhere
    settled = demo.finance["settlement_invoices"]
    assert actions == {
        "invoice.draft": 9,
        "invoice.issue": 9 + settled,
        "invoice.payment": 6
        + sum(count for i, (_t, count) in payments.items() if i not in pipeline),
        "invoice.send": 2,
        "invoice.record_external": demo.finance["external_invoices"],
    }
    assert (
        "Client invoices: 9 issued (3 paid, 3 partially paid, 3 unpaid; 2 marked sent) "
        "with 6 payments." in demo.summary()
    )


def test_client_users_see_only_their_own_invoices(services: Services, demo: DemoResult) -> None:
    """The portal, the client invoice list, the dashboards and revenue all have figures."""
    invoices = _client_invoices(services)
    login = {entry.email: entry for entry in demo.logins}
    admin = services.auth.login(demo.logins[0].email, DEMO_PASSWORD)
    everything = services.client_invoices.list(admin)
    construction = demo.finance["settlement_invoices"] + demo.finance["external_invoices"]
    assert len(everything.rows) == 9 + construction
    assert everything.total_gross == everything.total_paid + everything.total_due  # type: ignore[operator]
    clients = [e for e in login.values() if e.role == Role.CLIENT.label]
    assert len(clients) == 4
    for entry in clients:
        actor = services.auth.login(entry.email, DEMO_PASSWORD)
        own = services.client_invoices.list(actor).rows
        assert len(own) == 3 and {row.client_id for row in own} == {actor.company_id}
        for number in (row[1] for row in invoices if row[2] != actor.company_id):
            with pytest.raises(NotFound):
                services.client_invoices.row(actor, number)
        portal = services.dashboards.client(actor)
        assert portal.paid_total.cents > 0 and portal.outstanding.cents > 0
        assert len(portal.open_invoices) == 2 and len(portal.paid_invoices) == 1
    dashboard = services.dashboards.administrator(admin)
    invoices = _client_invoices(services, pipeline=False, external=True)  # the whole ledger
    received = sum(row[10] for row in invoices)
    assert dashboard.paid.cents == received > 0
    assert dashboard.invoiced.cents == sum(row[9] for row in invoices)
    assert dashboard.outstanding == dashboard.invoiced - dashboard.paid
    overdue = [row for row in invoices if row[4] != "paid" and row[6] < TODAY]
    assert dashboard.overdue_count == len(overdue) > 0
    revenue = services.invoices.revenue(admin)
    assert sum(row.received.cents for row in revenue) == received
    # Revenue is net of VAT: what was received, less the VAT it carried.
    assert sum(row.amount.cents + row.vat.cents for row in revenue) == received
    assert 0 < sum(row.amount.cents for row in revenue) < received
    # A client user can settle their company's newest invoice in the portal.
    zofia = services.auth.login("zofia.kaminska@ze-lodz.example", DEMO_PASSWORD)
    newest = services.client_invoices.list(zofia).rows[0]
    paid = services.client_invoices.portal_mark_paid(
        zofia, newest.number, MarkPaidForm(reference="Zahlung")
    )
    assert paid.status == "paid" and paid.due.cents == 0


def test_daily_time_summary_is_rebuilt_and_its_triggers_are_back(
    services: Services, demo: DemoResult
) -> None:
    key = "work_date, owner_id, project_id, status, pay_status, billable"
    with services.db.read() as session:
        summary = session.execute(
            text(f"SELECT {key}, entries, minutes, value_cents FROM time_day_total ORDER BY {key}")
        ).all()
        derived = session.execute(
            text(
                f"SELECT {key}, COUNT(*), SUM(minutes), SUM(value_cents) FROM time_entry "
                f"GROUP BY {key} ORDER BY {key}"
            )
        ).all()
    assert summary and [tuple(r) for r in summary] == [tuple(r) for r in derived]
    with services.db.write() as session:  # a later write goes through the triggers again
        session.execute(text("DELETE FROM time_entry WHERE status = 'draft'"))
    with services.db.read() as session:
        drafts = session.execute(
            text("SELECT COUNT(*) FROM time_day_total WHERE status = 'draft'")
        ).scalar_one()
    assert drafts == 0


def test_demo_database_passes_the_check(services: Services, demo: DemoResult) -> None:
    from tektoro_tui.services.check import run_check

    report = run_check(services.db)
    assert report.ok, "\n".join(report.lines())


def test_building_twice_is_refused_and_changes_nothing(
    services: Services, demo: DemoResult
) -> None:
    before = _counts(services)
    with pytest.raises(ConflictError):
        build_demo(services, entries=300, seed=3, today=TODAY)
    assert _counts(services) == before


def test_refused_on_a_database_with_an_organisation(services: Services, admin: Actor) -> None:
    before = _counts(services)
    with pytest.raises(ConflictError):
        build_demo(services, entries=10, today=TODAY)
    assert _counts(services) == before


def test_negative_entries_are_refused(services: Services) -> None:
    with pytest.raises(ValidationError):
        build_demo(services, entries=-1)
    assert not services.auth.is_initialised()


def test_same_seed_builds_the_same_firm(empty_sqlite_url: str) -> None:
    results = []
    for name in ("one.db", "two.db"):
        url = empty_sqlite_url.replace("tektoro.db", name)
        hub = Services.connect(url, clock=FixedClock(NOW))
        try:
            results.append(build_demo(hub, entries=400, seed=5, today=TODAY))
        finally:
            hub.close()
    first, second = results
    assert first.status_counts == second.status_counts
    assert first.pay_status_counts == second.pay_status_counts
    assert first.documents == second.documents
    assert first.finance == second.finance


def _bulk_rows(url: str) -> dict[str, list[Any]]:
    """Every row the bulk load writes (and the daily summary rebuilt from them), in order."""
    db = Database.open(url)
    try:
        with db.engine.connect() as conn:
            return {
                table: sorted(
                    (tuple(row) for row in conn.execute(text(f"SELECT * FROM {table}"))), key=repr
                )
                for table in ("time_entry", "document_record", "document_line", "time_day_total")
            }
    finally:
        db.dispose()


def test_a_helper_process_generates_the_very_rows_this_one_does(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From HELPER_MIN_ENTRIES on, a helper process generates the rows while this one writes
    them: the same seed gives the same rows, to the last column, either way, on this run's
    backend."""
    on_pg = test_backend() == "postgresql"
    second = create_pg_database() if on_pg else empty_db_url.replace("tektoro.db", "helped.db")
    try:
        for url, helper_from in ((empty_db_url, 10**9), (second, 1)):
            monkeypatch.setattr(history, "HELPER_MIN_ENTRIES", helper_from)
            hub = Services.connect(url, clock=FixedClock(NOW))
            try:  # the people and presets, then the history alone
                firm, _logins = set_up_firm(hub)
                history.BulkHistory(hub, firm, random.Random(5), TODAY, lambda _line: None).write(
                    1500
                )
            finally:
                hub.close()
        here, helped = _bulk_rows(empty_db_url), _bulk_rows(second)
        assert len(here["time_entry"]) >= 1500 and here["document_line"]
        assert here == helped
    finally:
        if on_pg:
            drop_pg_database(second)


def test_a_helper_that_fails_fails_the_load() -> None:
    """What goes wrong in the helper is raised in the writer (whose transaction then rolls
    back), naming the helper's own error."""
    actor = Actor(1, "a@example.com", "A", Role.ADMINISTRATOR)
    plan = history.HistoryPlan(
        firm=Firm(actor),  # no clients: the helper cannot place a single project
        rng_state=random.Random(1).getstate(),
        today=TODAY,
        now=NOW,
        count=10,
        first_ids=(0, 0, 0),
        dialect=None,
    )
    with pytest.raises(RuntimeError, match="KeyError"):
        list(history.rows_in_helper(plan))


def test_a_load_that_fails_midway_ends_its_helper_and_writes_nothing(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tektoro_tui.services.demo import bulk

    monkeypatch.setattr(history, "HELPER_MIN_ENTRIES", 1)
    written: list[str] = []

    def insert_then_fail(self: Any, table: Any, *args: Any) -> None:
        written.append(table.name)
        if table.name == "document_line":
            raise OSError("disk full")

    monkeypatch.setattr(bulk.BulkInserter, "insert", insert_then_fail)
    with pytest.raises(OSError, match="disk full") as failure:  # months still to come
        build_demo(services, entries=20_000, seed=5, today=TODAY)
    assert written[-3:] == ["document_record", "time_entry", "document_line"]
    # ended by the load itself, not when its failure (and the frames it holds) is dropped
    assert multiprocessing.active_children() == [] and failure.traceback
    with services.db.read() as session:
        assert session.execute(select(func.count()).select_from(m.TimeEntry)).scalar_one() == 0


FOREIGN_KEYS = (
    "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), k.convalidated FROM pg_constraint k "
    "JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype = 'f' "
    "AND c.relname IN ('time_entry', 'document_record', 'document_line') ORDER BY 1, 2"
)


def test_the_loaded_tables_keep_their_foreign_keys(
    services: Services, demo: DemoResult, request: pytest.FixtureRequest
) -> None:
    """PostgreSQL's load drops the foreign keys of the tables it fills and re-creates them
    after (each then checks every row at once): they come back as the schema has them."""
    if services.db.backend != "postgresql":
        pytest.skip("SQLite's load keeps its foreign keys throughout")
    fresh = Database.open(str(request.getfixturevalue("pg_url")))
    try:
        with fresh.engine.connect() as conn:
            schema = conn.exec_driver_sql(FOREIGN_KEYS).all()
    finally:
        fresh.dispose()
    with services.db.read() as session:
        assert session.connection().exec_driver_sql(FOREIGN_KEYS).all() == schema
    assert len(schema) == 15 and all(row[3] for row in schema)


def test_a_load_whose_rows_break_a_foreign_key_writes_nothing(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = history.TIME_ENTRY_COLUMNS.index("project_id")
    original = history.HistoryGenerator.chunks

    def one_entry_of_no_project(self: Any) -> Iterator[Any]:
        for number, chunk in enumerate(original(self)):
            if number == 3:
                broken = list(chunk.rows["time_entry"][0])
                broken[project] = 10**6
                chunk.rows["time_entry"][0] = tuple(broken)
            yield chunk

    monkeypatch.setattr(history.HistoryGenerator, "chunks", one_entry_of_no_project)
    with pytest.raises(Exception) as failure:  # the driver's error, or ours over it
        build_demo(services, entries=2000, seed=5, today=TODAY)
    causes, error = [], failure.value
    while error is not None:
        causes.append(str(error).lower())
        error = error.__cause__ or error.__context__
    assert any("foreign key" in cause for cause in causes), causes
    with services.db.read() as session:
        assert session.execute(select(func.count()).select_from(m.TimeEntry)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(m.DocumentLine)).scalar_one() == 0


def test_summary_lists_logins_password_and_counts(demo: DemoResult) -> None:
    text_out = demo.summary()
    assert ORGANISATION in text_out and DEMO_PASSWORD in text_out
    for login in demo.logins:
        assert login.email in text_out and login.name in text_out
    for status, count in demo.status_counts.items():
        assert status in text_out and f"{count:,}" in text_out
    assert demo.elapsed_seconds > 0


def test_the_id_sequences_run_past_the_rows_written_in_bulk(
    services: Services, demo: DemoResult
) -> None:
    """The demo writes time entries and documents with explicit ids; on PostgreSQL it moves
    each id sequence past them, so the next row added by hand gets a new id. (SQLite has no
    sequence to move: a new row takes the highest id plus one.)"""
    if services.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no id sequence: a new row takes the highest id plus one")
    with services.db.read() as session:
        for table in ("time_entry", "document_record", "document_line"):
            top = session.execute(text(f"SELECT max(id) FROM {table}")).scalar_one()
            following = session.execute(
                text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")
            ).scalar_one()
            assert following > top, table


def test_cli_demo_prints_the_logins(tmp_path: Path) -> None:
    from tektoro_tui.cli.main import app

    db_file = tmp_path / "cli-demo.db"
    result = CliRunner().invoke(app, ["demo", "--db", str(db_file), "--entries", "250"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output and "processed" in result.output
    again = CliRunner().invoke(app, ["demo", "--db", str(db_file), "--entries", "250"])
    assert again.exit_code == 1


def test_the_construction_side_has_every_kind_of_settlement(
    services: Services, demo: DemoResult
) -> None:
    """Riverside: 850,000.00 + change 42,500.00 = 892,500.00; partials 170,000.00 + 255,000.00
    + 42,500.00 (the change's) = 467,500.00. Nursery: advances 96,000.00 and 64,000.00 and a
    final whose gross with theirs is the contract's 320,000.00 at 19 % = 380,800.00. Town hall:
    one recorded from another program. Depot: time and material, labour and costs."""
    accountant = services.auth.login("helga.schroeder@northwind.example", DEMO_PASSWORD)
    projects = services.projects
    riverside = projects.detail(accountant, "RV-01")
    assert riverside.row.contract_with_changes == Money.parse("892500", "EUR")
    assert riverside.row.invoiced == Money.parse("467500", "EUR")
    assert [row.change_number for row in riverside.invoices] == [None, None, 1]
    assert [change.approved for change in riverside.changes] == [True, False]
    nursery = projects.detail(accountant, "NS-01")
    assert [row.kind for row in nursery.invoices] == ["advance", "advance", "final"]
    assert sum(row.gross.cents for row in nursery.invoices) == 38_080_000
    assert nursery.next_kinds == () and nursery.row.progress_pct == 100
    town_hall = projects.detail(accountant, "TH-01")
    assert [(row.number, row.external) for row in town_hall.invoices] == [
        ("FV/2025/118", True),
        (town_hall.invoices[1].number, False),
    ]
    depot = projects.detail(accountant, "DM-01")
    assert depot.row.valuation == "tm" and depot.row.billing == "settlement"
    assert dict(depot.balance.costs)["labour"].cents > 0
    assert depot.invoices[0].net.cents > 0
    groups = {group.project_id: group for group in services.wip.groups(demo_admin(services, demo))}
    assert groups[depot.row.id].settled_by_invoices  # its approved time waits in no WIP
    listing = projects.list(accountant, limit=None)
    assert listing.total == demo.finance["construction_projects"] + 6


def demo_admin(services: Services, demo: DemoResult) -> Actor:
    """The demo's administrator, signed in."""
    return services.auth.login(demo.logins[0].email, DEMO_PASSWORD)


def test_the_demo_has_agreements_in_every_state_and_a_foreman_who_sees_his_own(
    services: Services, demo: DemoResult
) -> None:
    """Completed and fully paid, completed with money held back, overdue, fully paid while the
    work goes on, partly paid, not started; Dach-Bud's roofing by the hour with a month of
    reports; Piotr Nowak, logged in as a foreman, sees only his crew's agreement."""
    from tektoro_tui.services.subcontracts.views import AgreementFilter

    clerk = services.auth.login("helga.schroeder@northwind.example", DEMO_PASSWORD)
    rows = services.subcontracts.list(clerk, AgreementFilter(status="all", limit=0)).rows
    named = {r.scope: r for r in rows if not r.scope.startswith(("Site works", "Framework"))}
    assert len(named) == 6
    states = {(r.work_completed, r.fully_paid, r.paid.is_zero, r.overdue) for r in named.values()}
    assert (True, True, False, False) in states  # earthworks: done and paid
    assert (True, False, False, False) in states  # wiring: done, 5,000.00 held back
    assert (False, False, False, True) in states  # slating: partly paid and overdue
    assert (False, True, False, False) in states  # depot: paid in full, work goes on
    assert (False, False, True, False) in states  # landscaping: not started
    roofing = named["Roof membrane and flashing, paid by the hour"]
    detail = services.subcontracts.detail(clerk, roofing.number)
    assert len(detail.days) > 20 and detail.row.contract_amount == detail.reports_total
    assert any("no plan" in d.differences for d in detail.days)
    assert detail.row.paid.cents * 10 <= detail.row.contract_amount.cents * 6
    from tektoro_tui.services.check import run_check

    foreman = next(login for login in demo.logins if login.role == "Subcontractor's foreman")
    piotr = services.auth.login(foreman.email, DEMO_PASSWORD)
    assert [r.number for r in services.subcontracts.list(piotr).rows] == [roofing.number]
    report = run_check(services.db)
    assert report.ok, report.lines()


def _people(services: Services) -> dict[str, int]:
    """Everyone's id by name."""
    with services.db.read() as session:
        return {
            str(n): int(i) for i, n in session.execute(text("SELECT id, name FROM user_account"))
        }


def test_the_crews_have_three_months_of_pay_to_show(services: Services, demo: DemoResult) -> None:
    """January 2026 approved and transferred for every crew member; February approved but
    for its irregular days (Marek's late start, Jan's missing clock-out, the Saturday on the
    roof; Stefan's long day approved as it is; Lena's night call-out past midnight); March
    settled up to yesterday, not approved, and planned from today to its end."""
    people = _people(services)
    hr = services.auth.login("ingrid.hoffmann@northwind.example", DEMO_PASSWORD)
    pay = services.payroll
    january = pay.overview(hr, "2026-01-01", "2026-01-31")
    assert len(january) == demo.finance["payroll_periods"]
    assert all(s.transferred and s.settled for p in january for s in p.shifts)
    assert all(p.transferred and p.total == p.transferred[0][2] for p in january)

    def february(name: str) -> tuple[Any, ...]:
        return pay.period(hr, str(people[name]), "2026-02-01", "2026-02-28").shifts

    late = [s for s in february("Marek Dąbrowski") if s.irregular and not s.approved]
    assert any("start +0:50 from plan" in s.irregular for s in late)
    assert any("work on a day off (Saturday)" in s.irregular for s in late)
    open_ = [s for s in february("Jan Kamiński") if not s.settled]
    assert len(open_) == 1 and "no clock-out" in open_[0].irregular and open_[0].pay is None
    long_day = [s for s in february("Stefan Braun") if s.irregular]
    assert [(s.irregular, s.approved) for s in long_day] == [(("end +4:00 from plan",), True)]
    night = [s for s in february("Lena Vogel") if s.actual_text == "22:00-02:00+1"]
    assert [b.name for b in night[0].buckets] == ["outside the window"]
    with pytest.raises(ValidationError) as refused:
        pay.transfer(hr, "2026-02-01", "2026-02-28", dry_run=True)
    roof = "(RV-01 Riverside apartments – shell and core)"
    assert [problem.message for problem in refused.value.problems] == [
        f"Krzysztof Wójcik 2026-02-07 {roof}: work on a day off (Saturday); not approved",
        f"Marek Dąbrowski 2026-02-03 {roof}: start +0:50 from plan; not approved",
        f"Marek Dąbrowski 2026-02-07 {roof}: work on a day off (Saturday); not approved",
        f"Jan Kamiński 2026-02-04 {roof}: not settled (no actual end)",
    ]
    march = pay.period(hr, str(people["Krzysztof Wójcik"]), "2026-03-01", "2026-03-31").shifts
    assert all(s.settled and not s.approved for s in march if s.shift_date < TODAY)
    assert all(not s.settled for s in march if s.shift_date >= TODAY)
    assert any(s.shift_date > TODAY for s in march)
    leader = services.auth.login("krzysztof.wojcik@northwind.example", DEMO_PASSWORD)
    assert {s.employee for s in pay.crew_day(leader)} == {
        "Krzysztof Wójcik",
        "Marek Dąbrowski",
        "Jan Kamiński",
        "Dawid Szymański",
    }
    # the depot's settled shifts are labour of its balance; those not settled are named
    accountant = services.auth.login("helga.schroeder@northwind.example", DEMO_PASSWORD)
    depot = services.projects.suggest(accountant, "DM-01", "partial")
    assert any(note.startswith("Labour includes") for note in depot.notes)
    assert any("work shifts not settled yet" in note for note in depot.notes)


def test_the_crews_at_scale_are_priced_as_the_service_prices_them(
    services: Services, demo: DemoResult
) -> None:
    """Every shift not transferred, priced again by the service's own rule, keeps its pay."""
    from tektoro_tui.services.payroll import rules as pay_rules

    columns = ("rate_cents", "standard_minutes", "over_day_minutes", "outside_window_minutes",
               "standard_cents", "over_day_cents", "outside_cents", "pay_cents")  # fmt: skip
    with services.db.write() as session:
        shifts = list(
            session.execute(
                select(m.WorkShift).where(m.WorkShift.payroll_period_id.is_(None))  # type: ignore[union-attr]
            ).scalars()
        )
        kept = {s.id: tuple(getattr(s, c) for c in columns) for s in shifts}
        days: dict[int, set[date]] = {}
        for shift in shifts:
            days.setdefault(shift.employee_id, set()).add(shift.shift_date)
        for employee, dates in days.items():
            pay_rules.reprice(session, employee, dates)
        again = {s.id: tuple(getattr(s, c) for c in columns) for s in shifts}
        session.rollback()
    assert len(days) == demo.finance["crew_members"]
    assert sum(1 for values in kept.values() if values[-1] is not None) > 100
    assert again == kept
