"""``tektoro dashboard`` and ``tektoro compliance`` through the CLI, as each role.

The firm of ``tests/finance_world.py`` is built with the clock at 2026-03-10; the commands
then run on the real clock (later than that), so the checks here use figures that do not
depend on today: ticket counts, amounts, whose invoices are shown.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.services.base import FixedClock
from tests.builders import OWNER_EMAIL, OWNER_PASSWORD, connected, make_firm
from tests.finance_world import NOW, PASSWORD, build_world

from .test_pipeline_cli import login, run

OWNER = (OWNER_EMAIL, OWNER_PASSWORD)


@pytest.fixture
def firm(db_url: str) -> dict[str, str]:
    """The finance world in ``db_url``; returns the invoice numbers of Acme and Bolt."""
    with connected(db_url, FixedClock(NOW)) as services:
        world = build_world(services, make_firm(services))
        return {"acme": world.acme_invoice.number, "bolt": world.bolt_invoice.number}


def test_client_dashboard_shows_only_its_company(db_url: str, firm: dict[str, str]) -> None:
    runner = CliRunner()
    login(runner, db_url, "cleo@example.com", PASSWORD)
    output = run(runner, db_url, "dashboard", "--json")
    board = json.loads(output)
    assert board["kind"] == "client" and board["company_name"] == "Acme Sp. z o.o."
    assert [row["number"] for row in board["open_invoices"]] == [firm["acme"]]
    assert board["outstanding"] == {"amount": "738.00", "currency": "EUR"}
    # nothing of Bolt anywhere in what Cleo is shown
    assert firm["bolt"] not in output and "Bolt" not in output and "Hall" not in output
    text = run(runner, db_url, "dashboard")
    assert "Client portal of Acme Sp. z o.o." in text and firm["acme"] in text
    assert firm["bolt"] not in text

    login(runner, db_url, "boris@example.com", PASSWORD)
    bolt = json.loads(run(runner, db_url, "dashboard", "--json"))
    assert [row["number"] for row in bolt["open_invoices"]] == [firm["bolt"]]
    assert firm["acme"] not in json.dumps(bolt)


def test_contractor_dashboard_shows_own_figures(db_url: str, firm: dict[str, str]) -> None:
    runner = CliRunner()
    login(runner, db_url, "carl@example.com", PASSWORD)
    board = json.loads(run(runner, db_url, "dashboard", "--json"))
    assert board["kind"] == "contractor" and board["user_name"] == "Carl Contractor"
    # all-time tickets: draft 60, accepted 90, approved 3 × 120 + 120 + 60, rejected 30
    assert [(t["status"], t["count"], t["minutes"]) for t in board["tickets"]] == [
        ("draft", 1, 60),
        ("pending", 1, 90),
        ("approved", 5, 540),
        ("rejected", 1, 30),
    ]
    assert board["outstanding_pay"] == {"amount": "0.00", "currency": "EUR"}
    week = json.loads(run(runner, db_url, "dashboard", "--json", "--period", "week"))
    assert week["period"] == "week" and "-W" in week["current"]["label"]
    text = run(runner, db_url, "dashboard")
    assert "Dashboard of Carl Contractor" in text and "pending 1 (1:30 h)" in text


@pytest.mark.pg_story
def test_admin_and_manager_dashboards(db_url: str, firm: dict[str, str]) -> None:
    runner = CliRunner()
    login(runner, db_url, *OWNER)
    board = json.loads(run(runner, db_url, "dashboard", "--json"))
    # 738.00 + 738.00 issued, nothing paid; both are past due on the real clock
    assert board["kind"] == "admin" and board["invoiced"]["amount"] == "1476.00"
    assert board["overdue"]["amount"] == "1476.00" and board["overdue_count"] == 2
    assert "Invoiced" in run(runner, db_url, "dashboard")
    login(runner, db_url, "mona@example.com", PASSWORD)
    manager = json.loads(run(runner, db_url, "dashboard", "--json"))
    # The accepted card waits for its owner's supervisor, not Mona: the firm's is shown beside.
    assert manager["kind"] == "manager" and manager["pending_approvals"] == 0
    assert manager["firm_pending_approvals"] == 1
    assert "Entries waiting for your approval: 0 (1 in the firm)" in run(
        runner, db_url, "dashboard"
    )


def test_manager_chooses_the_period_with_from_and_to(db_url: str, firm: dict[str, str]) -> None:
    runner = CliRunner()
    login(runner, db_url, "mona@example.com", PASSWORD)
    february = json.loads(
        run(runner, db_url, "dashboard", "--json", "--from", "2026-02-01", "--to", "2026-02-28")
    )
    assert (february["period_start"], february["period_end"]) == ("2026-02-01", "2026-02-28")
    # February: Hall 2 × 3 h (Dora), Roof 3 × 2 h (Carl)
    assert {(row["name"], row["minutes"]) for row in february["projects"]} == {
        ("Hall", 360),
        ("Roof", 360),
    }
    assert (february["team_minutes"], february["team_billable_minutes"]) == (720, 720)
    one_day = json.loads(
        run(runner, db_url, "dashboard", "--json", "--from", "2026-01-01", "--to", "2026-01-01")
    )
    assert one_day["team_minutes"] == 0 and one_day["projects"] == []

    bad = runner.invoke(app, ["dashboard", "--from", "2026-02-30", "--db", db_url])
    assert bad.exit_code == 1 and "from: must be a date" in bad.stderr
    assert "date_from" not in bad.stderr
    reversed_period = runner.invoke(
        app, ["dashboard", "--from", "2026-03-02", "--to", "2026-03-01", "--db", db_url]
    )
    assert reversed_period.exit_code == 1
    assert "to: must not be before 2026-03-02" in reversed_period.stderr

    login(runner, db_url, *OWNER)
    admin = runner.invoke(app, ["dashboard", "--from", "2026-02-01", "--db", db_url])
    assert admin.exit_code == 1 and "only the manager's dashboard" in admin.stderr


@pytest.mark.pg_story
def test_compliance_register_through_the_cli(db_url: str, firm: dict[str, str]) -> None:
    runner = CliRunner()
    login(runner, db_url, *OWNER)
    added = json.loads(
        run(
            runner,
            db_url,
            "compliance",
            "add",
            "--contractor",
            "carl@example.com",
            "--type",
            "insurance",
            "--file",
            "/scans/carl-insurance.pdf",
            "--expires",
            "2099-12-31",
            "--json",
        )
    )
    assert added["doc_type"] == "insurance" and added["state"] == "valid"
    listed = json.loads(run(runner, db_url, "compliance", "list", "--json"))
    assert [d["id"] for d in listed["documents"]] == [added["id"]]
    carl = next(r for r in listed["overview"] if r["user_name"] == "Carl Contractor")
    assert carl["missing"] == ["contract", "tax_form"]
    refused = runner.invoke(
        app,
        ["compliance", "add", "--contractor", "cleo@example.com", "--type", "x", "--db", db_url],
    )
    assert refused.exit_code == 1 and "contractor" in refused.stderr and "type" in refused.stderr

    login(runner, db_url, "carl@example.com", PASSWORD)
    own = json.loads(run(runner, db_url, "compliance", "list", "--json"))
    assert [d["id"] for d in own["documents"]] == [added["id"]] and own["overview"] == []
    denied = runner.invoke(app, ["compliance", "delete", str(added["id"]), "--db", db_url])
    assert denied.exit_code == 1 and "may not" in denied.stderr

    login(runner, db_url, *OWNER)
    assert "deleted" in run(runner, db_url, "compliance", "delete", str(added["id"]))
    assert json.loads(run(runner, db_url, "compliance", "list", "--json"))["documents"] == []
