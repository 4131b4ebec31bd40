"""The staff-visibility rule through the CLI: supervisors see one level down, never further."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tektoro_tui.services.hub import Services

from .test_pipeline_cli import login, run, seed


def _tree(url: str) -> None:
    """Owner → Ann (seeded) → Bob, Ann's own staff."""
    seed(url)
    services = Services.connect(url)
    try:
        ann = services.auth.login("ann@example.com", "ann-pass-123")
        token = services.auth.invite(ann, "bob@example.com").token
        services.auth.register(token, "Bob", "bob-pass-123")
    finally:
        services.close()


def test_entries_reach_one_level_up_only(db_url: str) -> None:
    runner = CliRunner()
    _tree(db_url)
    codes = ["--project", "Roof", "--task", "Survey", "--activity", "Design", "--rate", "Senior"]
    login(runner, db_url, "bob@example.com", "bob-pass-123")
    run(runner, db_url, "time", "add", *codes, "--time", "2:00")
    run(runner, db_url, "time", "accept", "--all")

    login(runner, db_url, "owner@example.com", "owner-pass-1")
    owner_view = json.loads(run(runner, db_url, "time", "list", "--json"))
    assert owner_view["entries"] == [] and owner_view["totals"]["entries"] == 0
    refused = runner.invoke(
        app, ["time", "approve", "--contributor", "bob@example.com", "--db", db_url]
    )
    assert refused.exit_code == 1

    login(runner, db_url, "ann@example.com", "ann-pass-123")
    ann_view = json.loads(run(runner, db_url, "time", "list", "--json"))
    assert [e["owner_name"] for e in ann_view["entries"]] == ["Bob"]
    approved = json.loads(
        run(runner, db_url, "time", "approve", "--contributor", "bob@example.com", "--json")
    )
    assert approved["totals"]["entries"] == 1 and approved["dry_run"] is False
