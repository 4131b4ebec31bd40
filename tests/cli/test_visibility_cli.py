"""The staff-visibility rule through the CLI: supervisors see one level down, never further."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tektoro_tui.cli.main import app
from tests.builders import connected, join

from .test_pipeline_cli import ANN, BOB, OWNER, login, run, seed


def _tree(url: str) -> None:
    """Owner → Ann (seeded) → Bob, Ann's own staff."""
    seed(url)
    with connected(url) as services:
        join(services, services.auth.login(*ANN), BOB[0], "Bob")


@pytest.mark.pg_story
def test_entries_reach_one_level_up_only(db_url: str) -> None:
    runner = CliRunner()
    _tree(db_url)
    codes = ["--project", "Roof", "--task", "Survey", "--activity", "Design", "--rate", "Senior"]
    login(runner, db_url, *BOB)
    run(runner, db_url, "time", "add", *codes, "--time", "2:00")
    run(runner, db_url, "time", "accept", "--all")

    login(runner, db_url, *OWNER)
    owner_view = json.loads(run(runner, db_url, "time", "list", "--json"))
    assert owner_view["entries"] == [] and owner_view["totals"]["entries"] == 0
    refused = runner.invoke(
        app, ["time", "approve", "--contributor", "bob@example.com", "--db", db_url]
    )
    assert refused.exit_code == 1

    login(runner, db_url, *ANN)
    ann_view = json.loads(run(runner, db_url, "time", "list", "--json"))
    assert [e["owner_name"] for e in ann_view["entries"]] == ["Bob"]
    approved = json.loads(
        run(runner, db_url, "time", "approve", "--contributor", "bob@example.com", "--json")
    )
    assert approved["totals"]["entries"] == 1 and approved["dry_run"] is False
