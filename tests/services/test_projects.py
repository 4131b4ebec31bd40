"""Projects as contracts: settlement invoices, change orders, recorded invoices, the balance.

Every figure is worked out by hand in the test's docstring. The clock stands at 2026-03-10.
"""

from __future__ import annotations

import email
import io
import json
from dataclasses import dataclass
from datetime import date
from email.policy import default as default_policy
from pathlib import Path

import pytest
from pypdf import PdfReader
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
from tektoro_tui.services.administration.presets import ProjectForm
from tektoro_tui.services.base import Actor
from tektoro_tui.services.check import run_check
from tektoro_tui.services.hub import Services
from tektoro_tui.services.invoicing.views import MarkPaidForm
from tektoro_tui.services.pipeline.views import AllocationForm
from tektoro_tui.services.projects.views import (
    ChangeForm,
    CostForm,
    ExternalForm,
    SettlementForm,
)
from tests.builders import (
    add_codes,
    add_person,
    add_time_cards,
    approve_all,
    bill,
    set_organisation,
)


def eur(text_: str) -> Money:
    return Money.parse(text_, "EUR")


@dataclass
class Firm:
    services: Services
    admin: Actor
    accountant: Actor
    manager: Actor
    pm: Actor
    client_id: int


@pytest.fixture
def firm(services: Services, admin: Actor) -> Firm:
    set_organisation(
        services, billing_address="1 Main St", tax_id="PL1234567890", default_vat_bp=2300
    )
    accountant = add_person(services, admin, "Adam Accountant", "accountant")
    manager = add_person(services, admin, "Mona Manager", "manager")
    pm = add_person(services, admin, "Pia Projectmanager", "project_manager")
    client_id = services.presets.save_company(admin, _company("Acme Build")).id
    return Firm(services, admin, accountant, manager, pm, client_id)


def _company(name: str):  # type: ignore[no-untyped-def]
    from tektoro_tui.services.administration.presets import CompanyForm

    return CompanyForm(name=name, email="office@acme.example")


def fixed_project(firm: Firm, name: str, amount: str, **extra: object) -> int:
    form = ProjectForm(name, firm.client_id, valuation="fixed", contract_amount=amount, **extra)  # type: ignore[arg-type]
    return firm.services.presets.save_project(firm.admin, form).id


def issue(firm: Firm, project: str | int, **fields: str | bool) -> object:
    return firm.services.projects.issue(firm.accountant, project, SettlementForm(**fields))  # type: ignore[arg-type]


# --- a fixed contract settled by partial invoices and a total -----------------------------------


