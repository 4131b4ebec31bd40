"""The demo firm: every pipeline stage, two staff tiers, working logins, a clean check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from tektoro_tui.data import models as m
from tektoro_tui.domain.permissions import Role
from tektoro_tui.domain.states import TimeEntryStatus
from tektoro_tui.errors import ConflictError, ValidationError
from tektoro_tui.services.base import Actor, FixedClock
from tektoro_tui.services.demo import DEMO_PASSWORD, ORGANISATION, DemoResult, build_demo
from tektoro_tui.services.hub import Services

from .conftest import NOW

TODAY: date = NOW.date()
ENTRIES = 3000


@pytest.fixture
def demo(services: Services) -> DemoResult:
    """A demo firm of ~3000 entries on this run's backend."""
    return build_demo(services, entries=ENTRIES, seed=11, today=TODAY)


def _counts(services: Services) -> dict[str, int]:
    """Row counts of every table, to prove that a refused build changed nothing."""
    with services.db.read() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in m.metadata.sorted_tables
        }


def test_every_pipeline_status_is_present(services: Services, demo: DemoResult) -> None:
    with services.db.read() as session:
        stored = dict(
            session.execute(text("SELECT status, COUNT(*) FROM time_entry GROUP BY status")).all()
        )
        newest = set(
            session.execute(
                text("SELECT status FROM time_entry ORDER BY work_date DESC, id DESC LIMIT 20")
            ).scalars()
        )
        first, last = session.execute(
            text("SELECT MIN(work_date), MAX(work_date) FROM time_entry")
        ).one()
    assert stored == {s: n for s, n in demo.status_counts.items() if n}
    assert set(stored) == {s.value for s in TimeEntryStatus}
    assert sum(stored.values()) == ENTRIES == demo.entries
    assert demo.pay_status_counts["paid"] > 0
    # The oldest work is mostly processed, the newest still on the time card or report.
    assert stored["processed"] > ENTRIES / 2
    assert newest <= {"draft", "accepted"}
    first, last = (date.fromisoformat(d) if isinstance(d, str) else d for d in (first, last))
    assert (TODAY - first).days <= 365 and last < TODAY


