"""What vouches for the audit chain from outside the database: the key and the seen heads.

**The audit key** marks every event (an HMAC of its hash), so that someone who can
write to the database but cannot read the key can neither re-hash an edited chain
nor append an event that passes ``tektoro check``. It is 32 random bytes, written as
hex in ``audit.key`` beside the configuration (``paths.audit_key_file``), created
with mode 0600 by ``tektoro init`` or ``tektoro audit seal``. Its place can be moved
with ``TEKTORO_AUDIT_KEY_FILE`` or ``[audit] key_file`` in ``config.toml``: on a
shared PostgreSQL server every user who writes needs the same key (e.g. a file
readable by a ``tektoro`` group). A database records only the key's fingerprint.

**The seen heads** (``audit-heads.json`` beside the key; ``TEKTORO_AUDIT_HEADS_FILE``
or ``[audit] heads_file``) remember, for each chain, the furthest event this
machine has seen: every write records the head it committed and ``check`` the head
it verified. A chain whose end goes back (events deleted and the head moved back
with them) or forks (an event replaced by one re-hashed) no longer holds the event
seen, which ``check`` reports. A chain is known by the hash of its first event, so a
copy or a move of the database is the same chain and a new database a new one.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import paths
from ..domain.audit import key_fingerprint
from ..errors import ConfigError, TektoroError

ENV_KEY_FILE = "TEKTORO_AUDIT_KEY_FILE"
ENV_HEADS_FILE = "TEKTORO_AUDIT_HEADS_FILE"
KEY_BYTES = 32
MAX_CHAINS = 200
"""The seen-heads file keeps the most recently seen chains, at most this many."""


class AuditKeyError(TektoroError):
    """The audit key a write or a seal needs is missing, unreadable or not this database's."""

    title = "Audit key problem"


_config_cache: dict[Path, tuple[int, dict[str, Any]]] = {}


def _audit_setting(name: str) -> str | None:
    """``[audit] name`` from the user's config file, else the system-wide one (each read
    again only when it changes)."""
    for path in paths.config_files():
        section = _audit_section(path)
        value = section.get(name)
        if value is not None:
            if not isinstance(value, str):
                raise ConfigError(f"The config file {path}: [audit] {name} must be a string.")
            return value
    return None


def _audit_section(path: Path) -> dict[str, Any]:
    from ..config import load_config_file

    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    cached = _config_cache.get(path)
    if cached is None or cached[0] != stamp:
        section = load_config_file(path).get("audit", {})
        if not isinstance(section, dict):
            raise ConfigError(f"The config file {path}: [audit] must be a table.")
        cached = (stamp, section)
        _config_cache[path] = cached
    return cached[1]


def key_file() -> Path:
    """Where the audit key is: TEKTORO_AUDIT_KEY_FILE, ``[audit] key_file``, the default."""
    chosen = os.environ.get(ENV_KEY_FILE) or _audit_setting("key_file")
    return Path(chosen).expanduser() if chosen else paths.audit_key_file()


def heads_file() -> Path:
    """Where the seen heads are: TEKTORO_AUDIT_HEADS_FILE, ``[audit] heads_file``, the default."""
    chosen = os.environ.get(ENV_HEADS_FILE) or _audit_setting("heads_file")
    return Path(chosen).expanduser() if chosen else paths.audit_heads_file()


# ==============================================================================================
# The key
# ==============================================================================================


@dataclass(frozen=True)
class AuditKey:
    """The key file's place and, when it could be read, the key."""

    path: Path
    key: bytes | None

    @property
    def fingerprint(self) -> str | None:
        """The key's public name (None without a key)."""
        return key_fingerprint(self.key) if self.key is not None else None


_key_cache: dict[Path, tuple[tuple[int, int], bytes]] = {}


def read_key(path: Path | None = None) -> AuditKey:
    """The audit key at ``path`` (the configured place by default); ``key`` None if absent.

    Raises:
        AuditKeyError: the file exists but cannot be read or holds no key.
    """
    path = path or key_file()
    try:
        info = path.stat()
    except FileNotFoundError:
        return AuditKey(path, None)
    except OSError as exc:
        raise AuditKeyError(f"The audit key file {path} cannot be read: {exc.strerror}.") from exc
    stamp = (info.st_mtime_ns, info.st_size)
    cached = _key_cache.get(path)
    if cached is not None and cached[0] == stamp:
        return AuditKey(path, cached[1])
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or "it does not hold a key written by TekToro"
        raise AuditKeyError(f"The audit key file {path} cannot be read: {reason}.") from exc
    if len(key) < 16:
        raise AuditKeyError(f"The audit key file {path} holds no usable key (too short).")
    _key_cache[path] = (stamp, key)
    return AuditKey(path, key)


