"""Every file location the product knows, in one place.

Data (the default SQLite database), configuration, exports and the CLI session
file live in the platform's usual directories (platformdirs). Setting
``TEKTORO_HOME`` puts all of them below one folder instead, which tests and
portable installs use.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "tektoro"


def _home_override() -> Path | None:
    value = os.environ.get("TEKTORO_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """Where the default database lives."""
    home = _home_override()
    if home is not None:
        return home / "data"
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """Where ``config.toml`` and the session file live."""
    home = _home_override()
    if home is not None:
        return home / "config"
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def exports_dir() -> Path:
    """Where rendered invoices and exported reports are written."""
    home = _home_override()
    if home is not None:
        return home / "exports"
    from platformdirs import user_documents_path

    return user_documents_path() / "TekToro"


def config_file() -> Path:
    """The TOML configuration file."""
    return config_dir() / "config.toml"


SYSTEM_CONFIG_ENV = "TEKTORO_SYSTEM_CONFIG"
"""Moves the system-wide config file (for installs that keep it elsewhere)."""


def system_config_file() -> Path:
    """The system-wide ``config.toml``, read below the user's: ``/etc/tektoro/config.toml``
    on Linux and other Unix systems, the platform's site config folder elsewhere. With
    ``TEKTORO_HOME`` set it is ``system/config.toml`` below that home (tests never read /etc).
    """
    moved = os.environ.get(SYSTEM_CONFIG_ENV)
    if moved:
        return Path(moved).expanduser()
    home = _home_override()
    if home is not None:
        return home / "system" / "config.toml"
    if os.name == "posix" and not _is_macos():
        return Path("/etc") / APP_NAME / "config.toml"
    from platformdirs import site_config_path

    return site_config_path(APP_NAME, appauthor=False) / "config.toml"


def _is_macos() -> bool:
    import sys

    return sys.platform == "darwin"


def config_files() -> tuple[Path, ...]:
    """The config files in the order they count: the user's, then the system-wide one."""
    return (config_file(), system_config_file())


def session_file() -> Path:
    """Fallback store for the CLI session token when no keyring backend exists."""
    return config_dir() / "session.json"


def audit_key_file() -> Path:
    """The audit key's default place (``[audit] key_file`` or TEKTORO_AUDIT_KEY_FILE move it)."""
    return config_dir() / "audit.key"


def audit_heads_file() -> Path:
    """Where ``check`` and every write keep the audit heads they saw (movable like the key)."""
    return config_dir() / "audit-heads.json"


def default_database_file() -> Path:
    """The embedded SQLite database used when nothing else is configured."""
    return data_dir() / "tektoro.db"


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed, readable only by the user; return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
