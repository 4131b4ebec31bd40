"""Projects as contracts through the CLI: the bookkeeper's round, every refusal exits 1."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.domain.permissions import Perm, Role
from tektoro_tui.services.administration.presets import CompanyForm, ProjectForm
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, add_person, connected, make_firm

from .test_pipeline_cli import login, run

ACCOUNTANT = ("adam@example.com", "adam-pass-2026")
MANAGER = ("mona@example.com", "mona-pass-2026")
PM = ("pia@example.com", "pia-pass-2026")


def firm(url: str) -> None:
    """Owner, accountant, manager, a PM; fixed project Warehouse (100,000.00) managed by the PM
    and T&M project Repairs for client Acme Build."""
    with connected(url) as services:
        admin = make_firm(services)
        add_person(services, admin, "Adam Accountant", "accountant", password=ACCOUNTANT[1])
        add_person(services, admin, "Mona Manager", "manager", password=MANAGER[1])
        pm = add_person(services, admin, "Pia Manager", "project_manager", password=PM[1])
        client = services.presets.save_company(admin, CompanyForm("Acme Build")).id
        services.presets.save_project(
            admin,
            ProjectForm(
                "Warehouse",
                client,
                code="WH",
                valuation="fixed",
                contract_amount="100000",
                project_manager_id=pm.user_id,
            ),
        )
        services.presets.save_project(admin, ProjectForm("Repairs", client, valuation="tm"))


def refused(runner: CliRunner, url: str, *args: str) -> str:
    result = runner.invoke(app, [*args, "--db", url])
    assert result.exit_code == 1, f"{args}: {result.output}"
    assert result.stdout == ""
    return result.stderr


@pytest.mark.pg_story
def test_a_bookkeeper_settles_a_fixed_contract(db_url: str, tmp_path: Path) -> None:
    """Contract 100,000.00 + change 1 of 12,500.00; a partial of 30,000.00 (gross 36,900.00),
    a recorded external invoice of 10,000.00, then the suggestion is 72,500.00."""
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *ACCOUNTANT)
    added = json.loads(
        run(
            runner, db_url, "project", "change", "add", "Warehouse", "--description", "Dock",
            "--amount", "12500", "--approved", "--json",
        )
    )  # fmt: skip
    assert (added["number"], added["amount"]["amount"]) == (1, "12500.00")

    text = run(runner, db_url, "project", "invoice", "suggest", "WH", "--type", "partial")
    assert "Contract with changes" in text and "112,500.00 EUR" in text

    dry = json.loads(
        run(
            runner, db_url, "project", "invoice", "issue", "WH", "--type", "partial",
            "--net", "30000", "--dry-run", "--json",
        )
    )  # fmt: skip
    assert dry["dry_run"] is True and dry["gross"]["amount"] == "36900.00"
    listed = json.loads(run(runner, db_url, "project", "list", "--json"))
    assert listed["rows"][1]["invoiced"]["amount"] == "0.00"  # the dry run wrote nothing

    issued = json.loads(
        run(
            runner, db_url, "project", "invoice", "issue", "Warehouse", "--type", "partial",
            "--net", "30000", "--change", "1", "--progress", "30", "--json",
        )
    )  # fmt: skip
    assert issued["number"].startswith("INV/") and issued["gross"]["amount"] == "36900.00"

    pdf = tmp_path / "ext.pdf"
    pdf.write_bytes(b"%PDF-1.7 elsewhere")
    run(
        runner, db_url, "project", "invoice", "record-external", "WH", "--number", "FV/9",
        "--date", "2026-01-05", "--net", "10000", "--vat", "2300", "--pdf", str(pdf),
    )  # fmt: skip
    kept = tmp_path / "kept.pdf"
    run(runner, db_url, "project", "invoice", "attachment", "WH", "FV/9", "--out", str(kept))
    assert kept.read_bytes() == pdf.read_bytes()
    assert "No PDF is kept" in refused(
        runner, db_url, "project", "invoice", "attachment", "Repairs", "FV/9"
    )
    suggestion = json.loads(
        run(runner, db_url, "project", "invoice", "suggest", "WH", "--type", "total", "--json")
    )
    assert suggestion["suggestion"]["net"]["amount"] == "72500.00"

    listed = json.loads(
        run(runner, db_url, "invoices", "list", "--project", "WH", "--type", "partial", "--json")
    )
    marks = {row["number"]: (row["change_number"], row["external"]) for row in listed["rows"]}
    assert marks == {issued["number"]: (1, False), "FV/9": (None, True)}
    assert "change 1" in run(runner, db_url, "invoices", "list", "--project", "Warehouse")
    assert "kind" in refused(runner, db_url, "invoices", "list", "--type", "bonus")

    shown = run(runner, db_url, "project", "show", "WH")
    assert "FV/9" in shown and "(external)" in shown and "change 1" in shown
    assert "progress 30 %" in shown

    cost = json.loads(
        run(
            runner, db_url, "cost", "add", "--project", "WH", "--name", "Steel", "--type",
            "material", "--amount", "4000.50", "--date", "2026-02-01", "--json",
        )
    )  # fmt: skip
    run(runner, db_url, "cost", "edit", str(cost["id"]), "--amount", "4100")
    balance = json.loads(run(runner, db_url, "project", "balance", "WH", "--json"))
    costs = {kind: amount["amount"] for kind, amount in balance["balance"]["costs"]}
    assert costs["materials"] == "4100.00"
    assert balance["balance"]["invoiced"]["amount"] == "40000.00"
    assert balance["balance"]["result"]["amount"] == "35900.00"

    assert "export the invoice list" in refused(
        runner, db_url, "export", "costs", "--format", "csv", "--out", str(tmp_path / "c.csv")
    )
    with connected(db_url) as services:
        admin = services.auth.login(OWNER_EMAIL, OWNER_PASSWORD)
        services.permissions.set_grant(admin, Role.ACCOUNTANT, Perm.INVOICE_EXPORT, True)
    out = tmp_path / "projects.xlsx"
    run(runner, db_url, "export", "projects", "--format", "xlsx", "--out", str(out))
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = {row[1]: row for row in sheet.iter_rows(values_only=True) if row[1]}
    assert rows["Warehouse"][8] == 40000  # invoiced, a number
    run(runner, db_url, "cost", "delete", str(cost["id"]))
    assert json.loads(run(runner, db_url, "cost", "list", "--json"))["rows"] == []


def test_refusals_exit_1_and_change_nothing(db_url: str) -> None:
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *ACCOUNTANT)
    assert "time-and-material project is settled by partial and total" in refused(
        runner, db_url, "project", "invoice", "issue", "Repairs", "--type", "advance",
        "--net", "10",
    )  # fmt: skip
    assert "net" in refused(
        runner, db_url, "project", "invoice", "issue", "WH", "--type", "partial",
        "--net", "100000.01",
    )  # fmt: skip
    assert "kind" in refused(
        runner, db_url, "project", "invoice", "issue", "WH", "--type", "bonus", "--net", "1"
    )
    assert "does not exist" in refused(runner, db_url, "project", "show", "Nowhere")
    assert "amount" in refused(
        runner, db_url, "cost", "add", "--project", "WH", "--name", "X", "--type", "material",
        "--amount", "ten",
    )  # fmt: skip
    run(runner, db_url, "project", "invoice", "issue", "WH", "--type", "advance", "--net", "5")
    assert "advance invoices and a final invoice" in refused(
        runner, db_url, "project", "invoice", "issue", "WH", "--type", "partial", "--net", "5"
    )

    login(runner, db_url, *MANAGER)
    assert "may not create and issue invoices" in refused(
        runner, db_url, "project", "invoice", "issue", "WH", "--type", "advance", "--net", "5"
    )
    login(runner, db_url, *PM)
    listed = json.loads(run(runner, db_url, "project", "list", "--json"))
    assert [row["name"] for row in listed["rows"]] == ["Warehouse"]
    assert "does not exist" in refused(runner, db_url, "project", "balance", "Repairs")
    with connected(db_url) as services:
        admin = services.auth.login(OWNER_EMAIL, OWNER_PASSWORD)
        assert services.projects.detail(admin, "WH").row.invoiced.format() == "5.00"