def test_fixed_contract_with_a_change_by_three_partials_and_a_total(firm: Firm) -> None:
    """Contract 100,000.00; change 1 of +12,500.00 approved: 112,500.00 in all.

    Partial 1: net 30,000.00, VAT 23 % 6,900.00, gross 36,900.00 (left 82,500.00).
    Partial 2: net 40,000.00, VAT 9,200.00, gross 49,200.00 (left 42,500.00).
    Partial 3, settling change 1: net 20,000.00, VAT 4,600.00, gross 24,600.00 (left 22,500.00).
    Total: the suggestion is the rest, 22,500.00; VAT 5,175.00; gross 27,675.00.
    Invoiced net 112,500.00 = the contract with its change; nothing may follow.
    """
    services = firm.services
    pid = fixed_project(firm, "Warehouse", "100000")
    change = services.projects.add_change(
        firm.manager, pid, ChangeForm("Extra loading dock", "2026-01-15", "12500", approved=True)
    )
    assert change.number == 1 and change.amount == eur("12500")

    first = issue(firm, pid, kind="partial", net="30000", issue_date="2026-02-01")
    assert (first.net, first.vat, first.gross) == (eur("30000"), eur("6900"), eur("36900"))  # type: ignore[attr-defined]
    assert first.number == "INV/2026/00001"  # type: ignore[attr-defined]
    issue(firm, pid, kind="partial", net="40000", issue_date="2026-02-15")

    over = services.projects.suggest(firm.accountant, pid, "partial")
    assert over.suggestion.net == eur("42500")
    assert [(line.label, line.amount) for line in over.suggestion.lines] == [
        ("Contract amount", eur("100000")),
        ("Approved changes", eur("12500")),
        ("Contract with changes", eur("112500")),
        ("Net invoiced so far", eur("70000")),
        ("Left to invoice", eur("42500")),
    ]
    with pytest.raises(ValidationError) as refused:
        issue(firm, pid, kind="partial", net="42500.01")
    assert refused.value.problems[0].field == "net"
    assert "42,500.00" in refused.value.problems[0].message

    third = issue(firm, pid, kind="partial", net="20000", change_number="1")
    assert third.gross == eur("24600")  # type: ignore[attr-defined]
    total = issue(firm, pid, kind="total")
    assert (total.net, total.vat, total.gross) == (eur("22500"), eur("5175"), eur("27675"))  # type: ignore[attr-defined]

    detail = services.projects.detail(firm.accountant, pid)
    assert detail.row.invoiced == eur("112500")
    assert detail.balance.left_to_invoice == eur("0")
    assert [row.change_number for row in detail.invoices] == [None, None, 1, None]
    assert detail.next_kinds == ()
    with pytest.raises(IllegalTransition) as after_total:
        issue(firm, pid, kind="partial", net="1")
    assert "total invoice INV/2026/00004 settled the project" in after_total.value.message

    # a credit note for the total reopens the project for exactly what it took back
    services.invoices.credit_note(firm.accountant, "INV/2026/00004", reason="wrong scope")
    again = services.projects.suggest(firm.accountant, pid, "total")
    assert again.suggestion.net == eur("22500")


def test_method_switch_and_advance_on_time_and_material_are_refused(firm: Firm) -> None:
    """The first invoice fixes the method; advances only on fixed contracts."""
    services = firm.services
    pid = fixed_project(firm, "Depot", "50000")
    issue(firm, pid, kind="advance", net="10000")
    with pytest.raises(IllegalTransition) as switched:
        issue(firm, pid, kind="partial", net="100")
    assert "advance invoices and a final invoice" in switched.value.message
    tm = services.presets.save_project(
        firm.admin, ProjectForm("Repairs", firm.client_id, valuation="tm")
    ).id
    with pytest.raises(IllegalTransition) as advance:
        issue(firm, tm, kind="advance", net="100")
    assert "time-and-material project is settled by partial and total" in advance.value.message
    with pytest.raises(ValidationError) as unknown:
        issue(firm, pid, kind="deposit", net="100")
    assert unknown.value.problems[0].field == "kind"


# --- advances and a final invoice -----------------------------------------------------------------


def test_advances_of_30_and_20_percent_then_a_final_asks_for_exactly_the_rest(firm: Firm) -> None:
    """Contract 100,000.00 at 23 % VAT: 123,000.00 gross in all.

    Advance 1 (30 %): net 30,000.00, VAT 6,900.00, gross 36,900.00.
    Advance 2 (20 %): net 20,000.00, VAT 4,600.00, gross 24,600.00.
    Final: 100,000.00 / 23,000.00, less 30,000.00 / 6,900.00 and 20,000.00 / 4,600.00:
    net 50,000.00, VAT 11,500.00, gross 61,500.00 = 123,000.00 - 36,900.00 - 24,600.00.
    """
    pid = fixed_project(firm, "School", "100000")
    issue(firm, pid, kind="advance", net="30000", issue_date="2026-01-10")
    issue(firm, pid, kind="advance", net="20000", issue_date="2026-02-10")
    final = issue(firm, pid, kind="final")
    assert [(d, n, r, v) for d, n, r, v in final.lines] == [  # type: ignore[attr-defined]
        ("School", eur("100000"), 2300, eur("23000")),
        ("Less advance invoice INV/2026/00001 (VAT 23 %)", eur("-30000"), 2300, eur("-6900")),
        ("Less advance invoice INV/2026/00002 (VAT 23 %)", eur("-20000"), 2300, eur("-4600")),
    ]
    assert (final.net, final.vat, final.gross) == (eur("50000"), eur("11500"), eur("61500"))  # type: ignore[attr-defined]
    assert eur("36900") + eur("24600") + final.gross == eur("123000")  # type: ignore[attr-defined]
    with pytest.raises(IllegalTransition):
        issue(firm, pid, kind="advance", net="1")


