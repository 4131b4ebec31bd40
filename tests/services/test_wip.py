"""WIP: allocating approved work, processing it onto document records, and realisation.

Entries are written straight into the database as approved rows (the time service that
approves them is tested on its own); presets and people go through their services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tektoro_tui.data import models as m
from tektoro_tui.domain.permissions import Perm, Role
from tektoro_tui.errors import (
    ConflictError,
    LedgerError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from tektoro_tui.services.administration.presets import TaskForm
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.pipeline import wip as wip_module
from tektoro_tui.services.pipeline.views import AllocationForm
from tektoro_tui.services.pipeline.wip import NothingToProcess, WipService
from tests.builders import add_job, add_person, add_work_codes

TODAY = date(2026, 3, 10)
RATE = 6000  # 60.00 an hour


@dataclass(frozen=True)
class Firm:
    """Two clients, three projects, a worker with two staff, and the people who act."""

    admin: Actor
    manager: Actor
    staff: Actor
    accountant: Actor
    ann: int
    bob: int
    acme: int
    bolt: int
    roof: int
    hall: int
    web: int
    tasks: dict[int, int]
    activity: int
    rate: int


@pytest.fixture
def firm(services: Services, admin: Actor) -> Firm:
    roof = add_job(services, admin, "Acme Ltd", "Roof")
    hall = add_job(services, admin, roof.client_id, "Hall")
    web = add_job(services, admin, "Bolt GmbH", "Website")
    tasks = {  # named after the project's id, which the document lines repeat
        job.project_id: services.presets.save_task(
            admin, TaskForm(project_id=job.project_id, name=f"Work {job.project_id}")
        ).id
        for job in (roof, hall, web)
    }
    activity, rate = add_work_codes(services, admin, "Design", "Senior", "60")

    def person(name: str, role: str = "staff") -> Actor:
        return add_person(services, admin, name, role, sign_in=False)

    manager = person("Mia Manager", "manager")
    staff = person("Sam Staff")
    accountant = person("Alice Accountant", "accountant")
    ann = person("Ann Architect").user_id
    bob = person("Bob Builder").user_id
    return Firm(
        admin, manager, staff, accountant, ann, bob, roof.client_id, web.client_id,
        roof.project_id, hall.project_id, web.project_id, tasks, activity, rate,
    )  # fmt: skip


def _entry(
    services: Services,
    firm: Firm,
    project: int,
    minutes: int,
    *,
    owner: int | None = None,
    status: str = "approved",
    day: date = date(2026, 3, 2),
    description: str = "",
) -> int:
    """One time entry written directly, approved by the manager, valued at 60.00 an hour."""
    who = owner or firm.ann
    row = m.TimeEntry(
        owner_id=who,
        entered_by_id=who,
        project_id=project,
        task_id=firm.tasks[project],
        activity_id=firm.activity,
        rate_code_id=firm.rate,
        work_date=day,
        minutes=minutes,
        description=description,
        status=status,
        rate_cents=RATE,
        value_cents=minutes * RATE // 60,
        approved_by_id=firm.manager.user_id if status != "draft" else None,
        created_at=services.clock.now(),
    )
    with services.db.write() as session:
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _wip(services: Services) -> WipService:
    return WipService(services.db, services.clock)


def _entry_row(services: Services, ident: int) -> m.TimeEntry:
    with services.db.read() as session:
        row = session.get(m.TimeEntry, ident)
        assert row is not None
        return row


def _count(services: Services, model: type, *where: object) -> int:
    with services.db.read() as session:
        return int(session.execute(select(func.count()).select_from(model).where(*where)).scalar())


BILL = AllocationForm(kind="bill")
WRITE_OFF = AllocationForm(kind="write_down", reason="Goodwill", note="Agreed with client")


# ----------------------------------------------------------------------------------------------
# allocation
# ----------------------------------------------------------------------------------------------


def test_allocation_form_reports_every_bad_field_at_once(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    ident = _entry(services, firm, firm.roof, 60)
    cases = [
        (
            AllocationForm(kind="write_down", write_down_amount="abc", hold_until="2026-04-01"),
            {"write_down_amount", "reason", "hold_until"},
        ),
        (
            AllocationForm(
                kind="hold",
                write_down_amount="10",
                reason="Goodwill",
                note="why",
                hold_until="2026-03-10",
            ),
            {"write_down_amount", "reason", "note", "hold_until"},
        ),
        (AllocationForm(kind="write_down", reason="Other"), {"note"}),
        (AllocationForm(kind="write_down", reason="Because"), {"reason"}),
        (AllocationForm(kind="bill", write_down_amount="0"), {"write_down_amount", "reason"}),
        (
            AllocationForm(kind="bill", write_down_amount="-5", reason="Goodwill"),
            {"write_down_amount"},
        ),
        (AllocationForm(kind="hold", hold_until="31.02.2026"), {"hold_until"}),
        (AllocationForm(kind="sell"), {"kind"}),
    ]
    for form, fields in cases:
        with pytest.raises(ValidationError) as caught:
            wip.allocate(firm.manager, [ident], form)
        assert {p.field for p in caught.value.problems} == fields, form
    assert _entry_row(services, ident).status == "approved"
    with pytest.raises(ValidationError) as caught:
        wip.allocate(firm.manager, [], BILL)
    assert caught.value.problems[0].field == "entries"


def test_bill_with_partial_write_down_skips_entries_worth_less(
    services: Services, firm: Firm
) -> None:
    wip = _wip(services)
    big = _entry(services, firm, firm.roof, 60)  # 60.00
    small = _entry(services, firm, firm.roof, 20)  # 20.00
    exact = _entry(services, firm, firm.roof, 25)  # 25.00
    form = AllocationForm(kind="bill", write_down_amount="25.00", reason="Over budget")
    result = wip.allocate(firm.manager, [big, small, exact], form)
    assert result.entry_ids == (big, exact)
    assert result.totals.entries == 2 and result.totals.minutes == 85
    assert result.totals.value.cents == 8500
    assert [s.entry_id for s in result.skipped] == [small]
    assert "more than the entry's value (20.00 EUR)" in result.skipped[0].reason
    row = _entry_row(services, big)
    assert (row.status, row.allocation, row.write_down_cents) == ("allocated", "bill", 2500)
    assert row.write_down_reason == "Over budget"
    # Writing down the whole value is a write-down, not a bill of nothing.
    row = _entry_row(services, exact)
    assert (row.allocation, row.write_down_cents) == ("write_down", 2500)
    assert _entry_row(services, small).status == "approved"


def test_write_down_takes_the_whole_value_or_bills_the_rest(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    whole = _entry(services, firm, firm.roof, 90)  # 90.00
    part = _entry(services, firm, firm.roof, 60)  # 60.00
    wip.allocate(firm.manager, [whole], WRITE_OFF)
    row = _entry_row(services, whole)
    assert (row.allocation, row.write_down_cents, row.write_down_note) == (
        "write_down",
        9000,
        "Agreed with client",
    )
    form = AllocationForm(kind="write_down", write_down_amount="15", reason="Other", note="typo")
    wip.allocate(firm.manager, [part], form)
    row = _entry_row(services, part)
    assert (row.allocation, row.write_down_cents, row.write_down_reason) == ("bill", 1500, "Other")


def test_hold_with_and_without_a_date_and_release(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    dated = _entry(services, firm, firm.roof, 60)
    open_ended = _entry(services, firm, firm.roof, 30)
    wip.allocate(firm.manager, [dated], AllocationForm(kind="hold", hold_until="2026-03-20"))
    wip.allocate(firm.manager, [open_ended], AllocationForm(kind="hold"))
    assert _entry_row(services, dated).hold_until == date(2026, 3, 20)
    assert _entry_row(services, open_ended).hold_until is None
    # Re-allocating a held entry is allowed; releasing it clears everything.
    wip.allocate(firm.manager, [dated], WRITE_OFF)
    dry = wip.release(firm.manager, [dated, open_ended], dry_run=True)
    assert dry.dry_run and dry.entry_ids == (dated, open_ended)
    assert _entry_row(services, dated).allocation == "write_down"
    result = wip.release(firm.manager, [dated, open_ended])
    assert result.totals.minutes == 90 and result.totals.value.cents == 9000
    for ident in (dated, open_ended):
        row = _entry_row(services, ident)
        assert (row.status, row.allocation, row.write_down_cents) == ("approved", None, 0)
        assert (row.write_down_reason, row.write_down_note, row.hold_until) == ("", "", None)
    again = wip.release(firm.manager, [dated])
    assert again.entry_ids == () and "only allocated entries" in again.skipped[0].reason


def test_only_entries_in_wip_are_allocated(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    good = _entry(services, firm, firm.roof, 60)
    draft = _entry(services, firm, firm.roof, 60, status="draft")
    accepted = _entry(services, firm, firm.roof, 60, status="accepted")
    result = wip.allocate(firm.manager, [good, draft, accepted, 99_999, good], BILL)
    assert result.entry_ids == (good,)
    reasons = {s.entry_id: s.reason for s in result.skipped}
    assert set(reasons) == {draft, accepted, 99_999}
    assert "only approved entries in WIP" in reasons[draft]
    assert "does not exist" in reasons[99_999]
    assert _entry_row(services, draft).status == "draft"


def test_one_audit_event_per_allocation_batch(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    ids = [_entry(services, firm, firm.roof, 15 * (i + 1)) for i in range(3)]
    before = _count(services, m.AuditEvent)
    dry = wip.allocate(firm.manager, ids, BILL, dry_run=True)
    assert dry.dry_run and dry.entry_ids == tuple(ids)
    assert _count(services, m.AuditEvent) == before
    assert _entry_row(services, ids[0]).status == "approved"
    wip.allocate(firm.manager, ids, BILL)
    with services.db.read() as session:
        events = session.execute(select(m.AuditEvent).where(m.AuditEvent.id > before)).scalars()
        events = list(events)
    assert [e.action for e in events] == ["wip.allocate"]
    assert f'"ids":[{ids[0]},{ids[1]},{ids[2]}]' in events[0].after_json
    assert f'[{ids[0]},"approved",null,0,null]' in events[0].before_json


def test_wip_is_for_managers_and_administrators(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    ident = _entry(services, firm, firm.roof, 60)
    for attempt in (
        lambda: wip.groups(firm.staff),
        lambda: wip.entries(firm.staff),
        lambda: wip.allocate(firm.staff, [ident], BILL),
        lambda: wip.release(firm.staff, [ident]),
        lambda: wip.process(firm.staff),
        lambda: wip.realisation(firm.accountant),
        lambda: wip.documents(firm.staff),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert wip.allocate(firm.admin, [ident], BILL).entry_ids == (ident,)


# ----------------------------------------------------------------------------------------------
# reading WIP
# ----------------------------------------------------------------------------------------------


def test_groups_total_each_client_and_project(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    _entry(services, firm, firm.roof, 60)  # 60.00 unallocated
    bill_roof = _entry(services, firm, firm.roof, 120)  # 120.00, 20.00 written down
    off_roof = _entry(services, firm, firm.roof, 30)  # 30.00 written off
    hold_hall = _entry(services, firm, firm.hall, 45)  # 45.00 on hold
    web = _entry(services, firm, firm.web, 90)  # 90.00 billed
    _entry(services, firm, firm.web, 60, status="accepted")  # not in WIP
    wip.allocate(
        firm.manager,
        [bill_roof],
        AllocationForm(kind="bill", write_down_amount="20", reason="Goodwill"),
    )
    wip.allocate(firm.manager, [off_roof], WRITE_OFF)
    wip.allocate(firm.manager, [hold_hall], AllocationForm(kind="hold"))
    wip.allocate(firm.manager, [web], BILL)
    groups = wip.groups(firm.manager)
    assert [(g.client_name, g.project_name) for g in groups] == [
        ("Acme Ltd", "Hall"),
        ("Acme Ltd", "Roof"),
        ("Bolt GmbH", "Website"),
    ]
    hall, roof, site = groups
    assert (roof.unallocated.entries, roof.unallocated.minutes) == (1, 60)
    assert roof.unallocated.value.cents == 6000
    assert (roof.to_bill.entries, roof.to_bill.minutes, roof.to_bill.value.cents) == (
        1,
        120,
        10000,
    )
    assert roof.written_down.cents == 2000 + 3000
    assert roof.on_hold.entries == 0
    assert (hall.on_hold.entries, hall.on_hold.value.cents, hall.unallocated.entries) == (
        1,
        4500,
        0,
    )
    assert (site.to_bill.value.cents, site.unallocated.entries) == (9000, 0)
    only_bolt = wip.groups(firm.manager, client_id=firm.bolt)
    assert [g.project_id for g in only_bolt] == [firm.web]


def test_entries_page_with_totals_over_the_filter(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    ids = [
        _entry(services, firm, firm.roof, 30, day=date(2026, 3, 1) + timedelta(days=i % 3))
        for i in range(5)
    ]
    _entry(services, firm, firm.web, 60)
    wip.allocate(firm.manager, ids[:2], BILL)
    first = wip.entries(firm.manager, client_id=firm.acme, limit=2)
    assert first.totals.entries == 5 and first.totals.minutes == 150
    assert first.totals.value.cents == 15000
    pages = [first]
    while pages[-1].next_after is not None:
        pages.append(
            wip.entries(firm.manager, client_id=firm.acme, after=pages[-1].next_after, limit=2)
        )
    seen = [e.id for p in pages for e in p.items]
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    keys = [(e.work_date, e.id) for p in pages for e in p.items]
    assert keys == sorted(keys)
    view = pages[0].items[0]
    assert (view.task_id, view.rate_code_id) == (firm.tasks[firm.roof], firm.rate)
    versions = {e.id: e.version for p in pages for e in p.items}
    assert (versions[ids[0]], versions[ids[2]]) == (2, 1)  # allocating bumps the version
    assert (view.client_name, view.project_name, view.owner_name) == (
        "Acme Ltd",
        "Roof",
        "Ann Architect",
    )
    billed = wip.entries(firm.manager, allocation="bill")
    assert {e.id for e in billed.items} == set(ids[:2]) and billed.totals.entries == 2
    waiting = wip.entries(firm.manager, allocation="unallocated", project_id=firm.roof)
    assert {e.id for e in waiting.items} == set(ids[2:])
    with pytest.raises(ValidationError):
        wip.entries(firm.manager, allocation="paid")


# ----------------------------------------------------------------------------------------------
# processing
# ----------------------------------------------------------------------------------------------


def _allocate_a_month(services: Services, firm: Firm) -> dict[str, list[int]]:
    """Bill, partly write down and fully write down work for both clients."""
    wip = _wip(services)
    bill = [
        _entry(services, firm, firm.roof, 60, description="Survey"),
        _entry(services, firm, firm.hall, 120, owner=firm.bob),
        _entry(services, firm, firm.web, 90),
    ]
    partial = [_entry(services, firm, firm.roof, 60, owner=firm.bob)]
    off = [_entry(services, firm, firm.hall, 30), _entry(services, firm, firm.web, 45)]
    wip.allocate(firm.manager, bill, BILL)
    wip.allocate(
        firm.manager,
        partial,
        AllocationForm(kind="bill", write_down_amount="10.00", reason="Rework / correction"),
    )
    wip.allocate(firm.manager, off, WRITE_OFF)
    return {"bill": bill, "partial": partial, "off": off}


def test_processing_makes_one_invoice_record_per_client_and_a_statement(
    services: Services, firm: Firm
) -> None:
    wip = _wip(services)
    made = _allocate_a_month(services, firm)
    calls: list[tuple[int, int]] = []
    result = wip.process(firm.manager, progress=lambda done, total: calls.append((done, total)))
    assert not result.dry_run
    summary = [(d.reference, d.kind, d.client_name, d.entries) for d in result.documents]
    assert summary == [
        ("DR-000001", "invoice", "Acme Ltd", 3),
        ("DR-000002", "write_down", "Acme Ltd", 1),
        ("DR-000003", "invoice", "Bolt GmbH", 1),
        ("DR-000004", "write_down", "Bolt GmbH", 1),
    ]
    acme_invoice = result.documents[0]
    # 60 + 120 + 60 = 240 minutes worth 240.00, of which 10.00 written down.
    assert (acme_invoice.minutes, acme_invoice.value.cents) == (240, 24000)
    assert (acme_invoice.billed.cents, acme_invoice.written_down.cents) == (23000, 1000)
    assert (result.totals.entries, result.totals.minutes, result.totals.value.cents) == (
        6,
        405,
        40500,
    )
    assert (result.billed.cents, result.written_down.cents) == (23000 + 9000, 1000 + 3000 + 4500)
    assert calls[0] == (0, 6) and calls[-1] == (6, 6)
    _assert_records_match_lines(services)
    every = [i for ids in made.values() for i in ids]
    for ident in every:
        row = _entry_row(services, ident)
        assert row.status == "processed" and row.document_id is not None
    lines = wip.document_lines(firm.manager, acme_invoice.id or 0)
    partial = next(line for line in lines if line.time_entry_id == made["partial"][0])
    assert (partial.value.cents, partial.billed.cents, partial.written_down.cents) == (
        6000,
        5000,
        1000,
    )
    assert partial.write_down_reason == "Rework / correction"
    assert {line.person_name for line in lines} == {"Ann Architect", "Bob Builder"}
    assert {line.project_name for line in lines} == {"Roof", "Hall"}
    survey = next(line for line in lines if line.time_entry_id == made["bill"][0])
    assert (survey.description, survey.task_name, survey.activity_name) == (
        "Survey",
        f"Work {firm.roof}",
        "Design",
    )
    with services.db.read() as session:
        actions = list(
            session.execute(
                select(m.AuditEvent.action).where(
                    m.AuditEvent.action.in_(["document.create", "wip.process"])  # type: ignore[attr-defined]
                )
            ).scalars()
        )
    assert actions.count("document.create") == 4 and actions.count("wip.process") == 1
    report = run_check(services.db)
    assert report.ok, report.lines()
    with pytest.raises(NothingToProcess):
        wip.process(firm.manager)


def _assert_records_match_lines(services: Services) -> None:
    with services.db.read() as session:
        for doc in session.execute(select(m.DocumentRecord)).scalars():
            sums = session.execute(
                select(
                    func.count(),
                    func.sum(m.DocumentLine.minutes),
                    func.sum(m.DocumentLine.value_cents),
                    func.sum(m.DocumentLine.billed_cents),
                    func.sum(m.DocumentLine.write_down_cents),
                ).where(m.DocumentLine.document_id == doc.id)
            ).one()
            assert sums[0] > 0
            assert tuple(sums[1:]) == (
                doc.total_minutes,
                doc.value_cents,
                doc.billed_cents,
                doc.write_down_cents,
            )


def test_processing_per_project_and_for_one_client(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    _allocate_a_month(services, firm)
    result = wip.process(firm.manager, per_project=True, client_id=firm.acme)
    summary = [(d.kind, d.project_name, d.entries, d.billed.cents) for d in result.documents]
    assert summary == [
        ("invoice", "Roof", 2, 6000 + 5000),
        ("invoice", "Hall", 1, 12000),
        ("write_down", "Hall", 1, 0),
    ]
    assert {d.project_id for d in result.documents} == {firm.roof, firm.hall}
    # Bolt's work is untouched and processes on its own later.
    assert _count(services, m.TimeEntry, m.TimeEntry.status == "allocated") == 2
    rest = wip.process(firm.manager)
    assert [d.client_name for d in rest.documents] == ["Bolt GmbH", "Bolt GmbH"]
    assert [d.reference for d in rest.documents] == ["DR-000004", "DR-000005"]
    assert run_check(services.db).ok


def test_dry_run_shows_the_same_result_and_writes_nothing(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    _allocate_a_month(services, firm)
    counted = (m.DocumentRecord, m.DocumentLine, m.AuditEvent, m.ChangeEvent)
    before = [_count(services, model) for model in counted]
    allocated = _count(services, m.TimeEntry, m.TimeEntry.status == "allocated")
    dry = wip.process(firm.manager, dry_run=True)
    assert [_count(services, model) for model in counted] == before
    assert _count(services, m.TimeEntry, m.TimeEntry.status == "allocated") == allocated == 6
    assert dry.dry_run and {d.id for d in dry.documents} == {None}
    assert {d.reference for d in dry.documents} == {"(new)"}
    real = wip.process(firm.manager)
    strip = [(d.kind, d.client_id, d.entries, d.minutes, d.value, d.billed) for d in real.documents]
    assert strip == [
        (d.kind, d.client_id, d.entries, d.minutes, d.value, d.billed) for d in dry.documents
    ]
    assert (dry.totals, dry.billed, dry.written_down) == (
        real.totals,
        real.billed,
        real.written_down,
    )
    empty = wip.process(firm.manager, dry_run=True)
    assert empty.documents == () and empty.totals.entries == 0


def test_held_work_is_billed_only_once_its_date_has_passed(
    services: Services, firm: Firm, clock: FixedClock
) -> None:
    wip = _wip(services)
    dated = _entry(services, firm, firm.roof, 60)
    open_ended = _entry(services, firm, firm.roof, 30)
    wip.allocate(firm.manager, [dated], AllocationForm(kind="hold", hold_until="2026-03-20"))
    wip.allocate(firm.manager, [open_ended], AllocationForm(kind="hold"))
    with pytest.raises(NothingToProcess):
        wip.process(firm.manager)
    clock.advance(days=9)  # 2026-03-19
    with pytest.raises(NothingToProcess):
        wip.process(firm.manager)
    with pytest.raises(ValidationError) as caught:
        wip.process(firm.manager, as_of=date(2026, 3, 20))
    assert caught.value.problems[0].field == "as_of"
    clock.advance(days=1)  # 2026-03-20
    result = wip.process(firm.manager)
    assert [(d.kind, d.entries, d.billed.cents) for d in result.documents] == [("invoice", 1, 6000)]
    assert _entry_row(services, dated).status == "processed"
    assert _entry_row(services, open_ended).status == "allocated"


def test_processed_entries_and_records_are_frozen(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    made = _allocate_a_month(services, firm)
    result = wip.process(firm.manager)
    ident = made["bill"][0]
    with pytest.raises(LedgerError), services.db.write() as session:
        row = session.get(m.TimeEntry, ident)
        assert row is not None
        row.minutes = 600
    with pytest.raises(LedgerError), services.db.write() as session:
        session.execute(
            update(m.TimeEntry).where(m.TimeEntry.id == ident).values(status="allocated")
        )
    with pytest.raises(LedgerError), services.db.write() as session:
        session.execute(update(m.DocumentLine).values(billed_cents=1))
    with pytest.raises(LedgerError), services.db.write() as session:
        session.execute(update(m.DocumentRecord).values(billed_cents=1))
    assert _entry_row(services, ident).minutes == 60
    # Nothing in WIP can touch them any more either.
    again = wip.allocate(firm.manager, [ident], WRITE_OFF)
    assert again.entry_ids == () and "processed" in again.skipped[0].reason
    assert wip.release(firm.manager, [ident]).entry_ids == ()
    assert run_check(services.db).ok
    assert result.documents[0].id is not None


def test_references_continue_after_the_highest_existing_number(
    services: Services, firm: Firm
) -> None:
    wip = _wip(services)
    with services.db.write() as session:
        session.add(
            m.DocumentRecord(
                reference="DR-000041",
                kind="invoice",
                client_id=firm.bolt,
                created_by_id=firm.admin.user_id,
                created_at=services.clock.now(),
            )
        )
    wip.allocate(firm.manager, [_entry(services, firm, firm.roof, 60)], BILL)
    result = wip.process(firm.manager)
    assert [d.reference for d in result.documents] == ["DR-000042"]


# ----------------------------------------------------------------------------------------------
# document records and realisation
# ----------------------------------------------------------------------------------------------


def test_documents_list_newest_first_with_their_invoice(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    _allocate_a_month(services, firm)
    wip.process(firm.manager)
    listed = wip.documents(firm.manager)
    assert [d.reference for d in listed] == ["DR-000004", "DR-000003", "DR-000002", "DR-000001"]
    assert [d.entries for d in listed] == [1, 1, 1, 3]
    acme_invoice = listed[-1]
    with services.db.write() as session:
        series = m.InvoiceSeries(code="FV", name="Invoices", prefix="FV/")
        session.add(series)
        session.flush()
        session.add(
            m.Invoice(
                series_id=series.id,
                client_id=firm.acme,
                document_id=acme_invoice.id,
                created_by_id=firm.admin.user_id,
                created_at=services.clock.now(),
            )
        )
    invoices = wip.documents(firm.manager, kind="invoice")
    assert [d.reference for d in invoices] == ["DR-000003", "DR-000001"]
    drafted = invoices[-1]
    assert drafted.invoice_id is not None and drafted.invoice_number is None
    open_ones = wip.documents(firm.manager, uninvoiced_only=True)
    assert [d.reference for d in open_ones] == ["DR-000003"]
    assert [d.kind for d in wip.documents(firm.manager, client_id=firm.bolt)] == [
        "write_down",
        "invoice",
    ]
    # Whoever may use the Documenter or issue invoices may list the records too, without
    # managing WIP; taking invoice.issue away from accountants closes it again.
    lines = wip.document_lines(firm.accountant, acme_invoice.id or 0)
    services.permissions.set_grant(firm.admin, Role.ACCOUNTANT, Perm.INVOICE_ISSUE, False)
    with pytest.raises(PermissionDenied):
        wip.document_lines(firm.accountant, acme_invoice.id or 0)
    services.permissions.set_grant(firm.admin, Role.ACCOUNTANT, Perm.DOCUMENTER_USE, True)
    lines = wip.document_lines(firm.accountant, acme_invoice.id or 0)
    assert sum(line.billed.cents for line in lines) == acme_invoice.billed.cents == 23000
    with pytest.raises(PermissionDenied):
        wip.groups(firm.accountant)
    with pytest.raises(NotFound):
        wip.document_lines(firm.manager, 99_999)
    with pytest.raises(ValidationError):
        wip.documents(firm.manager, kind="receipt")


def test_realisation_per_client_and_per_staff_member(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    _allocate_a_month(services, firm)
    early = _entry(services, firm, firm.web, 60, owner=firm.bob, day=date(2026, 2, 1))
    wip.allocate(firm.manager, [early], BILL)
    wip.process(firm.manager)
    by_client = {r.name: r for r in wip.realisation(firm.manager)}
    # Acme: value 60+120+60+30 = 270.00; billed 60+120+50 = 230.00; down 10+30 = 40.00.
    acme = by_client["Acme Ltd"]
    assert (acme.value.cents, acme.billed.cents, acme.written_down.cents) == (27000, 23000, 4000)
    assert acme.realisation_bp == 8519  # 230 / 270 = 0.851851… → 85.19 %
    # Bolt: value 90+45+60 = 195.00; billed 90+60 = 150.00 → 76.92 % (0.769230…).
    bolt = by_client["Bolt GmbH"]
    assert (bolt.value.cents, bolt.billed.cents, bolt.realisation_bp) == (19500, 15000, 7692)
    by_staff = {r.name: r for r in wip.realisation(firm.manager, by="staff")}
    assert set(by_staff) == {"Ann Architect", "Bob Builder"}
    # Bob: hall 120.00 billed, roof 60.00 less 10.00, web 60.00 (February): 240 / 230.
    bob = by_staff["Bob Builder"]
    assert (bob.key_id, bob.value.cents, bob.billed.cents) == (firm.bob, 24000, 23000)
    assert bob.realisation_bp == 9583  # 0.958333…
    # Ann: roof 60 + web 90 billed, hall 30 + web 45 written off: 150 / 225 = 66.67 %.
    ann = by_staff["Ann Architect"]
    assert (ann.value.cents, ann.billed.cents, ann.realisation_bp) == (22500, 15000, 6667)
    march = {
        r.name: r for r in wip.realisation(firm.manager, by="staff", date_from=TODAY.replace(day=1))
    }
    assert march["Bob Builder"].value.cents == 18000
    with pytest.raises(ValidationError) as caught:
        wip.realisation(firm.manager, by="month", date_from=TODAY, date_to=date(2026, 1, 1))
    assert {p.field for p in caught.value.problems} == {"by", "date_to"}


def test_realisation_of_nothing_is_zero(services: Services, firm: Firm) -> None:
    wip = _wip(services)
    ident = _entry(services, firm, firm.roof, 60)
    with services.db.write() as session:
        session.execute(update(m.TimeEntry).where(m.TimeEntry.id == ident).values(value_cents=0))
    wip.allocate(firm.manager, [ident], WRITE_OFF)
    wip.process(firm.manager)
    (row,) = wip.realisation(firm.manager)
    assert (row.value.cents, row.billed.cents, row.realisation_bp) == (0, 0, 0)


# ----------------------------------------------------------------------------------------------
# the last line of defence: a conditional UPDATE that changed fewer rows than planned
# ----------------------------------------------------------------------------------------------


def test_processing_writes_nothing_when_an_entry_changed_meanwhile(
    services: Services, firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    wip = _wip(services)
    made = _allocate_a_month(services, firm)
    stray = _entry(services, firm, firm.roof, 30)  # approved: someone released it meanwhile
    planned = wip_module._group_into_documents

    def stale_plan(rows: Any, per_project: bool) -> Any:
        documents = planned(rows, per_project)
        stale = SimpleNamespace(**{**documents[0].rows[0]._mapping, "id": stray})
        documents[0].rows.append(stale)
        return documents

    monkeypatch.setattr(wip_module, "_group_into_documents", stale_plan)
    counted = (m.DocumentRecord, m.DocumentLine, m.AuditEvent)
    before = [_count(services, model) for model in counted]
    with pytest.raises(ConflictError, match="someone else changed"):
        wip.process(firm.manager)
    assert [_count(services, model) for model in counted] == before
    assert {_entry_row(services, i).status for ids in made.values() for i in ids} == {"allocated"}
    assert _entry_row(services, stray).status == "approved"


def test_allocation_writes_nothing_when_an_entry_changed_meanwhile(
    services: Services, firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    wip = _wip(services)
    fresh = _entry(services, firm, firm.roof, 60)
    gone = _entry(services, firm, firm.roof, 30)
    wip.allocate(firm.manager, [gone], BILL)
    wip.process(firm.manager)
    loaded = wip_module._load_entries

    def stale_read(session: Any, ids: Any, *, lock: bool) -> Any:
        rows = loaded(session, ids, lock=lock)
        rows[gone] = SimpleNamespace(**{**rows[gone]._mapping, "status": "approved"})
        return rows

    monkeypatch.setattr(wip_module, "_load_entries", stale_read)
    with pytest.raises(ConflictError, match="Only 1 of 2 entries could be allocated"):
        wip.allocate(firm.manager, [fresh, gone], WRITE_OFF)
    assert _entry_row(services, fresh).status == "approved"
    assert _entry_row(services, gone).status == "processed"


def test_accountants_see_document_records_to_issue_them(services, admin) -> None:  # type: ignore[no-untyped-def]
    """The default accountant issues invoices, so the Documenter's record list is open to them."""
    from tektoro_tui.services.pipeline.wip import WipService

    accountant = add_person(services, admin, "Acc", "accountant", password="acc-pass-123")
    assert WipService(services.db, services.clock).documents(accountant) == ()
