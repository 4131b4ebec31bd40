"""``tektoro audit seal``: key the audit log and vouch for every ledger row as it stands.

A new organisation is keyed and sealed by ``tektoro init``. A database from before
keyed audit logs (``tektoro db upgrade`` adds the columns but cannot know the
key), a database whose key is lost for good, or one restored from a backup on
purpose, is sealed by this command: one audit event, ``audit.seal``, carries the
seal of every ledger row and the first keyed mark; the head is keyed with the key
file of this machine (created if there is none) and recorded as seen.

Sealing vouches for what is there, tampered or not, so it refuses while ``check``
finds anything but what sealing repairs (an unkeyed log, a missing or other key,
a head that went back, rows never sealed), and the command asks before it writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from ...data.engine import Database
from ...data.seals import SEALED_TABLES
from ..audit_key import AuditKey, ensure_key, read_key, record_head
from ..base import Clock, ServiceBase
from . import audit, seals
from .core import CheckFailure
from .runner import run_check

SEAL_ACTION = "audit.seal"

REPAIRED_BY_SEALING = frozenset(
    {
        "the chain is keyed with this machine's audit key",
        "the chain holds the furthest event seen of it",
    }
)
"""Rules whose failure sealing repairs (a never-sealed database's rows too, see below)."""


@dataclass(frozen=True)
class SealPlan:
    """What sealing would do, and what stands in its way."""

    database: str
    key: AuditKey
    blockers: tuple[CheckFailure, ...]
    repaired: tuple[CheckFailure, ...]

    @property
    def question(self) -> str:
        """What the user confirms."""
        key = (
            f"the audit key {self.key.path}"
            if self.key.key is not None
            else f"a new audit key, written to {self.key.path} (keep a copy with your backups)"
        )
        return (
            f"Seal {self.database}? One audit event will vouch for every ledger row as it "
            f"stands now, and the log will be keyed with {key}. Only do this when you trust "
            "the data as it is"
        )


@dataclass(frozen=True)
class SealResult:
    """The sealing event and what it vouches for."""

    event_id: int
    rows: dict[str, int]
    key_path: Path
    fingerprint: str

    def summary(self) -> str:
        """One line for the terminal."""
        total = sum(self.rows.values())
        return (
            f"Sealed {total:,} ledger row(s) in audit event #{self.event_id}; the audit log is "
            f"keyed with {self.key_path} (fingerprint {self.fingerprint})."
        )


def _repaired(failure: CheckFailure) -> bool:
    if failure.rule in REPAIRED_BY_SEALING:
        return True
    return failure.invariant == seals.SEALED_ROWS and seals.NEVER_SEALED in failure.detail


def prepare_seal(db: Database, *, key_file: Path | None = None) -> SealPlan:
    """Check ``db`` and say what sealing it would repair and what stands in the way."""
    report = run_check(db, key_file=key_file)
    repaired = tuple(f for f in report.failures if _repaired(f))
    blockers = tuple(f for f in report.failures if not _repaired(f))
    return SealPlan(db.display_url, read_key(key_file), blockers, repaired)


class _Sealer(ServiceBase):
    """The unit of work of the seal: no signed-in user (a lost key must not lock it out)."""

    def seal(self, key: AuditKey) -> SealResult:
        assert key.key is not None and key.fingerprint is not None
        with self._write(None) as uow:
            counts = {
                table: int(uow.session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
                for table in SEALED_TABLES
            }
            uow.audit(
                SEAL_ACTION,
                "ledger",
                None,
                None,
                {"rows": counts, "key_id": key.fingerprint, "command": audit.SEAL_COMMAND},
            )
            uow.key_chain(key.key)
        head = uow.head
        assert head is not None
        record_head(
            head.chain,
            head.event_id,
            head.hash,
            self.db.display_url,
            keyed_from=head.keyed_from,
            replace=True,
        )
        return SealResult(head.event_id, counts, key.path, key.fingerprint)


def seal_ledger(db: Database, clock: Clock, *, key_file: Path | None = None) -> SealResult:
    """Key the audit log with this machine's key (made if missing) and seal every row."""
    return _Sealer(db, clock).seal(ensure_key(key_file))