def test_a_final_deducts_each_advance_at_its_own_rate(firm: Firm) -> None:
    """Advance 1: 30,000.00 at 23 % (VAT 6,900.00); advance 2: 20,000.00 at 8 % (VAT 1,600.00).

    Final at 23 %: 100,000.00 / 23,000.00 less both: net 50,000.00, VAT 14,500.00,
    gross 64,500.00 = 123,000.00 - 36,900.00 - 21,600.00.
    """
    pid = fixed_project(firm, "Clinic", "100000")
    issue(firm, pid, kind="advance", net="30000", issue_date="2026-01-10")
    issue(firm, pid, kind="advance", net="20000", vat_rate="8", issue_date="2026-02-10")
    final = issue(firm, pid, kind="final")
    assert (final.net, final.vat, final.gross) == (eur("50000"), eur("14500"), eur("64500"))  # type: ignore[attr-defined]
    assert final.lines[2][2:] == (800, eur("-1600"))  # type: ignore[attr-defined]


# --- time and material ----------------------------------------------------------------------------


def test_time_and_material_suggestion_lists_each_component(firm: Firm) -> None:
    """T&M project, rate 100.00/h. Approved: 2:00 + 3:30 = 5:30 h → labour 550.00.
    Draft 1:00 is left out and named. Costs: material 1,200.00; salary 300.00 (other labour);
    equipment 250.00 + other 49.99 = 299.99 (other costs). Accrued 2,349.99.
    A partial of 1,000.00 was issued: outstanding 1,349.99 (the suggestion).
    """
    services = firm.services
    codes = add_codes(
        services,
        firm.admin,
        firm.client_id,
        ProjectForm("Maintenance", None, valuation="tm"),
        hourly_rate="100",
    )
    carl = add_person(
        services, firm.admin, "Carl Crew", "staff", pay_rate="40", supervisor_id=firm.admin.user_id
    )
    ids = add_time_cards(
        services, carl, [codes.card("2:00", "2026-03-02"), codes.card("3:30", "2026-03-03")]
    )
    approve_all(services, ids, firm.admin)
    add_time_cards(services, carl, [codes.card("1:00", "2026-03-04")])
    costs = services.costs
    for kind, amount in (
        ("material", "1200"),
        ("salary", "300"),
        ("equipment", "250"),
        ("other", "49.99"),
    ):
        costs.add(
            firm.pm if False else firm.accountant,
            CostForm(str(codes.project_id), f"{kind} cost", "FV/1", "", "2026-03-05", kind, amount),
        )
    issue(firm, codes.project_id, kind="partial", net="1000")
    view = services.projects.suggest(firm.accountant, codes.project_id, "partial")
    assert [(line.label, line.amount) for line in view.suggestion.lines] == [
        ("Current labour cost", eur("550")),
        ("Current material costs", eur("1200")),
        ("Other labour", eur("300")),
        ("Current other costs", eur("299.99")),
        ("Summary of work and materials", eur("2349.99")),
        ("Amount invoiced in other invoices", eur("1000")),
        ("Outstanding balance without invoice", eur("1349.99")),
    ]
    assert view.suggestion.net == eur("1349.99")
    assert any("1 entries (1:00 h) not approved yet" in note for note in view.notes)

    balance = services.projects.balance(firm.accountant, codes.project_id).balance
    # labour at Carl's pay rate 40.00/h: 5:30 h = 220.00
    assert dict(balance.costs)["labour"] == eur("220")
    assert balance.total_costs == eur("220") + eur("2349.99") - eur("550")
    assert balance.result == eur("1000") - balance.total_costs


