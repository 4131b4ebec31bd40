"""PostgreSQL through libpq itself: the quick reads' connection, without importing psycopg.

Importing psycopg (its C extension, its adapters, asyncio) takes 0.15 to 0.25 s, more than
all the rest of a quick read (:mod:`tektoro_tui.services.quick`); libpq, the client library
psycopg itself calls, loads in about 5 ms. So a direct read calls libpq's C functions through
:mod:`ctypes`: the same library, hence the same connection (host, port, password file,
environment, SSL, authentication) as the engine's, with none of psycopg's start-up.

It does only what a quick read needs: one connection, statements with ``$n`` parameters sent
as text, results read as text and turned into the Python values psycopg would give for the
types listed in :data:`DECODERS`. Anything else (a type not listed, a failed statement, a
library not found) raises :class:`LibpqError`, and the caller declines or uses psycopg.

The library is psycopg's own copy (``psycopg_binary.libs``, the one the engine runs on) when
it is installed, else the system's ``libpq.so.5``.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

CONNECTION_OK = 0
COMMAND_OK = 1
TUPLES_OK = 2

_BOOL, _INT8, _INT2, _INT4, _TEXT, _OID = 16, 20, 21, 23, 25, 26
_DATE, _TIMESTAMP, _TIMESTAMPTZ, _NUMERIC = 1082, 1114, 1184, 1700


def _boolean(text: str) -> bool:
    if text not in ("t", "f"):
        raise LibpqError(f"not a boolean: {text!r}")
    return text == "t"


DECODERS: dict[int, Callable[[str], Any]] = {
    _BOOL: _boolean,
    _INT8: int,
    _INT2: int,
    _INT4: int,
    _OID: int,
    _NUMERIC: Decimal,
    700: float,  # float4
    701: float,  # float8
    _TEXT: str,
    1043: str,  # varchar
    1042: str,  # char(n), padded as stored
    19: str,  # name
    _DATE: date.fromisoformat,
    _TIMESTAMP: datetime.fromisoformat,
    _TIMESTAMPTZ: datetime.fromisoformat,  # ISO text with its offset (the session is in UTC)
}
"""How each type's text becomes the value psycopg gives for it (by type OID); a date style
other than ISO, or ``infinity``, fails to parse and so raises."""


class LibpqError(Exception):
    """libpq refused, or gave something a quick read cannot take."""


_LIBRARY: list[ctypes.CDLL | None] = []


def library() -> ctypes.CDLL | None:
    """libpq, loaded once: psycopg's own copy, else the system's; None when neither loads."""
    if not _LIBRARY:
        _LIBRARY.append(_load())
    return _LIBRARY[0]


def _candidates() -> list[str]:
    """psycopg's own libpq, beside the ``psycopg_binary`` package that ``import psycopg`` would
    load (the first on ``sys.path``), then the system's."""
    for entry in sys.path:
        folder = os.path.join(entry or ".", "psycopg_binary.libs")
        if os.path.isdir(os.path.join(entry or ".", "psycopg_binary")) and os.path.isdir(folder):
            own = sorted(
                os.path.join(folder, name)
                for name in os.listdir(folder)
                if name.startswith("libpq-") and ".so" in name
            )
            return [*own, "libpq.so.5"]
    return ["libpq.so.5"]


def _load() -> ctypes.CDLL | None:
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        _declare(lib)
        return lib
    return None


def _declare(lib: ctypes.CDLL) -> None:
    """The signatures of the functions called (a wrong one would corrupt memory)."""
    pointer, text, number = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    texts = ctypes.POINTER(ctypes.c_char_p)
    for name, result, arguments in (
        ("PQconnectdbParams", pointer, [texts, texts, number]),
        ("PQstatus", number, [pointer]),
        ("PQerrorMessage", text, [pointer]),
        ("PQfinish", None, [pointer]),
        (
            "PQexecParams",
            pointer,
            [pointer, text, number, ctypes.POINTER(ctypes.c_uint), texts, pointer, pointer, number],
        ),
        ("PQresultStatus", number, [pointer]),
        ("PQresultErrorMessage", text, [pointer]),
        ("PQntuples", number, [pointer]),
        ("PQnfields", number, [pointer]),
        ("PQftype", ctypes.c_uint, [pointer, number]),
        ("PQgetisnull", number, [pointer, number, number]),
        ("PQgetvalue", text, [pointer, number, number]),
        ("PQclear", None, [pointer]),
    ):
        function = getattr(lib, name)
        function.restype = result
        function.argtypes = arguments


