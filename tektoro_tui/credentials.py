"""The only module that touches the keyring.

Secrets (the database password, the SMTP password, the CLI session token) are
kept in the operating system's keyring when a backend exists. A headless SSH
server usually has none; then database passwords come from the environment
(``TEKTORO_DATABASE_PASSWORD``) or libpq's own ``~/.pgpass``, the SMTP password
from ``TEKTORO_SMTP_PASSWORD``, and the session token from a file readable only
by its owner. A missing backend is a clear message, never a traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import paths
from .errors import ConfigError

SERVICE = "tektoro"
ENV_DB_PASSWORD = "TEKTORO_DATABASE_PASSWORD"
ENV_SMTP_PASSWORD = "TEKTORO_SMTP_PASSWORD"
NO_KEYRING_HINT = (
    "No keyring backend is available on this machine (typical on a headless server). "
    "Use the environment variable {env} instead{extra}."
)


def keyring_available() -> bool:
    """True when a real (not the 'fail') keyring backend is configured."""
    if os.environ.get("TEKTORO_NO_KEYRING"):
        return False
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return False
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - any backend failure means "no keyring"
        return False
    return not isinstance(backend, fail.Keyring) and backend.priority > 0


def get_secret(name: str) -> str | None:
    """Read a secret from the keyring; None when absent or when no backend exists."""
    if not keyring_available():
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, name)
    except KeyringError:
        return None


def set_secret(name: str, value: str, *, env: str) -> None:
    """Store a secret in the keyring, or explain how to provide it without one."""
    if not keyring_available():
        raise ConfigError(NO_KEYRING_HINT.format(env=env, extra=""))
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, name, value)
    except KeyringError as exc:
        raise ConfigError(f"The keyring refused to store the secret: {exc}") from exc


def delete_secret(name: str) -> None:
    """Remove a secret from the keyring if it is there."""
    if not keyring_available():
        return
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, name)
    except (PasswordDeleteError, KeyringError):
        return


def database_password(user: str, host: str) -> str | None:
    """The database password: keyring first, then the environment; None lets libpq use ~/.pgpass."""
    secret = get_secret(f"db:{user}@{host}")
    return secret or environment_database_password(user, host)


def environment_database_password(_user: str, _host: str) -> str | None:
    """The database password the environment gives, without searching the keyring."""
    return os.environ.get(ENV_DB_PASSWORD) or None


def smtp_password(username: str, host: str) -> str | None:
    """The SMTP password: keyring first, then the environment."""
    secret = get_secret(f"smtp:{username}@{host}")
    return secret or os.environ.get(ENV_SMTP_PASSWORD) or None


def store_smtp_password(username: str, host: str, password: str) -> None:
    """Keep the SMTP password in the keyring (refused with advice when there is none)."""
    set_secret(f"smtp:{username}@{host}", password, env=ENV_SMTP_PASSWORD)


# --- CLI session token -------------------------------------------------------------------


def _session_key(db_url: str) -> str:
    return f"session:{db_url}"


def save_session_token(db_url: str, token: str) -> str:
    """Keep the CLI session token for ``db_url``; returns where it was kept. A token kept in
    the keyring takes the place of one the private file held for the same database."""
    store = _read_session_file()
    if keyring_available():
        set_secret(_session_key(db_url), token, env="(none)")
        if store.pop(db_url, None) is not None:
            _write_session_file(store)
        return "keyring"
    store[db_url] = token
    _write_session_file(store)
    return str(paths.session_file())


def load_session_token(db_url: str) -> str | None:
    """The stored CLI session token for ``db_url``, if any: the private file is read first,
    so a command on a machine without a keyring (a server reached over SSH) never loads the
    keyring library and its backends (about 80 ms of every command)."""
    return file_session_token(db_url) or get_secret(_session_key(db_url))


def file_session_token(db_url: str) -> str | None:
    """The CLI session token the private file keeps for ``db_url``, never searching the
    keyring. The file holds a token only for a login made where no keyring was there."""
    return _read_session_file().get(db_url) or None


def clear_session_token(db_url: str) -> None:
    """Forget the CLI session token for ``db_url`` everywhere it may be kept."""
    delete_secret(_session_key(db_url))
    store = _read_session_file()
    if store.pop(db_url, None) is not None:
        _write_session_file(store)


def _read_session_file() -> dict[str, str]:
    path = paths.session_file()
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_session_file(store: dict[str, str]) -> None:
    path: Path = paths.session_file()
    paths.ensure_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(store, handle)
    os.chmod(tmp, 0o600)
    tmp.replace(path)