def test_a_project_is_billed_one_way_only(firm: Firm) -> None:
    """Time processed through WIP bills the project there: settlement invoices are refused;
    time of a settlement-billed project is refused in WIP."""
    services = firm.services
    codes = add_codes(services, firm.admin, firm.client_id, "Piping", hourly_rate="100")
    carl = add_person(services, firm.admin, "Carl Crew", "staff", supervisor_id=firm.admin.user_id)
    ids = add_time_cards(services, carl, [codes.card("1:00", "2026-03-02")])
    approve_all(services, ids, firm.admin)
    bill(services, firm.admin, ids)
    with pytest.raises(IllegalTransition) as refused:
        issue(firm, codes.project_id, kind="partial", net="10")
    assert "billed through WIP and the Documenter" in refused.value.message

    other = add_codes(services, firm.admin, firm.client_id, "Tiling", "Lay", "Tile", "T2", "80")
    issue(firm, other.project_id, kind="partial", net="500")
    more = add_time_cards(services, carl, [other.card("2:00", "2026-03-03")])
    approve_all(services, more, firm.admin)
    result = services.wip.allocate(firm.admin, more, AllocationForm(kind="bill"))
    assert [skip.reason for skip in result.skipped] == [
        "Tiling: settled by project invoices; its time is never billed through WIP "
        "(a project is billed one way or the other)"
    ]
    groups = {group.project_id: group for group in services.wip.groups(firm.admin)}
    assert groups[other.project_id].settled_by_invoices
    assert not groups[codes.project_id].settled_by_invoices if codes.project_id in groups else True


def test_time_allocated_before_a_settlement_invoice_is_not_processed(firm: Firm) -> None:
    services = firm.services
    codes = add_codes(services, firm.admin, firm.client_id, "Roofing", hourly_rate="100")
    carl = add_person(services, firm.admin, "Carl Crew", "staff", supervisor_id=firm.admin.user_id)
    ids = add_time_cards(services, carl, [codes.card("1:00", "2026-03-02")])
    approve_all(services, ids, firm.admin)
    services.wip.allocate(firm.admin, ids, AllocationForm(kind="bill"))
    issue(firm, codes.project_id, kind="partial", net="100")
    with pytest.raises(IllegalTransition) as refused:
        services.wip.process(firm.admin)
    assert "Roofing: settled by project invoices" in refused.value.message


# --- recorded invoices --------------------------------------------------------------------------


