"""What every connection to a firm's database agrees on, without loading SQLAlchemy.

The engine (:mod:`.engine`), the schema check (:mod:`.migrate`) and the direct connections of
one-shot commands' quick reads (:mod:`.direct`) open the same databases the same way; the last
of them must not import SQLAlchemy, so the settings they share live here.
"""

from __future__ import annotations

HEAD = "0019_audit_text_lz4"
"""The newest revision this program ships (the last file in ``migrations/versions``). A new
revision must change this too; a test compares it with what Alembic finds."""

VERSION_TABLE = "alembic_version"
"""Where a database records its schema revision."""

SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long a SQLite connection waits for another's write lock."""

APPLICATION_NAME = "tektoro"
"""How this program's connections are named in PostgreSQL's ``pg_stat_activity``."""
