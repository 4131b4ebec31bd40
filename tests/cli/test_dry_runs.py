"""A dry run checks everything and writes nothing: every CLI command that has ``--dry-run``.

Each case prepares a firm with work at every stage of the pipeline, takes a copy of every row
of every table, runs one dry run (or a dry run the real command would refuse) and compares the
whole database with the copy. Runs on the backend of the test run (SQLite and PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm
from tektoro_tui.services.invoicing.views import DraftForm, TermsForm
from tektoro_tui.services.payroll.views import ShiftForm
from tektoro_tui.services.payroll.views import TermsForm as PayTermsForm
from tektoro_tui.services.pipeline.views import AllocationForm
from tektoro_tui.services.subcontracts.views import AgreementForm
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, PASSWORD, add_codes, add_person, connected
from tests.builders import make_firm as new_firm
from tests.db_snapshot import db_snapshot

pytestmark = pytest.mark.pg_story  # "writes nothing" is each backend's own rollback

ANN = "ann@example.com"


@dataclass(frozen=True)
class Firm:
    """What the dry runs act on: ids and references of work at each stage."""

    approved_id: int
    reference: str


def prepare(url: str) -> Firm:
    """Ann's time at every stage (draft, accepted, approved, allocated, invoiced) and a draft
    invoice prepared in the Documenter; Ann is paid by the hour, so she can be invoiced for.
    Her work shifts: an approved day three weeks ago (ready for accounting), and a day ten
    days ago clocked in and never out (for a batch fill)."""
    today = date.today()
    with connected(url) as services:
        owner = new_firm(services)
        ann = add_person(
            services, owner, "Ann Żak", pay_rate="30", supervisor_id=owner.user_id, email=ANN
        )
        codes = add_codes(services, owner)
        time, wip = services.time, services.wip
        ids = [time.add_entry(ann, codes.card("1:00", today.isoformat())).id for _ in range(5)]
        time.accept(ann, ids[1:])
        time.approve(owner, ids[2:])  # ids[1] stays accepted: to approve or to reject
        wip.allocate(owner, ids[3:], AllocationForm(kind="bill"))
        document = wip.process(owner).documents[0]
        wip.allocate(owner, ids[2:3], AllocationForm(kind="bill"))  # left to process
        terms = services.terms.add(
            owner, TermsForm(name="Net 30", kind="standard", body="Within 30 days.", days="30")
        )
        assert document.id is not None
        draft = services.invoices.open_record(owner, document.id)
        services.invoices.update_draft(
            owner, draft.id, DraftForm(markup_percent="10", payment_terms_id=terms.id)
        )
        services.presets.save_project(
            owner,
            ProjectForm("Tower", codes.client_id, valuation="fixed", contract_amount="5000"),
        )
        sub = services.presets.save_company(
            owner, CompanyForm(name="Dach-Bud", kind="subcontractor")
        ).id
        services.subcontracts.add(
            owner,
            AgreementForm("Tower", str(sub), "Walls", "", today.isoformat(), "no", "1000"),
        )
        approved = time.add_entry(ann, codes.card("2:00", today.isoformat())).id
        time.accept(ann, [approved])
        time.approve(owner, [approved])
        _crew_pay(services, owner, codes.client_id, today)
        return Firm(approved_id=approved, reference=document.reference)


def _crew_pay(services: Any, owner: Any, client_id: int, today: date) -> None:
    pay = services.payroll
    services.presets.save_project(owner, ProjectForm("Depot", client_id, valuation="tm"))
    pay.set_terms(owner, ANN, PayTermsForm(effective_from="2020-01-01", hourly_rate="30"))
    settled = ShiftForm(
        employees=ANN, project="Depot", shift_date=(today - timedelta(days=21)).isoformat(),
        planned_start="07:00", planned_end="15:00",
    )  # fmt: skip
    pay.approve(owner, [pay.add(owner, settled).id], accept_irregular=True)
    open_day = ShiftForm(
        employees=ANN, project="Depot", shift_date=(today - timedelta(days=10)).isoformat(),
        planned_start="07:00", planned_end="15:00", actual_start="07:00",
    )  # fmt: skip
    pay.add(owner, open_day)


def login(runner: CliRunner, url: str, email: str, password: str) -> None:
    result = runner.invoke(
        app, ["login", "--email", email, "--password-stdin", "--db", url], input=password + "\n"
    )
    assert result.exit_code == 0, result.output


# (who runs it, the command, what the command's output says, exit code)
CASES = {
    "time accept": (ANN, "time accept --all --dry-run", "Would accept", 0),
    "time approve": (OWNER_EMAIL, f"time approve --contributor {ANN} --dry-run", "Would", 0),
    "time reject": (
        OWNER_EMAIL,
        f"time reject --contributor {ANN} --reason Wrong --dry-run",
        "Would",
        0,
    ),
    "wip allocate": (OWNER_EMAIL, "wip allocate {approved} --kind hold --dry-run", "Would", 0),
    "wip process": (OWNER_EMAIL, "wip process --dry-run", "DRY RUN", 0),
    "documenter create-invoice": (
        OWNER_EMAIL,
        "documenter create-invoice {reference} --commentary X --dry-run",
        "INV/",
        0,
    ),
    "documenter create-invoice (refused)": (
        OWNER_EMAIL,
        "documenter create-invoice {reference} --commentary X --issue-date 2026-02-30 --dry-run",
        "issue_date",
        1,
    ),
    "project invoice issue": (
        OWNER_EMAIL,
        "project invoice issue Tower --type partial --net 100 --paid-in-full --progress 10 "
        "--dry-run",
        "Would issue partial invoice INV/",
        0,
    ),
    "project invoice issue (refused)": (
        OWNER_EMAIL,
        "project invoice issue Tower --type partial --net 5000.01 --dry-run",
        "net",
        1,
    ),
    "project invoice record-external": (
        OWNER_EMAIL,
        "project invoice record-external Tower --number EXT-1 --date {today} --net 100 "
        "--vat 23 --dry-run",
        "Would record partial EXT-1",
        0,
    ),
    "subcontract settle": (
        OWNER_EMAIL,
        "subcontract settle 1 --amount 400 --description Transfer --fully-paid --dry-run",
        "Would settle stage 1",
        0,
    ),
    "subcontract settle (refused)": (
        OWNER_EMAIL,
        "subcontract settle 1 --amount 1000.01 --description Transfer --dry-run",
        "at most",
        1,
    ),
    "shift fill": (
        OWNER_EMAIL,
        "shift fill --mode end --from {ten_days_ago} --to {today} --dry-run",
        "Would fill 1 shift (end as planned).",
        0,
    ),
    "pay transfer": (
        OWNER_EMAIL,
        "pay transfer --from {three_weeks_ago} --to {three_weeks_ago} --dry-run",
        "Would transfer",
        0,
    ),
    "pay transfer (refused)": (
        OWNER_EMAIL,
        "pay transfer --from {three_weeks_ago} --to {ten_days_ago} --dry-run",
        "not settled",
        1,
    ),
    "contractor-invoice generate": (
        OWNER_EMAIL,
        f"contractor-invoice generate --contractor {ANN} --from {{first}} --to {{today}} --dry-run",
        "DRY RUN",
        0,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_dry_run_writes_nothing(db_url: str, case: str) -> None:
    firm = prepare(db_url)
    email, command, says, code = CASES[case]
    runner = CliRunner()
    login(runner, db_url, email, OWNER_PASSWORD if email == OWNER_EMAIL else PASSWORD)
    today = date.today()
    args = command.format(
        approved=firm.approved_id,
        reference=firm.reference,
        first=today.replace(day=1).isoformat(),
        today=today.isoformat(),
        ten_days_ago=(today - timedelta(days=10)).isoformat(),
        three_weeks_ago=(today - timedelta(days=21)).isoformat(),
    ).split()
    before = db_snapshot(db_url)
    result = runner.invoke(app, [*args, "--db", db_url])
    assert result.exit_code == code, result.output
    assert says in result.output
    assert "Traceback" not in result.output
    after = db_snapshot(db_url)
    assert [name for name in before if before[name] != after[name]] == []
    assert after == before


def _dry_run_commands(command: Any, path: tuple[str, ...] = ()) -> set[str]:
    """The command paths under the (typer) click command ``command`` that take ``--dry-run``."""
    found: set[str] = set()
    if hasattr(command, "commands"):  # a group
        for name, sub in command.commands.items():
            found |= _dry_run_commands(sub, (*path, name))
    elif any("--dry-run" in getattr(param, "opts", ()) for param in command.params):
        found.add(" ".join(path))
    return found


def test_every_command_with_a_dry_run_is_tested() -> None:
    """A new command with --dry-run must join CASES above."""
    tested = {case.split(" (")[0] for case in CASES}
    assert _dry_run_commands(typer.main.get_command(app)) == tested


def test_a_refused_create_invoice_writes_nothing(db_url: str) -> None:
    """A manager may prepare drafts in the Documenter but not issue: `documenter
    create-invoice` is refused, and neither a draft nor an audit event is left behind."""
    firm = prepare(db_url)
    with connected(db_url) as services:
        owner = services.auth.login(OWNER_EMAIL, OWNER_PASSWORD)
        add_person(services, owner, "Max Manager", "manager", email="max@example.com")
    runner = CliRunner()
    login(runner, db_url, "max@example.com", PASSWORD)
    before = db_snapshot(db_url)
    result = runner.invoke(
        app, ["documenter", "create-invoice", firm.reference, "--commentary", "X", "--db", db_url]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Not allowed:"), result.stderr
    assert db_snapshot(db_url) == before