def test_an_external_invoice_counts_never_takes_our_number_and_is_frozen(
    firm: Firm, tmp_path: Path
) -> None:
    """Contract 80,000.00. Recorded FV/2026/17 (net 20,000.00, VAT 4,600.00) then ours:
    the suggestion is 60,000.00 and ours is INV/2026/00001."""
    services = firm.services
    pid = fixed_project(firm, "Bridge", "80000")
    pdf = tmp_path / "fv17.pdf"
    pdf.write_bytes(b"%PDF-1.4 recorded elsewhere")
    recorded = services.projects.record_external(
        firm.accountant,
        pid,
        ExternalForm(
            number="FV/2026/17",
            issue_date="2026-02-03",
            net="20000",
            vat="4600",
            gross="24600",
            attachment=str(pdf),
        ),
    )
    assert recorded.number == "FV/2026/17" and recorded.gross == eur("24600")
    assert services.projects.suggest(firm.accountant, pid, "partial").suggestion.net == eur("60000")
    ours = issue(firm, pid, kind="partial", net="10000")
    assert ours.number == "INV/2026/00001"  # type: ignore[attr-defined]

    with pytest.raises(ValidationError) as again:
        services.projects.record_external(
            firm.accountant,
            pid,
            ExternalForm(number="FV/2026/17", issue_date="2026-02-03", net="1", vat="0"),
        )
    assert again.value.problems[0].field == "number"
    with pytest.raises(ValidationError) as bad_gross:
        services.projects.record_external(
            firm.accountant,
            pid,
            ExternalForm(
                number="FV/2026/18", issue_date="2026-02-03", net="100", vat="23", gross="124"
            ),
        )
    assert [p.field for p in bad_gross.value.problems] == ["gross"]

    with pytest.raises(LedgerError), services.db.write() as session:
        session.execute(
            text("UPDATE invoice SET external_number = 'FV/X' WHERE id = :id"),
            {"id": recorded.invoice_id},
        )
    with pytest.raises(LedgerError), services.db.write() as session:
        session.execute(text("DELETE FROM invoice_attachment"))

    with pytest.raises(IllegalTransition) as ours:
        services.client_invoices.cancel(firm.accountant, "FV/2026/17", "wrong")
    assert "record the credit note that program issued" in ours.value.message
    paid = services.client_invoices.mark_paid(firm.accountant, "FV/2026/17", MarkPaidForm())
    assert (paid.number, paid.status, paid.external) == ("FV/2026/17", "paid", True)
    with pytest.raises(IllegalTransition):  # paid: a credit note no longer cancels it
        services.projects.record_external(
            firm.accountant,
            pid,
            ExternalForm(number="KOR/2026/1", issue_date="2026-03-01", credits="FV/2026/17"),
        )
    other = services.projects.record_external(
        firm.accountant,
        pid,
        ExternalForm(number="FV/2026/19", issue_date="2026-02-04", net="1000", vat="230"),
    )
    assert other.paid == eur("0")
    note = services.projects.record_external(
        firm.accountant,
        pid,
        ExternalForm(number="KOR/2026/2", issue_date="2026-03-01", credits="FV/2026/19"),
    )
    assert note.gross == eur("-1230")
    # 80,000.00 - 20,000.00 recorded and paid - 10,000.00 ours (FV/2026/19 is cancelled)
    assert services.projects.suggest(firm.accountant, pid, "partial").suggestion.net == eur("50000")
    report = run_check(services.db)
    assert report.ok, report.failures


# --- who may do what ------------------------------------------------------------------------------


def test_rights_follow_the_seed(firm: Firm) -> None:
    """Accountant issues; manager sees but may not issue; a PM sees only their projects."""
    services = firm.services
    mine = fixed_project(firm, "Mine", "1000", project_manager_id=firm.pm.user_id)
    theirs = fixed_project(firm, "Theirs", "1000")
    with pytest.raises(PermissionDenied):
        services.projects.issue(firm.manager, mine, SettlementForm(kind="partial", net="10"))
    assert services.projects.detail(firm.manager, theirs).row.name == "Theirs"
    names = [row.name for row in services.projects.list(firm.pm).rows]
    assert names == ["Mine"]
    with pytest.raises(NotFound):
        services.projects.detail(firm.pm, theirs)
    with pytest.raises(ValidationError) as hidden:
        services.costs.add(
            firm.pm, CostForm(str(theirs), "Cement", "", "", "2026-03-01", "material", "10")
        )
    assert hidden.value.problems[0].field == "project"
    cost = services.costs.add(
        firm.pm, CostForm(str(mine), "Cement", "", "", "2026-03-01", "material", "10")
    )
    assert [c.id for c in services.costs.list(firm.pm).rows] == [cost.id]
    with pytest.raises(PermissionDenied):
        services.costs.export(firm.accountant, "csv", Path("/tmp/never.csv"))