def ensure_key(path: Path | None = None) -> AuditKey:
    """The audit key, created (32 random bytes, mode 0600) when there is none yet."""
    found = read_key(path)
    if found.key is not None:
        return found
    target = found.path
    key = secrets.token_bytes(KEY_BYTES)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(target)  # another process made it first: use theirs
    except OSError as exc:
        raise AuditKeyError(
            f"The audit key file {target} cannot be created: {exc.strerror}."
        ) from exc
    with os.fdopen(handle, "w", encoding="ascii") as file:
        file.write(key.hex() + "\n")
        file.flush()
        os.fsync(file.fileno())
    return read_key(target)


def key_for_writing(key_id: str) -> bytes:
    """The key a write to a database keyed with fingerprint ``key_id`` marks its events with.

    Raises:
        AuditKeyError: the key file is missing or holds another key; nothing is written.
    """
    found = read_key()
    if found.key is None:
        raise AuditKeyError(
            f"This database's audit log is keyed, but the audit key file {found.path} is "
            "missing, so no change can be vouched for. Restore the key file from your backup "
            f"(or point {ENV_KEY_FILE} or [audit] key_file at it); only if it is lost for "
            "good, `tektoro audit seal` keys the database anew."
        )
    if found.fingerprint != key_id:
        raise AuditKeyError(
            f"The audit key file {found.path} is not the key this database is keyed with "
            f"(fingerprint {found.fingerprint}, the database expects {key_id}). Use that "
            f"database's key file (set {ENV_KEY_FILE} or [audit] key_file)."
        )
    return found.key


# ==============================================================================================
# The seen heads
# ==============================================================================================


@dataclass(frozen=True)
class SeenHead:
    """The furthest event of one chain seen on this machine."""

    event_id: int
    hash: str
    seen_at: str
    where: str
    keyed_from: int | None = None


def _load_heads(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}
    chains = data.get("chains") if isinstance(data, dict) else None
    return chains if isinstance(chains, dict) else {}


def seen_head(chain: str, path: Path | None = None) -> SeenHead | None:
    """The furthest head seen of the chain whose first event's hash is ``chain``."""
    entry = _load_heads(path or heads_file()).get(chain)
    if not isinstance(entry, dict):
        return None
    try:
        return SeenHead(
            event_id=int(entry["event_id"]),
            hash=str(entry["hash"]),
            seen_at=str(entry.get("seen_at", "")),
            where=str(entry.get("where", "")),
            keyed_from=int(entry["keyed_from"]) if entry.get("keyed_from") is not None else None,
        )
    except (KeyError, TypeError, ValueError):
        return None


def record_head(
    chain: str,
    event_id: int,
    digest: str,
    where: str,
    *,
    keyed_from: int | None = None,
    path: Path | None = None,
    replace: bool = False,
) -> None:
    """Remember ``event_id`` (hash ``digest``) as seen in ``chain``; a head only moves forward.

    ``keyed_from`` is the first keyed event the head named then: it only changes when
    the database is sealed anew.

    ``replace`` records it even when it is behind the one seen (after a deliberate
    restore, by ``tektoro audit seal``). The file is replaced atomically; a failure to
    write it is ignored (the next write or check records the head again).
    """
    from ..exports.filenames import write_atomic

    target = path or heads_file()
    chains = _load_heads(target)
    known = chains.get(chain)
    if (
        not replace
        and isinstance(known, dict)
        and isinstance(known.get("event_id"), int)
        and known["event_id"] >= event_id
    ):
        return
    chains.pop(chain, None)
    chains[chain] = {
        "event_id": event_id,
        "hash": digest,
        "seen_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "where": where,
        "keyed_from": keyed_from,
    }
    kept = dict(list(chains.items())[-MAX_CHAINS:])
    body = json.dumps({"version": 1, "chains": kept}, indent=1, sort_keys=False)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(target, body.encode("utf-8"))
    except OSError:
        return