# Each query counts rows that break a rule the pipeline keeps (tektoro check covers the totals).
PIPELINE_RULES: dict[str, str] = {
    "minutes in 15-minute steps up to 8 h": "SELECT COUNT(*) FROM time_entry "
    "WHERE minutes % 15 <> 0 OR minutes < 15 OR minutes > 480",
    "value = minutes x rate / 60, half up": "SELECT COUNT(*) FROM time_entry "
    "WHERE value_cents <> (minutes * rate_cents + 30) / 60",
    "the rate is the rate code's": "SELECT COUNT(*) FROM time_entry t "
    "JOIN rate_code r ON r.id = t.rate_code_id WHERE t.rate_cents <> r.hourly_rate_cents",
    "drafts are not accepted": "SELECT COUNT(*) FROM time_entry "
    "WHERE status = 'draft' AND (accepted_by_id IS NOT NULL OR accepted_at IS NOT NULL)",
    "accepted by the owner or the supervisor": "SELECT COUNT(*) FROM time_entry t "
    "JOIN user_account u ON u.id = t.owner_id WHERE t.status <> 'draft' "
    "AND (t.accepted_at IS NULL OR t.accepted_by_id IS NULL "
    "OR t.accepted_by_id NOT IN (u.id, u.supervisor_id))",
    "approved by the supervisor, after acceptance": "SELECT COUNT(*) FROM time_entry t "
    "JOIN user_account u ON u.id = t.owner_id "
    "WHERE t.status IN ('approved', 'allocated', 'processed') "
    "AND (t.approved_by_id IS NULL OR t.approved_by_id <> u.supervisor_id "
    "OR t.approved_at IS NULL OR t.approved_at < t.accepted_at)",
    "only WIP entries are approved": "SELECT COUNT(*) FROM time_entry "
    "WHERE status IN ('draft', 'accepted', 'rejected') AND approved_by_id IS NOT NULL",
    "rejections give a reason": "SELECT COUNT(*) FROM time_entry "
    "WHERE (status = 'rejected') <> (rejection_reason <> '')",
    "allocated or processed entries have an allocation": "SELECT COUNT(*) FROM time_entry "
    "WHERE (status IN ('allocated', 'processed')) <> (allocation IS NOT NULL)",
    "held entries say until when": "SELECT COUNT(*) FROM time_entry "
    "WHERE (allocation = 'hold') <> (hold_until IS NOT NULL)",
    "only processed entries sit on a document": "SELECT COUNT(*) FROM time_entry "
    "WHERE (status = 'processed') <> (document_id IS NOT NULL)",
    "lines split their value into billed and written down": "SELECT COUNT(*) "
    "FROM document_line WHERE billed_cents + write_down_cents <> value_cents",
    "write-downs go on statements of write-downs": "SELECT COUNT(*) FROM document_line l "
    "JOIN document_record d ON d.id = l.document_id "
    "WHERE (d.kind = 'write_down') <> (l.write_down_cents > 0)",
    "a document bills one client": "SELECT COUNT(*) FROM document_line l "
    "JOIN document_record d ON d.id = l.document_id JOIN time_entry t ON t.id = l.time_entry_id "
    "JOIN project p ON p.id = t.project_id WHERE p.client_id <> d.client_id",
    "documents come after the approvals": "SELECT COUNT(*) FROM document_line l "
    "JOIN document_record d ON d.id = l.document_id JOIN time_entry t ON t.id = l.time_entry_id "
    "WHERE d.created_at < t.approved_at",
    "no client invoices or payments yet": "SELECT (SELECT COUNT(*) FROM invoice) "
    "+ (SELECT COUNT(*) FROM payment) + (SELECT COUNT(*) FROM master_invoice) "
    "+ (SELECT COUNT(*) FROM invoice_series WHERE last_number <> 0)",
}


def test_entries_keep_the_pipeline_rules(services: Services, demo: DemoResult) -> None:
    with services.db.read() as session:
        broken = {
            rule: count
            for rule, sql in PIPELINE_RULES.items()
            if (count := session.execute(text(sql)).scalar_one())
        }
    assert broken == {}


def test_documents_and_the_audit_event(services: Services, demo: DemoResult) -> None:
    with services.db.read() as session:
        kinds = set(session.execute(text("SELECT DISTINCT kind FROM document_record")).scalars())
        lines = session.execute(text("SELECT COUNT(*) FROM document_line")).scalar_one()
        references = session.execute(
            text("SELECT reference FROM document_record ORDER BY id LIMIT 1")
        ).scalar_one()
        events = (
            session.execute(
                text("SELECT after_json FROM audit_event WHERE action = 'demo.generate'")
            )
            .scalars()
            .all()
        )
    assert kinds == {"invoice", "write_down"}
    assert lines == demo.status_counts["processed"] == demo.document_lines
    assert references == "DR-000001"
    assert len(events) == 1 and f'"time_entries":{ENTRIES}' in events[0]


def test_two_staff_tiers_and_every_login_works(services: Services, demo: DemoResult) -> None:
    with services.db.read() as session:
        # Whose supervisor has a supervisor other than the administrator: the second tier.
        second_tier = (
            session.execute(
                text(
                    "SELECT u.name FROM user_account u "
                    "JOIN user_account s ON s.id = u.supervisor_id "
                    "JOIN user_account top ON top.id = s.supervisor_id "
                    "WHERE top.role <> 'administrator' ORDER BY u.name"
                )
            )
            .scalars()
            .all()
        )
        first_tier = session.execute(
            text(
                "SELECT COUNT(*) FROM user_account u "
                "JOIN user_account s ON s.id = u.supervisor_id "
                "JOIN user_account top ON top.id = s.supervisor_id "
                "WHERE top.role = 'administrator' AND u.role = 'staff'"
            )
        ).scalar_one()
        unpaid_staff = session.execute(
            text("SELECT COUNT(*) FROM user_account WHERE role = 'staff' AND pay_rate_cents <= 0")
        ).scalar_one()
        loose_clients = session.execute(
            text("SELECT COUNT(*) FROM user_account WHERE role = 'client' AND company_id IS NULL")
        ).scalar_one()
    assert second_tier == ["Katarzyna Wiśniewska", "Paweł Nowicki"]
    assert first_tier == 5 and unpaid_staff == 0 and loose_clients == 0
    roles = {login.role for login in demo.logins}
    assert {role.label for role in Role if role.value in _DEMO_ROLES} == roles
    for login in demo.logins:
        actor = services.auth.login(login.email, DEMO_PASSWORD)
        assert isinstance(actor, Actor) and actor.name == login.name