def test_the_register_pages_its_newest_costs_and_exports_every_one_as_read(
    firm: Firm, tmp_path: Path
) -> None:
    """A screen reads the newest costs a page at a time, with the count and totals of all that
    match (summed by the database); the export writes every cost as it is read, the same
    file as the whole table gives, telling its progress."""
    import openpyxl

    from tektoro_tui.services.base import write_table
    from tektoro_tui.services.projects.views import CostFilter

    services, clerk = firm.services, firm.accountant
    hall, shed = fixed_project(firm, "Hall", "1000"), fixed_project(firm, "Shed", "500")
    for project, name, day, kind, amount in (
        (hall, "Cement", "2026-03-01", "material", "10.10"),
        (shed, "Wages", "2026-03-04", "salary", "1200"),
        (hall, "Crane", "2026-03-02", "equipment", "99.99"),
        (shed, "Sand", "2026-03-03", "material", "7.00"),
        (hall, "Permit", "2026-03-05", "other", "45.50"),
    ):
        services.costs.add(clerk, CostForm(str(project), name, "", "", day, kind, amount))
    whole = services.costs.list(clerk)
    assert [c.name for c in whole.rows] == ["Permit", "Wages", "Sand", "Crane", "Cement"]
    assert whole.count is None and whole.total_count == 5 and whole.total == eur("1362.59")
    assert dict(whole.by_type) == {
        "material": eur("17.10"),
        "salary": eur("1200"),
        "equipment": eur("99.99"),
        "other": eur("45.50"),
    }
    page = services.costs.list(clerk, limit=2)
    assert page.rows == whole.rows[:2] and (page.count, page.total_count) == (5, 5)
    assert (page.total, page.by_type) == (whole.total, whole.by_type)
    sand = services.costs.list(clerk, CostFilter(search="sand"), limit=2)
    assert [c.name for c in sand.rows] == ["Sand"] and sand.total == eur("7.00")
    assert (sand.count, dict(sand.by_type)["salary"]) == (1, eur("0"))

    admin = firm.admin  # exporting needs "Export the invoice list"
    for fmt in ("csv", "xlsx"):
        told: list[tuple[int, int]] = []

        def progress(done: int, expected: int, told: list[tuple[int, int]] = told) -> None:
            told.append((done, expected))

        streamed = services.costs.export(admin, fmt, tmp_path / f"s.{fmt}", progress=progress)
        held = write_table(services.costs.table(admin), fmt, tmp_path / f"h.{fmt}")
        assert told[-1] == (5, 5)
        if fmt == "csv":
            text_ = streamed.read_text(encoding="utf-8-sig")
            assert text_ == held.read_text(encoding="utf-8-sig") and "Total,,5 costs" in text_
        else:
            cells = [
                [
                    list(row)
                    for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True)
                ]
                for path in (streamed, held)
            ]
            assert cells[0] == cells[1] and len(cells[0]) >= 7


def test_cost_edit_is_versioned_and_every_field_is_checked(firm: Firm) -> None:
    services = firm.services
    pid = fixed_project(firm, "Hall", "1000")
    with pytest.raises(ValidationError) as bad:
        services.costs.add(
            firm.accountant, CostForm(str(pid), "", "", "", "31.02.2026", "food", "-1")
        )
    assert {p.field for p in bad.value.problems} == {"name", "cost_date", "cost_type", "amount"}
    cost = services.costs.add(
        firm.accountant, CostForm(str(pid), "Scaffold", "", "", "2026-03-01", "equipment", "99.50")
    )
    edited = services.costs.edit(
        firm.accountant,
        cost.id,
        CostForm("", "Scaffold hire", "", "", "2026-03-01", "equipment", "120"),
        version=cost.version,
    )
    assert edited.amount == eur("120") and edited.version == cost.version + 1
    with pytest.raises(StaleEdit):
        services.costs.edit(
            firm.accountant,
            cost.id,
            CostForm("", "x", "", "", "", "other", "1"),
            version=cost.version,
        )
    services.costs.delete(firm.accountant, cost.id, version=edited.version)
    assert services.costs.list(firm.accountant).rows == ()
    with services.db.read() as session:
        actions = (
            session.execute(
                select(m.AuditEvent.action).where(m.AuditEvent.entity == "project_cost")
            )
            .scalars()
            .all()
        )
    assert actions == ["project_cost.add", "project_cost.edit", "project_cost.delete"]


def test_dry_run_writes_nothing(firm: Firm) -> None:
    services = firm.services
    pid = fixed_project(firm, "Kiosk", "5000")
    result = services.projects.issue(
        firm.accountant, pid, SettlementForm(kind="partial", net="100"), dry_run=True
    )
    assert result.dry_run and result.gross == eur("123")
    with services.db.read() as session:
        assert session.execute(select(m.Invoice.id)).first() is None


