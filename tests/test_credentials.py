"""Secrets without a keyring: environment, ~/.pgpass via libpq, and a private session file."""

from __future__ import annotations

import os
import subprocess
import sys

import keyring
import pytest
from keyring.backend import KeyringBackend

from tektoro_tui import credentials
from tektoro_tui.data.engine import create_db_engine
from tektoro_tui.errors import ConfigError


def test_database_password_comes_from_the_environment_without_a_keyring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEKTORO_DATABASE_PASSWORD", "s3cret")
    engine = create_db_engine("postgresql://tektoro@dbserver/firm")
    assert engine.url.password == "s3cret"
    assert engine.url.drivername == "postgresql+psycopg"


def test_without_any_password_libpq_is_left_to_read_pgpass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEKTORO_DATABASE_PASSWORD", raising=False)
    engine = create_db_engine("postgres://tektoro@dbserver/firm")
    assert engine.url.password is None


def test_storing_a_secret_without_keyring_explains_the_fallback() -> None:
    with pytest.raises(ConfigError, match="TEKTORO_SMTP_PASSWORD"):
        credentials.store_smtp_password("mailer", "smtp.example.com", "pw")


def test_session_tokens_fall_back_to_a_private_file() -> None:
    where = credentials.save_session_token("sqlite:///a.db", "tok-a")
    credentials.save_session_token("sqlite:///b.db", "tok-b")
    assert where.endswith("session.json")
    assert credentials.load_session_token("sqlite:///a.db") == "tok-a"
    credentials.clear_session_token("sqlite:///a.db")
    assert credentials.load_session_token("sqlite:///a.db") is None
    assert credentials.load_session_token("sqlite:///b.db") == "tok-b"


def test_a_command_that_finds_its_token_in_the_file_never_loads_the_keyring() -> None:
    """Loading the keyring library and its backends costs ~80 ms of every command; on a
    machine without a keyring the token is in the private file, read first."""
    credentials.save_session_token("sqlite:///a.db", "tok-a")
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from tektoro_tui import credentials; "
            "print(credentials.load_session_token('sqlite:///a.db'), 'keyring' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "TEKTORO_NO_KEYRING"},
    )
    assert found.stdout.split() == ["tok-a", "False"]


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps its secrets in a dict (this machine has no keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def test_a_token_saved_to_the_keyring_replaces_the_one_in_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The file is read first, so it must never keep a token older than the keyring's."""
    credentials.save_session_token("sqlite:///a.db", "old")  # no keyring yet: the file
    monkeypatch.delenv("TEKTORO_NO_KEYRING", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        assert credentials.save_session_token("sqlite:///a.db", "new") == "keyring"
        assert credentials.load_session_token("sqlite:///a.db") == "new"
        assert "sqlite:///a.db" not in credentials._read_session_file()
    finally:
        keyring.set_keyring(previous)