_DEMO_ROLES = {"administrator", "manager", "staff", "accountant", "client"}


def test_demo_database_passes_the_check(services: Services, demo: DemoResult) -> None:
    from tektoro_tui.services.check import run_check

    report = run_check(services.db)
    assert report.ok, "\n".join(report.lines())


def test_building_twice_is_refused_and_changes_nothing(services: Services) -> None:
    build_demo(services, entries=300, seed=3, today=TODAY)
    before = _counts(services)
    with pytest.raises(ConflictError):
        build_demo(services, entries=300, seed=3, today=TODAY)
    assert _counts(services) == before


def test_refused_on_a_database_with_an_organisation(services: Services, admin: Actor) -> None:
    before = _counts(services)
    with pytest.raises(ConflictError):
        build_demo(services, entries=10, today=TODAY)
    assert _counts(services) == before


def test_negative_entries_are_refused(services: Services) -> None:
    with pytest.raises(ValidationError):
        build_demo(services, entries=-1)
    assert not services.auth.is_initialised()


def test_same_seed_builds_the_same_firm(sqlite_url: str) -> None:
    results = []
    for name in ("one.db", "two.db"):
        url = sqlite_url.replace("tektoro.db", name)
        hub = Services.connect(url, clock=FixedClock(NOW))
        try:
            results.append(build_demo(hub, entries=400, seed=5, today=TODAY))
        finally:
            hub.close()
    first, second = results
    assert first.status_counts == second.status_counts
    assert first.pay_status_counts == second.pay_status_counts
    assert first.documents == second.documents


def test_summary_lists_logins_password_and_counts(demo: DemoResult) -> None:
    text_out = demo.summary()
    assert ORGANISATION in text_out and DEMO_PASSWORD in text_out
    for login in demo.logins:
        assert login.email in text_out and login.name in text_out
    for status, count in demo.status_counts.items():
        assert status in text_out and f"{count:,}" in text_out
    assert demo.elapsed_seconds > 0


def test_demo_on_postgresql(pg_url: str) -> None:
    from tektoro_tui.services.check import run_check

    hub = Services.connect(pg_url, clock=FixedClock(NOW))
    try:
        result = build_demo(hub, entries=ENTRIES, seed=11, today=TODAY)
        assert all(result.status_counts.values())
        assert run_check(hub.db).ok
        with hub.db.read() as session:
            for table in ("time_entry", "document_record", "document_line"):
                top = session.execute(text(f"SELECT max(id) FROM {table}")).scalar_one()
                following = session.execute(
                    text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")
                ).scalar_one()
                assert following > top, table
        with pytest.raises(ConflictError):
            build_demo(hub, entries=10, today=TODAY)
    finally:
        hub.close()


def test_cli_demo_prints_the_logins(tmp_path: Path) -> None:
    from tektoro_tui.cli.main import app

    db_file = tmp_path / "cli-demo.db"
    result = CliRunner().invoke(app, ["demo", "--db", str(db_file), "--entries", "250"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output and "processed" in result.output
    again = CliRunner().invoke(app, ["demo", "--db", str(db_file), "--entries", "250"])
    assert again.exit_code == 1