def test_paid_in_full_and_progress_are_recorded_with_the_invoice(firm: Firm) -> None:
    services = firm.services
    pid = fixed_project(firm, "Shed", "2000")
    issue(firm, pid, kind="partial", net="1000", paid_in_full=True, progress_pct="40")
    detail = services.projects.detail(firm.accountant, pid)
    assert detail.row.progress_pct == 40
    assert detail.invoices[0].status == "paid" and detail.invoices[0].paid == eur("1230")
    assert detail.balance.paid == eur("1230") and detail.balance.outstanding == eur("0")
    _ = date  # the clock's date is the default issue date


def test_a_client_period_invoice_counts_in_each_project_it_bills(world) -> None:  # type: ignore[no-untyped-def]
    """The finance world's invoice of Acme's period (no project of its own) bills 3 × 200.00 of
    Roof's time: Roof shows 600.00 invoiced (738.00 gross, nothing paid) and is billed through
    the time pipeline, so no settlement invoice is offered or accepted."""
    projects = world.services.projects
    detail = projects.detail(world.accountant, "Roof")
    assert detail.row.billing == "time" and detail.next_kinds == ()
    assert detail.row.invoiced == eur("600") and detail.balance.outstanding == eur("738")
    with pytest.raises(IllegalTransition):
        projects.issue(world.accountant, "Roof", SettlementForm(kind="partial", net="1"))
    months = projects.balance(world.accountant, "Roof").months
    assert [(month.month, month.invoiced) for month in months if month.invoiced.cents] == [
        ("2026-02", eur("600"))
    ]