def _parameter(value: Any) -> tuple[int, bytes | None]:
    """A parameter's type OID (0: the server infers it, as for psycopg's text) and its text."""
    if value is None:
        return 0, None
    if isinstance(value, bool):
        return _BOOL, b"t" if value else b"f"
    if isinstance(value, int):
        return _INT8, str(value).encode()
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise LibpqError("a timestamp parameter without its time zone")
        return _TIMESTAMPTZ, value.isoformat().encode()
    if isinstance(value, date):
        return _DATE, value.isoformat().encode()
    if isinstance(value, str):
        return 0, value.encode("utf-8")
    if isinstance(value, Decimal):
        return _NUMERIC, str(value).encode()
    raise LibpqError(f"a parameter of type {type(value).__name__}")


def _said(message: bytes | None) -> str:
    """libpq's error message as text."""
    return (message or b"").decode("utf-8", "replace").strip()


class LibpqConnection:
    """One connection through libpq; ``arguments`` are libpq's connection keywords."""

    def __init__(self, lib: ctypes.CDLL, arguments: dict[str, Any]) -> None:
        self.lib = lib
        # UTF-8 text whatever the environment's PGCLIENTENCODING says (psycopg decodes the
        # server's encoding; both end in the same str)
        settings = {**arguments, "client_encoding": "UTF8"}
        keywords = (ctypes.c_char_p * (len(settings) + 1))(
            *(key.encode() for key in settings), None
        )
        values = (ctypes.c_char_p * (len(settings) + 1))(
            *(str(value).encode("utf-8") for value in settings.values()), None
        )
        self.handle = lib.PQconnectdbParams(keywords, values, 0)
        if not self.handle:
            raise LibpqError("libpq could not allocate a connection")
        if lib.PQstatus(self.handle) != CONNECTION_OK:
            message = self._message()
            self.close()
            raise LibpqError(message)

    def _message(self) -> str:
        return _said(self.lib.PQerrorMessage(self.handle))

    def close(self) -> None:
        """Close the connection (the server rolls back an open transaction)."""
        if self.handle:
            self.lib.PQfinish(self.handle)
            self.handle = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one statement with ``$1 … $n`` parameters, decoded by type."""
        if not self.handle:
            raise LibpqError("the connection is closed")
        count = len(params)
        kinds, texts = (
            zip(*(_parameter(value) for value in params), strict=True) if count else ((), ())
        )
        result = self.lib.PQexecParams(
            self.handle,
            sql.encode("utf-8"),
            count,
            (ctypes.c_uint * max(count, 1))(*kinds),
            (ctypes.c_char_p * max(count, 1))(*texts),
            None,
            None,
            0,  # every result as text
        )
        if not result:
            raise LibpqError(self._message())
        try:
            status = self.lib.PQresultStatus(result)
            if status == COMMAND_OK:
                return []
            if status != TUPLES_OK:
                raise LibpqError(_said(self.lib.PQresultErrorMessage(result)))
            return self._rows(result)
        finally:
            self.lib.PQclear(result)

    def _rows(self, result: int) -> list[tuple[Any, ...]]:
        lib = self.lib
        columns = range(lib.PQnfields(result))
        decoders = []
        for column in columns:
            kind = lib.PQftype(result, column)
            if kind not in DECODERS:
                raise LibpqError(f"a result of type OID {kind}")
            decoders.append(DECODERS[kind])
        rows = []
        for row in range(lib.PQntuples(result)):
            rows.append(
                tuple(
                    None
                    if lib.PQgetisnull(result, row, column)
                    else decoders[column](lib.PQgetvalue(result, row, column).decode("utf-8"))
                    for column in columns
                )
            )
        return rows
