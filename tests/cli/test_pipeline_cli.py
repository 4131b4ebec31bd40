"""A time card's whole path through the CLI, from entry to booked revenue."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.services.administration.presets import CompanyForm
from tests.builders import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    PASSWORD,
    add_codes,
    connected,
    join,
    make_firm,
)

TODAY = date.today()
OWNER = (OWNER_EMAIL, OWNER_PASSWORD)
ANN = ("ann@example.com", PASSWORD)
BOB = ("bob@example.com", PASSWORD)


def run(runner: CliRunner, url: str, *args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, [*args, "--db", url], input=stdin)
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result.stdout


def login(runner: CliRunner, url: str, email: str, password: str) -> None:
    run(runner, url, "login", "--email", email, "--password-stdin", stdin=password + "\n")


def seed(url: str) -> None:
    """The firm: an owner, a staff member under them, and one of each preset."""
    with connected(url) as services:
        admin = make_firm(services)
        join(services, admin, ANN[0], "Ann Żak")
        client = CompanyForm("Acme GmbH", billing_address="Hauptstraße 1\nBerlin", tax_id="DE1")
        add_codes(services, admin, client, hourly_rate="100.00")


def pipeline(url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    seed(url)
    day = TODAY.isoformat()
    login(runner, url, *ANN)
    codes = ["--project", "Roof", "--task", "Survey", "--activity", "Design", "--rate", "Senior"]
    run(
        runner, url, "time", "add", *codes, "--time", "1:30", "--date", day, "--description", "Site"
    )
    run(runner, url, "time", "add", *codes, "--time", "2.5", "--date", day)
    refused = runner.invoke(
        app, ["time", "add", *codes, "--time", "21:00", "--date", day, "--db", url]
    )
    assert refused.exit_code == 1 and "24" in refused.stderr

    listed = json.loads(run(runner, url, "time", "list", "--json"))
    assert listed["totals"]["minutes"] == 240 and listed["totals"]["value"]["amount"] == "400.00"
    (roof,) = json.loads(run(runner, url, "time", "summary", "--json"))["projects"]
    assert (roof["client_name"], roof["project_name"], roof["entries"]) == ("Acme GmbH", "Roof", 2)
    assert roof["minutes"] == 240 and roof["value"]["amount"] == "400.00"
    summary = run(runner, url, "time", "summary").splitlines()
    assert summary[-1] == "Total: 1 projects, 2 entries, 4:00 h, 400.00 EUR", summary
    dry = json.loads(run(runner, url, "time", "accept", "--all", "--dry-run", "--json"))
    assert dry["dry_run"] is True and dry["totals"]["entries"] == 2
    assert {
        e["status"] for e in json.loads(run(runner, url, "time", "list", "--json"))["entries"]
    } == {"draft"}
    one = str(listed["entries"][0]["id"])
    assert run(runner, url, "time", "accept", one).startswith("Accepted: 1 entry, ")
    assert run(runner, url, "time", "accept", "--all").startswith("Accepted: 1 entry, ")

    login(runner, url, *OWNER)
    approved = json.loads(
        run(runner, url, "time", "approve", "--contributor", "ann@example.com", "--json")
    )
    assert approved["totals"]["entries"] == 2
    ids = [str(i) for i in approved["entry_ids"]]
    run(runner, url, "wip", "allocate", *ids, "--kind", "bill")
    plan = json.loads(run(runner, url, "wip", "process", "--dry-run", "--json"))
    assert plan["dry_run"] is True and plan["billed"]["amount"] == "400.00"
    done = json.loads(run(runner, url, "wip", "process", "--json"))
    reference = done["documents"][0]["reference"]

    invoice = json.loads(run(runner, url, "documenter", "create-invoice", reference, "--json"))
    number = invoice["number"]
    assert number.startswith("INV/") and invoice["status"] == "issued"
    assert invoice["net"]["amount"] == "400.00" and invoice["gross"]["amount"] == "492.00"

    pdf_path = Path(
        run(
            runner,
            url,
            "invoice",
            "render",
            number,
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "inv.pdf"),
        ).strip()
    )
    text = "".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    for expected in (number, "Acme GmbH", "Ann Żak", "400.00", "92.00", "492.00"):
        assert expected in text

    partial = json.loads(
        run(runner, url, "invoice", "pay", number, "--amount", "200", "--date", day, "--json")
    )
    assert partial["status"] == "partially_paid" and partial["due"]["amount"] == "292.00"
    over = runner.invoke(
        app, ["invoice", "pay", number, "--amount", "300", "--date", day, "--db", url]
    )
    assert over.exit_code == 1 and "292.00" in over.stderr
    run(runner, url, "invoice", "pay", number, "--amount", "292.00", "--date", day)
    revenue = json.loads(run(runner, url, "revenue", "report", "--json"))
    # revenue is net of VAT; the VAT and the amount received stand beside it
    assert [
        (r["amount"]["amount"], r["vat"]["amount"], r["received"]["amount"]) for r in revenue
    ] == [("400.00", "92.00", "492.00")]
    aging = json.loads(run(runner, url, "revenue", "aging", "--json"))
    assert aging["rows"] == []
    run(runner, url, "invoice", "book", number)
    assert json.loads(run(runner, url, "invoice", "list", "--json")) == []

    out = tmp_path / "time.xlsx"
    run(runner, url, "export", "time", "--format", "xlsx", "--out", str(out))
    sheet = openpyxl.load_workbook(out).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert any(isinstance(v, (int, float)) and float(v) == 100.0 for v in values)
    assert runner.invoke(app, ["check", "--db", url]).exit_code == 0


@pytest.mark.pg_story
def test_pipeline_through_the_cli(db_url: str, tmp_path: Path) -> None:
    pipeline(db_url, tmp_path)


def test_pipeline_through_the_cli_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    pipeline(pg_url, tmp_path)
