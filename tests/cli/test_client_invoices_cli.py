"""Client invoices and payment-terms templates through the CLI, client isolation included."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.domain.permissions import Perm, Role
from tektoro_tui.services.base import FixedClock
from tektoro_tui.services.hub import Services
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, connected, make_firm
from tests.finance_world import NOW, PASSWORD, build_world

from .test_pipeline_cli import login, run

ADMIN = (OWNER_EMAIL, OWNER_PASSWORD)


def world(url: str) -> tuple[str, str]:
    """The finance world on ``url`` (built with the clock at 2026-03-10); its two numbers."""
    with connected(url, FixedClock(NOW)) as services:
        built = build_world(services, make_firm(services))
        assert built.acme_invoice.number and built.bolt_invoice.number
        return built.acme_invoice.number, built.bolt_invoice.number


def refused(runner: CliRunner, url: str, *args: str) -> str:
    """Run a command that must be refused; its stderr."""
    result = runner.invoke(app, [*args, "--db", url])
    assert result.exit_code == 1, f"{args}: {result.output}"
    return result.stderr


def grant_export_to_accountants(url: str) -> None:
    """What an administrator does under Permissions."""
    services = Services.connect(url)
    try:
        admin = services.auth.login(*ADMIN)
        services.permissions.set_grant(admin, Role.ACCOUNTANT, Perm.INVOICE_EXPORT, True)
    finally:
        services.close()


@pytest.mark.pg_story
def test_a_client_sees_and_pays_only_their_own_invoices(db_url: str) -> None:
    runner = CliRunner()
    acme, bolt = world(db_url)
    login(runner, db_url, "cleo@example.com", PASSWORD)
    listed = json.loads(run(runner, db_url, "invoices", "list", "--json"))
    assert [row["number"] for row in listed["rows"]] == [acme]
    assert {row["client_name"] for row in listed["rows"]} == {"Acme Sp. z o.o."}
    assert listed["total_gross"] == {"amount": "738.00", "currency": "EUR"}
    issued = listed["rows"][0]
    line = run(runner, db_url, "invoices", "list").splitlines()[0]
    assert f"{issued['issue_date']} due {issued['due_date']} gross" in line and "<10" not in line
    searched = json.loads(run(runner, db_url, "invoices", "list", "--search", "bolt", "--json"))
    assert searched["rows"] == []
    assert "does not exist" in refused(runner, db_url, "invoices", "mark-paid", bolt)
    assert "Acme" not in refused(runner, db_url, "invoices", "list", "--client", "Bolt GmbH")
    assert "export the invoice list" in refused(
        runner, db_url, "export", "invoices", "--format", "csv", "--out", "x.csv"
    )

    paid = json.loads(run(runner, db_url, "invoices", "mark-paid", acme, "--json"))
    assert (paid["status"], paid["due"]["amount"]) == ("paid", "0.00")

    login(runner, db_url, "boris@example.com", PASSWORD)
    boris = json.loads(run(runner, db_url, "invoices", "list", "--json"))
    assert [row["number"] for row in boris["rows"]] == [bolt]


def test_terms_list_add_edit_delete(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    world(db_url)
    login(runner, db_url, *ADMIN)
    first = json.loads(
        run(
            runner,
            db_url,
            *("terms", "add", "--name", "Net 14", "--kind", "standard"),
            *("--body", "Pay within 14 days.", "--json"),
        )
    )
    body_file = tmp_path / "late.txt"
    body_file.write_text("Late payments: 1% a month.\nFrom day 15.", encoding="utf-8")
    run(
        runner,
        db_url,
        *("terms", "add", "--name", "Late fees", "--kind", "late_fee"),
        *("--body-file", str(body_file)),
    )
    names = [t["name"] for t in json.loads(run(runner, db_url, "terms", "list", "--json"))]
    assert names == ["Late fees", "Net 14"]

    stderr = refused(runner, db_url, "terms", "add", "--name", "net 14", "--kind", "weekly")
    assert "name" in stderr and "kind" in stderr and "body" in stderr

    edited = json.loads(
        run(runner, db_url, "terms", "edit", str(first["id"]), "--body", "Pay in 30.", "--json")
    )
    assert (edited["name"], edited["kind"], edited["body"]) == ("Net 14", "standard", "Pay in 30.")
    assert "Deleted" in run(runner, db_url, "terms", "delete", str(first["id"]))
    listed = json.loads(run(runner, db_url, "terms", "list", "--json"))
    assert [t["name"] for t in listed] == ["Late fees"]
    assert listed[0]["body"] == "Late payments: 1% a month.\nFrom day 15."
    assert "does not exist" in refused(runner, db_url, "terms", "delete", str(first["id"]))

    login(runner, db_url, "adam@example.com", PASSWORD)
    assert [t["name"] for t in json.loads(run(runner, db_url, "terms", "list", "--json"))] == [
        "Late fees"
    ]
    assert "payment-terms" in refused(
        runner, db_url, "terms", "add", "--name", "Mine", "--kind", "standard", "--body", "x"
    )


@pytest.mark.pg_story
def test_invoice_actions_and_export_after_a_grant(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    acme, bolt = world(db_url)
    login(runner, db_url, *ADMIN)
    listed = json.loads(
        run(runner, db_url, "invoices", "list", "--client", "Acme Sp. z o.o.", "--json")
    )
    assert [row["number"] for row in listed["rows"]] == [acme]
    assert listed["rows"][0]["display_status"] == "overdue"
    dated = json.loads(
        run(
            runner,
            db_url,
            "invoices",
            "list",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--json",
        )
    )
    assert [row["number"] for row in dated["rows"]] == [bolt]

    assert "sent. E-mail: not e-mailed" in run(
        runner, db_url, "invoices", "send", acme, "--no-email"
    )
    assert "already sent" in refused(runner, db_url, "invoices", "send", acme)
    paid = run(
        runner, db_url, "invoices", "mark-paid", acme, "--method", "check", "--reference", "C-7"
    )
    assert "paid 738.00 EUR (paid)" in paid
    cancelled = run(runner, db_url, "invoices", "cancel", bolt, "--reason", "Wrong hours")
    assert "CN/" in cancelled
    table = run(runner, db_url, "invoices", "list", "--status", "cancelled")
    assert bolt in table and "cancelled by CN/" in table
    assert "payments" in refused(runner, db_url, "invoices", "cancel", acme, "--reason", "Late")
    run(runner, db_url, "invoice", "list")  # the pipeline's singular group still works

    login(runner, db_url, "adam@example.com", PASSWORD)
    out = tmp_path / "invoices.xlsx"
    stderr = refused(runner, db_url, "export", "invoices", "--format", "xlsx", "--out", str(out))
    assert "export the invoice list" in stderr and not out.exists()
    grant_export_to_accountants(db_url)
    assert run(runner, db_url, "export", "invoices", "--format", "xlsx", "--out", str(out)).strip()
    sheet = openpyxl.load_workbook(out).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[0] == "Number")
    by_number = {row[0]: row for row in rows[header + 1 :]}
    assert by_number[acme][6:12] == ["paid", 600, 138, 738, 738, 0]
    assert by_number[bolt][6:12] == ["cancelled", 600, 138, 738, 0, 0]
    assert any(str(number).startswith("CN/") for number in by_number)
    csv_out = tmp_path / "overdue.csv"
    run(
        runner,
        db_url,
        *("export", "invoices", "--format", "csv", "--out", str(csv_out), "--status", "paid"),
    )
    text = csv_out.read_text(encoding="utf-8-sig")
    assert acme in text and bolt not in text
