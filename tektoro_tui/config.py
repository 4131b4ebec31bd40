"""Reading settings: which database to use, and the optional config file.

The database URL is taken, in this order, from the ``--db`` option, the
``TEKTORO_DATABASE_URL`` environment variable, ``[database] url`` in the
config file, and finally the default SQLite file in the data directory.

Config files: the user's ``config.toml`` (in the platformdirs config directory), and below
it a system-wide one (``/etc/tektoro/config.toml`` on Linux, see
:func:`tektoro_tui.paths.system_config_file`) that an administrator writes once for every
user of a shared server. A setting in the user's file wins over the same one in the system's::

    [database]
    url = "postgresql://tektoro@dbserver/tektoro"   # password: keyring, env or ~/.pgpass

Passwords never belong in the file: see :mod:`tektoro_tui.credentials`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import paths
from .errors import ConfigError

ENV_DATABASE_URL = "TEKTORO_DATABASE_URL"


@dataclass(frozen=True)
class DatabaseChoice:
    """The chosen database URL and where the choice came from (for messages)."""

    url: str
    source: str


def load_config_file(path: Path | None = None) -> dict[str, Any]:
    """Read one TOML config file (by default the user's); a missing file is an empty config."""
    path = path or paths.config_file()
    if not path.exists():
        return {}
    import tomllib  # only when there is a file: ``tektoro --db URL`` never needs the parser

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"The config file {path} could not be read: {exc}") from exc


def resolve_database(cli_value: str | None = None) -> DatabaseChoice:
    """Pick the database URL by the documented order of precedence.

    A value that is given but blank (``--db ''``, ``--db '   '``) is refused rather than
    taken as a file name or skipped for the next source.
    """
    if cli_value is not None:
        return DatabaseChoice(_expand(_not_blank(cli_value, "--db")), "--db option")
    env_value = os.environ.get(ENV_DATABASE_URL)
    if env_value is not None and env_value != "":
        return DatabaseChoice(_expand(_not_blank(env_value, ENV_DATABASE_URL)), ENV_DATABASE_URL)
    for path in paths.config_files():
        url = config_setting(path, "database", "url")
        if url:
            return DatabaseChoice(_expand(url), f"config file {path}")
    db_file = paths.default_database_file()
    paths.ensure_dir(db_file.parent)  # a first start: SQLite creates the file, not its folder
    return DatabaseChoice(f"sqlite:///{db_file}", "default SQLite file")


def config_setting(path: Path, section: str, name: str) -> str | None:
    """``[section] name`` of the config file at ``path``, or None where it is not set."""
    table = load_config_file(path).get(section, {})
    if not isinstance(table, dict):
        raise ConfigError(f"The config file {path}: [{section}] must be a table.")
    value = table.get(name)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"The config file {path}: [{section}] {name} must be a string.")
    return value


def _not_blank(value: str, source: str) -> str:
    """``value`` unless it is blank or holds control characters (a NUL byte cannot be in a
    path); then a refusal naming where it came from."""
    if not value.strip():
        raise ConfigError(f"{source} is blank: give a database URL or a file path.")
    if not value.isprintable():
        raise ConfigError(f"{source} holds control characters: give a database URL or a path.")
    return value


def _expand(url: str) -> str:
    """Let a plain file path stand for a SQLite URL (``tektoro --db ./firm.db``)."""
    if "://" in url:
        return url
    try:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    except (OSError, RuntimeError) as exc:  # a name too long, a symbolic-link loop
        raise ConfigError(f"The database path cannot be used: {exc}.") from exc
