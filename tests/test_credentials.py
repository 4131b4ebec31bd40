"""Secrets without a keyring: environment, ~/.pgpass via libpq, and a private session file."""

from __future__ import annotations

import pytest

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
