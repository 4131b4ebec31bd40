"""Input the command line refuses in words, on one line, changing nothing: ids beyond 64 bits,
amounts of thousands of digits, files that are no files, names that mean two things, values
of 100 KB."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tektoro_tui.cli.main import app
from tektoro_tui.services.administration.presets import ProjectForm
from tektoro_tui.services.base import FixedClock
from tests.builders import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    add_job,
    add_work_codes,
    connected,
    make_firm,
)
from tests.finance_world import NOW, build_world

from .test_pipeline_cli import login, run

HUGE_ID = "99999999999999999999"
PERIOD = ("--from", "2026-02-01", "--to", "2026-02-28")


def world(url: str) -> str:
    """The finance world on ``url``, its owner logged in; Acme's invoice number."""
    with connected(url, FixedClock(NOW)) as services:
        number = build_world(services, make_firm(services)).acme_invoice.number
    login(CliRunner(), url, OWNER_EMAIL, OWNER_PASSWORD)
    assert number is not None
    return number


def invoke(url: str, *args: str) -> Result:
    """Run one command on ``url``; it must end without a traceback."""
    result = CliRunner().invoke(app, [*args, "--db", url])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def refused(url: str, *args: str) -> str:
    """Run a command that must be refused (exit 1, one line on stderr); that line."""
    result = invoke(url, *args)
    assert result.exit_code == 1, f"{args}: {result.output}"
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and result.stdout == "", result.output
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("time", "accept", HUGE_ID),
        ("time", "approve", HUGE_ID),
        ("time", "reject", "1", "0"),
        ("wip", "allocate", HUGE_ID, "--kind", "bill"),
        ("terms", "edit", HUGE_ID),
        ("terms", "delete", "²"),
        ("compliance", "delete", "3000000000"),
        ("time", "list", "--limit", HUGE_ID),
        ("documenter", "create-invoice", "1", "--terms", HUGE_ID),
    ],
)
def test_an_id_beyond_64_bits_is_a_usage_error(db_url: str, args: tuple[str, ...]) -> None:
    result = invoke(db_url, *args)
    assert result.exit_code == 2, result.output
    assert "must be" in result.stderr and "Traceback" not in result.output


def test_ids_and_amounts_in_options_are_refused_in_words(db_url: str) -> None:
    number = world(db_url)
    assert refused(db_url, "time", "list", "--project", HUGE_ID) == (
        "Please correct the form: project: must be an id: a whole number from 1 to 2147483647"
    )
    for args in (
        ("time", "list", "--project", "3000000000"),  # beyond PostgreSQL's INTEGER ids
        ("time", "list", "--person", HUGE_ID),
        ("wip", "list", "--client", HUGE_ID),
        ("contractor-invoice", "list", "--contractor", HUGE_ID),
        ("contractor-invoice", "generate", "--contractor", HUGE_ID, *PERIOD),
        ("compliance", "add", "--contractor", HUGE_ID, "--type", "insurance"),
        ("invoices", "list", "--client", HUGE_ID),
        ("documenter", "create-invoice", HUGE_ID),
    ):
        assert "must be an id" in refused(db_url, *args), args
    assert "no client named '²'" in refused(db_url, "invoices", "list", "--client", "²")
    for amount, problem in (
        ("9" * 5000, "amount: must be an amount like 1234.56"),
        (HUGE_ID, "amount: must be between -20,000,000.00 and 20,000,000.00"),
        ("20000000.01", "amount: must be between -20,000,000.00 and 20,000,000.00"),
    ):
        line = refused(db_url, "invoice", "pay", number, "--amount", amount, "--date", "2026-03-10")
        assert problem in line and len(line) < 200
    paid = json.loads(run(CliRunner(), db_url, "payment", "list", "--invoice", number, "--json"))
    assert paid == []


def test_an_export_never_replaces_what_is_not_a_file(db_url: str, tmp_path: Path) -> None:
    world(db_url)
    target = tmp_path / "kept.csv"
    target.write_text("mine")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    cases = {
        str(tmp_path): "it is a folder; give the name of a file in it",
        "": "that is not a file name",
        str(target / "under.csv"): f"{target} is a file, not a folder",
        str(link): "it is a symbolic link, which an export never replaces",
        str(fifo): "it is not a regular file, which an export never replaces",
    }
    for command in (("export", "time"), ("export", "revenue"), ("export", "invoices")):
        for out, reason in cases.items():
            line = refused(db_url, *command, "--format", "csv", "--out", out)
            assert line.startswith("Could not save the file: Could not write ") and reason in line
    assert target.read_text() == "mine" and link.is_symlink() and fifo.is_fifo()
    written = run(CliRunner(), db_url, "export", "time", "--format", "csv", "--out", str(target))
    assert written.strip() == str(target) and target.read_text() != "mine"


def test_a_100_kb_value_is_not_echoed_whole(db_url: str) -> None:
    number = world(db_url)
    long = "x" * 100_000
    for args in (
        ("invoices", "list", "--client", long),
        ("time", "list", "--status", long),
        ("invoice", "pay", long, "--amount", "1", "--date", "2026-03-10"),
        ("invoice", "pay", number, "--amount", "1", "--date", long),
        ("export", "time", "--format", "csv", "--out", long),
    ):
        line = refused(db_url, *args)
        assert len(line) < 1100 and "x" * 300 not in line, args


def test_dates_beyond_the_calendar_the_firm_keeps_are_refused(db_url: str) -> None:
    world(db_url)
    for day in ("0001-01-01", "9999-12-31", "20260310", "2026-02-30"):
        line = refused(db_url, "revenue", "aging", "--as-of", day)
        assert line.startswith("Please correct the form: as_of: must be a date"), line


def test_a_task_is_named_within_the_project_given(db_url: str) -> None:
    """Another project's "Prüfung" does not make the name ambiguous when the project is given;
    two clients' projects of one name are told apart by id or code."""
    with connected(db_url) as services:
        admin = make_firm(services)
        add_job(services, admin, "Bau AG", ProjectForm("Brücke Nord", None, code="BN"), "Prüfung")
        add_job(services, admin, "Stadt", "Tunnel", "Prüfung")
        add_job(services, admin, "Land", ProjectForm("Brücke Nord", None, code="BN-2"), "Bau")
        add_work_codes(services, admin, "Design", "Senior", "100")
    login(CliRunner(), db_url, OWNER_EMAIL, OWNER_PASSWORD)
    codes = ("--activity", "design", "--rate", "SENIOR", "--time", "1:00")
    day = ("--date", date.today().isoformat())
    ambiguous = refused(
        db_url, "time", "add", "--project", "Brücke Nord", "--task", "Prüfung", *codes, *day
    )
    assert "more than one active project is named 'Brücke Nord'; give its id or code" in ambiguous
    entry = json.loads(
        run(
            CliRunner(),
            db_url,
            *("time", "add", "--project", "bn", "--task", "PRÜFUNG", *codes, *day, "--json"),
        )
    )
    assert (entry["project_name"], entry["task_name"]) == ("Brücke Nord", "Prüfung")
    missing = refused(db_url, "time", "add", "--project", "BN-2", "--task", "Prüfung", *codes)
    assert "task: no active task named 'Prüfung' in that project" in missing
    several = refused(
        db_url,
        "time",
        "add",
        "--project",
        "Nowhere",
        "--task",
        "x",
        "--activity",
        "none",
        "--rate",
        "Senior",
        "--time",
        "1",
    )
    assert "project: no active project named 'Nowhere'" in several
    assert "activity: no active activity named 'none'" in several
