"""The command line also runs as ``python -m`` (scripts and the benchmark use it)."""

from __future__ import annotations

import subprocess
import sys


def test_python_dash_m_runs_the_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tektoro_tui.cli.main", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "documenter" in out.stdout and "revenue" in out.stdout


def test_python_dash_m_on_the_package_is_the_tektoro_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tektoro_tui", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "whoami" in out.stdout
