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
        exc = exc.__cause__ or exc.__context__
    return None