def test_a_settlement_invoice_is_mailed_to_the_chosen_contact(
    firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issued with send_to a contact of the client: marked sent and its PDF e-mailed there
    (a real SMTP server); a paid one is e-mailed as a copy and stays paid."""
    from aiosmtpd.controller import Controller

    from tektoro_tui.services.administration.presets import ContactForm
    from tests.services.test_mail import Mailbox, configure_smtp, free_port

    monkeypatch.delenv("TEKTORO_SMTP_PASSWORD", raising=False)
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        services = firm.services
        configure_smtp(services, firm.admin, port)
        services.presets.save_contact(
            firm.admin, ContactForm(firm.client_id, "Site Boss", "boss@acme.example")
        )
        pid = fixed_project(firm, "Mall", "10000")
        assert services.projects.addresses(firm.accountant, pid) == (
            "boss@acme.example",
            "office@acme.example",
        )
        sent = issue(firm, pid, kind="partial", net="1000", send_to="boss@acme.example")
        assert sent.sent == "sent to boss@acme.example"  # type: ignore[attr-defined]
        assert services.projects.detail(firm.accountant, pid).invoices[0].status == "sent"
        paid = issue(
            firm, pid, kind="partial", net="500", paid_in_full=True, send_to="office@acme.example"
        )
        assert paid.sent == "sent to office@acme.example"  # type: ignore[attr-defined]
        assert services.projects.detail(firm.accountant, pid).invoices[1].status == "paid"
        recipients = [rcpt for _sender, rcpt, _content in box.received]
        assert recipients == [["boss@acme.example"], ["office@acme.example"]]
        message = email.message_from_bytes(box.received[0][2], policy=default_policy)
        (attachment,) = list(message.iter_attachments())  # type: ignore[attr-defined]
        text_of_pdf = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(attachment.get_content())).pages
        )
        assert sent.number in text_of_pdf and "1,230.00" in text_of_pdf  # type: ignore[attr-defined]
        with pytest.raises(ValidationError) as bad:
            issue(firm, pid, kind="partial", net="1", send_to="not-an-address")
        assert bad.value.problems[0].field == "send_to"
    finally:
        controller.stop()


def test_a_cost_edited_after_a_tm_invoice_leaves_its_frozen_figures(firm: Firm) -> None:
    """T&M: material 1,000.00 → the partial suggests and takes 1,000.00, its explanation
    frozen with it; the cost is then edited to 1,500.00: the next suggestion is 500.00 and the
    issued invoice still says 1,000.00 of material."""
    services = firm.services
    pid = services.presets.save_project(
        firm.admin, ProjectForm("Boiler", firm.client_id, valuation="tm")
    ).id
    cost = services.costs.add(
        firm.accountant, CostForm(str(pid), "Pipes", "", "", "2026-03-01", "material", "1000")
    )
    issued = issue(firm, pid, kind="partial")
    assert issued.net == eur("1000")  # type: ignore[attr-defined]
    services.costs.edit(
        firm.accountant,
        cost.id,
        CostForm(str(pid), "Pipes", "", "", "2026-03-01", "material", "1500"),
        version=cost.version,
    )
    assert services.projects.suggest(firm.accountant, pid, "partial").suggestion.net == eur("500")
    with services.db.read() as session:
        basis = session.execute(
            select(m.Invoice.settlement_basis).where(m.Invoice.id == issued.invoice_id)  # type: ignore[attr-defined]
        ).scalar_one()
    lines = {line["label"]: line["cents"] for line in json.loads(basis)["lines"]}
    assert lines["Current material costs"] == 100_000
    assert lines["Outstanding balance without invoice"] == 100_000


def test_a_period_invoice_cancelled_by_a_credit_note_counts_for_nothing(world) -> None:  # type: ignore[no-untyped-def]
    """Acme's period invoice (600.00 of Roof's time) cancelled: Roof has nothing invoiced and
    the ledger still holds (the credit note keeps no project share)."""
    number = world.acme_invoice.number
    world.services.invoices.credit_note(world.accountant, number, reason="wrong period")
    detail = world.services.projects.detail(world.accountant, "Roof")
    assert detail.row.invoiced == eur("0") and detail.balance.outstanding == eur("0")
    report = run_check(world.services.db)
    assert report.ok, report.lines()


def test_a_contract_never_shrinks_below_what_its_invoices_took(firm: Firm) -> None:
    """Contract 10,000.00 with a partial of 8,000.00: an approved change of -3,000.00 (7,000.00)
    and a contract edited down to 7,999.99 are refused naming the field; -2,000.00 fits. A
    project settled by advances stays a fixed contract."""
    services = firm.services
    pid = fixed_project(firm, "Kiln", "10000")
    issue(firm, pid, kind="partial", net="8000")
    with pytest.raises(ValidationError) as change:
        services.projects.add_change(
            firm.manager, pid, ChangeForm("Less tiling", "2026-03-01", "-3000", approved=True)
        )
    assert change.value.problems[0].field == "amount"
    assert "7,000.00, below the 8,000.00" in change.value.problems[0].message
    proposed = services.projects.add_change(
        firm.manager, pid, ChangeForm("Less tiling", "2026-03-01", "-3000")
    )
    with pytest.raises(ValidationError):
        services.projects.edit_change(
            firm.manager,
            pid,
            proposed.number,
            ChangeForm("Less tiling", "2026-03-01", "-3000", approved=True),
            version=proposed.version,
        )
    services.projects.add_change(
        firm.manager, pid, ChangeForm("Less paint", "2026-03-01", "-2000", approved=True)
    )
    with pytest.raises(ValidationError) as lowered:
        services.presets.save_project(
            firm.admin, ProjectForm(contract_amount="9999.99"), pid
        )  # 9,999.99 - 2,000.00 < 8,000.00
    assert [p.field for p in lowered.value.problems] == ["contract_amount"]
    advanced = fixed_project(firm, "Oven", "5000")
    issue(firm, advanced, kind="advance", net="1000")
    with pytest.raises(ValidationError) as switched:
        services.presets.save_project(firm.admin, ProjectForm(valuation="tm"), advanced)
    assert [p.field for p in switched.value.problems] == ["valuation"]
    assert run_check(services.db).ok
