"""Contractor master invoices and payments through the CLI, as an administrator and as the
contractors themselves (who see only their own, with account numbers masked)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.services.base import FixedClock
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, connected, make_firm
from tests.finance_world import NOW, PASSWORD, build_world

OWNER = (OWNER_EMAIL, OWNER_PASSWORD)
ACCOUNT = "DE89370400440532013000"
MASKED = "••••••••••••••••••3000"


def run(runner: CliRunner, url: str, *args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, [*args, "--db", url], input=stdin)
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result.stdout


def refused(runner: CliRunner, url: str, *args: str) -> str:
    result = runner.invoke(app, [*args, "--db", url])
    assert result.exit_code == 1, f"{args}: {result.output}"
    return result.stderr


def as_json(runner: CliRunner, url: str, *args: str) -> Any:
    return json.loads(run(runner, url, *args, "--json"))


def login(runner: CliRunner, url: str, email: str, password: str = PASSWORD) -> None:
    run(runner, url, "login", "--email", email, "--password-stdin", stdin=password + "\n")


def xlsx_cells(path: Path) -> list[list[Any]]:
    """Every row of the workbook's sheet (title, filter, header, payments, total)."""
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def seed(url: str) -> str:
    """The finance test firm (built at 2026-03-10); returns the Acme invoice's number."""
    with connected(url, FixedClock(NOW)) as services:
        return build_world(services, make_firm(services)).acme_invoice.number or ""


@pytest.mark.pg_story
def test_contractor_invoices_and_payments_through_the_cli(db_url: str, tmp_path: Path) -> None:
    url, runner = db_url, CliRunner()
    acme = seed(url)
    login(runner, url, *OWNER)
    period = ["--contractor", "carl@example.com", "--from", "2026-02-01", "--to", "2026-03-10"]

    preview = as_json(runner, url, "contractor-invoice", "generate", *period, "--dry-run")
    assert preview["dry_run"] is True and preview["total"]["amount"] == "360.00"
    assert len(preview["lines"]) == 5 and preview["total_minutes"] == 540
    assert preview["skipped"] == ["3 tickets of the period are not approved yet"]
    text = run(runner, url, "contractor-invoice", "generate", *period, "--dry-run")
    assert "DRY RUN" in text and "360.00" in text
    assert as_json(runner, url, "contractor-invoice", "list") == []

    made = as_json(
        runner, url, "contractor-invoice", "generate", *period, "--issue-date", "2026-03-10"
    )
    number = made["number"]
    assert number == "MI/2026/00001" and made["status"] == "draft"
    again = refused(runner, url, "contractor-invoice", "generate", *period)
    assert "5 tickets of the period are already on another master invoice" in again
    early = refused(
        runner, url, "contractor-invoice", "generate", *period, "--issue-date", "2099-01-01"
    )
    assert "issue_date: must not be after today" in early

    pay = ["payment", "record", number, "--date", "2026-03-10"]
    draft = refused(runner, url, *pay, "--amount", "100")
    assert "approve the invoice before paying it" in draft
    assert "approved" in run(runner, url, "contractor-invoice", "approve", number)
    partial = as_json(
        runner,
        url,
        *pay,
        "--amount",
        "100",
        "--holder",
        "Carl C.",
        "--account",
        ACCOUNT,
        "--reference",
        "T-1",
    )
    assert partial["invoice"]["status"] == "partially_paid" and partial["notified"] is False
    assert partial["payment"]["account_number"] == ACCOUNT  # the administrator sees it whole
    over = refused(runner, url, *pay, "--amount", "300")
    assert f"only 260.00 EUR is still due on contractor invoice {number}" in over
    before = refused(
        runner, url, "payment", "record", number, "--amount", "1", "--date", "2026-03-09"
    )
    assert "must not be before 2026-03-10" in before

    client = as_json(
        runner, url, "payment", "record", acme, "--amount", "738", "--date", "2026-03-10"
    )
    assert client["status"] == "paid" and client["number"] == acme
    (client_payment,) = as_json(runner, url, "payment", "list", "--invoice", acme)
    assert client_payment["number"] == acme and client_payment["amount"]["amount"] == "738.00"
    (admin_view,) = as_json(runner, url, "payment", "list")
    assert admin_view["number"] == number and admin_view["account_number"] == ACCOUNT
    whole = tmp_path / "all.xlsx"
    written = run(runner, url, "payment", "list", "--format", "xlsx", "--out", str(whole))
    assert written == f"Written to {whole}\n"
    header, row, total = xlsx_cells(whole)[2:]
    assert header[7] == "Account number" and total[:2] == ["Total", "1 payment"]
    assert (row[0], row[1], row[7], row[8]) == (number, "Carl Contractor", ACCOUNT, "T-1")
    listed = as_json(runner, url, "contractor-invoice", "list", "--contractor", "carl@example.com")
    assert [v["number"] for v in listed] == [number]
    assert as_json(runner, url, "contractor-invoice", "list", "--status", "paid") == []

    login(runner, url, "carl@example.com")
    outputs = [
        run(runner, url, "payment", "list"),
        run(runner, url, "payment", "list", "--json"),
        run(runner, url, "payment", "list", "--invoice", number, "--json"),
        run(runner, url, "contractor-invoice", "show", number),
        run(runner, url, "contractor-invoice", "show", number, "--json"),
        run(runner, url, "contractor-invoice", "list", "--json"),
    ]
    assert all(ACCOUNT not in out for out in outputs)
    assert MASKED in outputs[0] and MASKED in outputs[1]
    (own,) = json.loads(outputs[1])
    assert own["number"] == number and own["account_number"] == MASKED
    assert [v["number"] for v in json.loads(outputs[5])] == [number]
    assert "Not allowed" in refused(runner, url, *pay, "--amount", "260")
    own_file = tmp_path / "mine.xlsx"
    export = ["payment", "list", "--format", "xlsx", "--out", str(own_file)]
    assert run(runner, url, *export) == f"Written to {own_file}\n"
    cells = xlsx_cells(own_file)
    assert [(r[0], r[7]) for r in cells[3:-1]] == [(number, MASKED)]
    assert ACCOUNT not in repr(cells)
    for half in (export[:4], ["payment", "list", *export[4:]]):
        assert runner.invoke(app, [*half, "--db", url]).exit_code == 2, "both or neither"
    odd = runner.invoke(app, ["payment", "list", "--format", "pdf", "--out", "x.pdf", "--db", url])
    assert odd.exit_code == 2 and "csv or xlsx" in odd.output
    refused(runner, url, "payment", "list", "--invoice", acme)

    login(runner, url, "dora@example.com")
    assert "does not exist" in refused(runner, url, "contractor-invoice", "show", number)
    assert as_json(runner, url, "contractor-invoice", "list") == []
    assert as_json(runner, url, "payment", "list") == []
    nothing = tmp_path / "dora.csv"
    run(runner, url, "payment", "list", "--format", "csv", "--out", str(nothing))
    assert nothing.read_text(encoding="utf-8-sig").splitlines()[1:] == [
        "Total,0 payments,,,0.00,EUR,,,,"
    ]

    login(runner, url, *OWNER)
    final = run(runner, url, *pay, "--amount", "260.00", "--method", "check")
    assert "(Paid)" in final and "e-mail: no SMTP configured" in final
    shown = as_json(runner, url, "contractor-invoice", "show", number)
    assert shown["status"] == "paid" and len(shown["payments"]) == 2
    assert runner.invoke(app, ["check", "--db", url]).exit_code == 0
