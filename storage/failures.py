"""Tell a passing storage failure (locked, disk full) from a fault in the code.

The bot answers both the same way in principle (log, tell the person), but an operator needs
to know at a glance that the disk is full or that another process holds the database, and
the person must not be told that their words were saved when they could not be.
"""

from __future__ import annotations

import sqlite3

_LOCKED = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_FULL = {sqlite3.SQLITE_FULL}
_IO = {sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY}


def _postgres(exc: BaseException) -> str | None:
    """The same for PostgreSQL (asyncpg): errors by SQLSTATE, and a connection that failed."""
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str) and type(exc).__module__.startswith("asyncpg"):
        if sqlstate.startswith(("08", "57P")):
            return f"the database server cannot be reached ({exc})"
        if sqlstate == "53100":
            return "the database server's disk is full"
        if sqlstate.startswith("53"):
            return f"the database server is out of resources ({exc})"
        if sqlstate == "25006":
            return "the database is read-only"
        return None
    if type(exc).__module__.startswith("asyncpg") and type(exc).__name__ in (
        "ConnectionDoesNotExistError",
        "InterfaceError",
    ):
        return f"the connection to the database server was lost ({exc})"
    if isinstance(exc, OSError | TimeoutError):
        # Only when it came out of asyncpg (connecting, or a connection that broke).
        tb = exc.__traceback__
        while tb is not None:
            if str(tb.tb_frame.f_globals.get("__name__", "")).startswith("asyncpg"):
                return f"the database server cannot be reached ({exc or type(exc).__name__})"
            tb = tb.tb_next
    return None


def unavailable(exc: BaseException | None) -> str | None:
    """Why storage could not be used, in words for the log; None for other errors.

    Looks through the exception and what caused it, since handlers may wrap it.
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sqlite3.Error):
            code = getattr(exc, "sqlite_errorcode", None)
            primary = code & 0xFF if isinstance(code, int) else None
            message = str(exc)
            if primary in _LOCKED or "database is locked" in message:
                return "the database is locked by another process"
            if primary in _FULL or "database or disk is full" in message:
                return "the disk is full (database or disk is full)"
            if primary in _IO:
                return f"the database file cannot be written ({message})"
        reason = _postgres(exc)
        if reason is not None:
            return reason
        exc = exc.__cause__ or exc.__context__
    return None
