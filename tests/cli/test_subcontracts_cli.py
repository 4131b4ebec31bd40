"""Subcontracts through the CLI: the office plans and reports, the accountant settles, a
foreman reports for his own crew; every refusal exits 1 with the reason on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.services.administration.presets import CompanyForm, ContactForm, ProjectForm
from tests.builders import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    add_person,
    connected,
    make_firm,
    set_organisation,
)

from .test_pipeline_cli import login, run

ACCOUNTANT = ("adam@example.com", "adam-pass-2026")
MANAGER = ("mona@example.com", "mona-pass-2026")


def firm(url: str) -> None:
    """Owner, accountant, manager; T&M project Warehouse; subcontractor Dach-Bud with its
    foreman Piotr Nowak; window 07:00-17:00, 8 h day, +50 % / +100 %."""
    with connected(url) as services:
        admin = make_firm(services)
        set_organisation(services, workday_end_minute=17 * 60)
        add_person(services, admin, "Adam Accountant", "accountant", password=ACCOUNTANT[1])
        add_person(services, admin, "Mona Manager", "manager", password=MANAGER[1])
        client = services.presets.save_company(admin, CompanyForm("Acme Build")).id
        services.presets.save_project(admin, ProjectForm("Warehouse", client, valuation="tm"))
        sub = services.presets.save_company(
            admin, CompanyForm(name="Dach-Bud", kind="subcontractor")
        ).id
        services.presets.save_contact(
            admin, ContactForm(company_id=sub, name="Piotr Nowak", email="piotr@dach-bud.example")
        )


def refused(runner: CliRunner, url: str, *args: str) -> str:
    result = runner.invoke(app, [*args, "--db", url])
    assert result.exit_code == 1, f"{args}: {result.output}"
    assert result.stdout == ""
    return result.stderr


@pytest.mark.pg_story
def test_the_office_plans_reports_and_the_accountant_settles(db_url: str, tmp_path: Path) -> None:
    """Rate 40.00/h. Mon 2026-11-02 planned and reported 07:00-15:00 by 4 people: 1,280.00;
    Tue 07:00-17:00 by 4: 8 h + 2 h over (+50 %): 1,760.00. Contract 3,040.00; a stage of
    2,000.00 leaves 1,040.00; 1,040.01 more is refused."""
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, OWNER_EMAIL, OWNER_PASSWORD)
    run(runner, db_url, "work-type", "add", "Roofing")
    login(runner, db_url, *MANAGER)
    added = json.loads(
        run(
            runner, db_url, "subcontract", "add", "--project", "Warehouse", "--subcontractor",
            "Dach-Bud", "--scope", "Roof, by the hour", "--deadline", "2026-12-31",
            "--date", "2026-10-01", "--tm", "yes", "--rate", "40", "--json",
        )
    )  # fmt: skip
    number = added["row"]["number"]
    assert number == "SA/2026/00001" and added["row"]["contract_amount"]["amount"] == "0.00"
    planned = run(
        runner, db_url, "subcontract", "schedule", "plan", number, "--from", "2026-11-02",
        "--to", "2026-11-08", "--start", "07:00", "--end", "15:00", "--type", "Roofing",
        "--foreman", "Piotr Nowak", "--people", "4",
    )  # fmt: skip
    assert "5 days planned, 2 skipped." in planned
    run(
        runner, db_url, "subcontract", "report", "add", number, "--date", "2026-11-02",
        "--start", "07:00", "--end", "15:00", "--people", "4",
    )  # fmt: skip
    tuesday = json.loads(
        run(
            runner, db_url, "subcontract", "report", "add", number, "--date", "2026-11-03",
            "--start", "07:00", "--end", "17:00", "--people", "4", "--json",
        )
    )  # fmt: skip
    assert tuesday["amount"]["amount"] == "1760.00" and tuesday["over_day_minutes"] == 120
    shown = run(runner, db_url, "subcontract", "show", number)
    assert "end 17:00 (15:00)" in shown and "3,040.00 EUR" in shown

    refused_ = refused(
        runner, db_url, "subcontract", "settle", number, "--amount", "100",
        "--description", "x",
    )  # fmt: skip
    assert "may not settle" in refused_
    login(runner, db_url, *ACCOUNTANT)
    dry = json.loads(
        run(
            runner, db_url, "subcontract", "settle", number, "--amount", "2000", "--date",
            "2026-11-03", "--description", "Transfer", "--dry-run", "--json",
        )
    )  # fmt: skip
    assert dry["dry_run"] is True and dry["agreement"]["remaining"]["amount"] == "1040.00"
    listed = json.loads(run(runner, db_url, "subcontract", "list", "--json"))
    assert listed["paid"]["amount"] == "0.00"  # the dry run wrote nothing
    done = run(
        runner, db_url, "subcontract", "settle", number, "--amount", "2000", "--date",
        "2026-11-03", "--description", "Transfer",
    )  # fmt: skip
    assert "Settled stage 1" in done and "remaining 1,040.00 EUR" in done
    too_much = refused(
        runner, db_url, "subcontract", "settle", number, "--amount", "1040.01",
        "--description", "Transfer",
    )  # fmt: skip
    assert "amount" in too_much and "at most 1,040.00" in too_much
    login(runner, db_url, *MANAGER)
    late = refused(
        runner, db_url, "subcontract", "report", "edit", str(tuesday["id"]), "--start",
        "07:00", "--end", "15:00", "--people", "4",
    )  # fmt: skip
    assert "settled" in late

    login(runner, db_url, OWNER_EMAIL, OWNER_PASSWORD)
    out = tmp_path / "subcontracts.xlsx"
    run(runner, db_url, "export", "subcontracts", "--format", "xlsx", "--out", str(out))
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row and row[0] == "Number")
    first = values[header + 1]
    assert first[0] == number and first[7] == 3040 and first[8] == 2000 and first[9] == 1040


def test_files_are_kept_and_read_back_and_bad_input_is_named(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, *MANAGER)
    number = json.loads(
        run(
            runner, db_url, "subcontract", "add", "--project", "Warehouse", "--subcontractor",
            "Dach-Bud", "--scope", "Walls", "--deadline", "2026-12-31", "--amount", "5000",
            "--json",
        )
    )["row"]["number"]  # fmt: skip
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4 signed by both")
    kept = json.loads(run(runner, db_url, "subcontract", "attach", number, str(scan), "--json"))
    back = tmp_path / "back.pdf"
    run(runner, db_url, "subcontract", "file", number, str(kept["id"]), "--out", str(back))
    assert back.read_bytes() == scan.read_bytes()

    big = tmp_path / "huge.pdf"
    big.write_bytes(b"0" * (10 * 1024 * 1024 + 1))
    assert "file" in refused(runner, db_url, "subcontract", "attach", number, str(big))
    errors = refused(
        runner, db_url, "subcontract", "add", "--project", "Nowhere", "--subcontractor",
        "Acme Build", "--scope", "x", "--deadline", "soon", "--tm", "maybe",
    )  # fmt: skip
    for field in ("project", "subcontractor", "deadline", "time_and_material"):
        assert field in errors
    assert "tm" in refused(runner, db_url, "subcontract", "list", "--tm", "perhaps")
    assert "does not exist" in refused(runner, db_url, "subcontract", "show", "SA/2026/00099")


def test_a_foreman_reports_for_his_own_crew_from_the_cli(db_url: str) -> None:
    runner = CliRunner()
    firm(db_url)
    login(runner, db_url, OWNER_EMAIL, OWNER_PASSWORD)
    run(runner, db_url, "work-type", "add", "Roofing")
    number = json.loads(
        run(
            runner, db_url, "subcontract", "add", "--project", "Warehouse", "--subcontractor",
            "Dach-Bud", "--scope", "Roof", "--deadline", "2026-12-31", "--date", "2026-10-01",
            "--tm", "yes", "--rate", "40", "--json",
        )
    )["row"]["number"]  # fmt: skip
    run(
        runner, db_url, "subcontract", "schedule", "add", number, "--date", "2026-11-02",
        "--start", "07:00", "--end", "15:00", "--type", "Roofing", "--foreman", "Piotr Nowak",
        "--people", "3",
    )  # fmt: skip
    code = json.loads(
        run(runner, db_url, "subcontract", "invite-foreman", "Piotr Nowak", "--json")
    )["invitation_code"]
    run(
        runner, db_url, "register", "--code", code, "--name", "Piotr Nowak", "--password-stdin",
        stdin="foreman-pass-1\n",
    )  # fmt: skip
    login(runner, db_url, "piotr@dach-bud.example", "foreman-pass-1")
    added = run(
        runner, db_url, "subcontract", "report", "add", number, "--date", "2026-11-02",
        "--start", "07:00", "--end", "15:00", "--people", "3",
    )  # fmt: skip
    assert "Piotr Nowak" in added and "960.00 EUR" in added
    board = run(runner, db_url, "dashboard")
    assert "Dashboard of Piotr Nowak, foreman of Dach-Bud" in board
    assert f"{number:<14}" in board and "to report: none" in board
    as_json = json.loads(run(runner, db_url, "dashboard", "--json"))
    assert as_json["kind"] == "foreman" and as_json["crews"][0]["reports"] == 1
    assert "may not" in refused(
        runner, db_url, "subcontract", "settle", number, "--amount", "1", "--description", "x"
    )
