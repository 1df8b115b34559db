"""The two ways a statement reaches SQLite: over aiosqlite's thread, or inline on the loop's.

aiosqlite sends every statement to a worker thread and back: about 50-100 µs of hand-over
per statement on a small server, five to ten times what SQLite itself needs for the point
lookups and short transactions buurtbot runs (a note: six statements of the handler and its
share of the inbox's). Measured in bench/throughput.py, the hand-overs were a third of the
bot's CPU time per update.

So the connections that serve updates (the writer and the reader) are ``InlineConnection``:
``sqlite3`` called directly on the event loop's thread. What made the thread worth having
is handled there instead:

* Waiting for another process's lock (SQLITE_BUSY) never blocks the loop: SQLite's own busy
  wait is switched off, and a busy statement is tried again after an ``asyncio.sleep``, up
  to ``busy_timeout`` seconds, then the error goes up as before ("database is locked").
* The statements are short: every query the bot runs is indexed (bench/scale.py checks the
  plans and times them on 1,000,000 notes).

Statements whose length nobody bounds (migrations when the repository opens, the checkpoint
that empties the WAL after an erase) go over ``ThreadedConnection``, on aiosqlite's thread,
where a long statement or SQLite's own busy wait leaves the loop free.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from abc import abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.connection import Connection, Params, Row

_T = TypeVar("_T")
_FIRST_PAUSE = 0.002
_LONGEST_PAUSE = 0.05


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == sqlite3.SQLITE_BUSY)
    return "database is locked" in str(exc)


class SqliteConnection(Connection):
    """What both SQLite connections share: their transactions, said explicitly.

    They are opened with isolation_level=None, so Python's sqlite3 never opens a
    transaction behind our back.
    """

    @abstractmethod
    async def close(self) -> None:
        """Close the connection; safe to call twice."""

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        try:
            # IMMEDIATE takes the write lock at once: a transaction never fails halfway on
            # another process's lock.
            await self.execute("BEGIN IMMEDIATE")
            yield
            await self.execute("COMMIT")
        except BaseException:
            # Unconditional: when cancelled, the BEGIN or COMMIT may still be queued on
            # aiosqlite's thread, so in_transaction cannot be trusted yet; the thread runs
            # this ROLLBACK after them.
            with contextlib.suppress(sqlite3.OperationalError):
                await self.execute("ROLLBACK")
            raise

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        try:
            await self.execute("BEGIN")
            yield
        finally:
            # Always, even when cancelled before BEGIN ran: a reader left inside a read
            # transaction would serve that old snapshot from then on.
            with contextlib.suppress(sqlite3.OperationalError):
                await self.execute("COMMIT")


def _all_rows(db: sqlite3.Connection, sql: str, params: Any) -> list[Row]:
    cursor = db.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _changed(db: sqlite3.Connection, sql: str, params: Any) -> int:
    cursor = db.execute(sql, params)
    count = cursor.rowcount
    cursor.close()
    return count


def _changed_many(db: sqlite3.Connection, sql: str, rows: Any) -> int:
    cursor = db.executemany(sql, rows)
    count = cursor.rowcount
    cursor.close()
    return count


def _new_id(db: sqlite3.Connection, sql: str, params: Any) -> int:
    cursor = db.execute(sql, params)
    new_id = cursor.lastrowid
    cursor.close()
    assert new_id is not None
    return new_id


class InlineConnection(SqliteConnection):
    """A sqlite3 connection whose statements run on the calling (event loop) thread."""

    def __init__(self, db: sqlite3.Connection, *, busy_timeout: float) -> None:
        self._db: sqlite3.Connection | None = db
        self._busy_timeout = busy_timeout

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open (for tests that check none was left open)."""
        return self._db is not None and self._db.in_transaction

    async def _call(
        self, fn: Callable[[sqlite3.Connection, str, Any], _T], sql: str, params: Any
    ) -> _T:
        deadline: float | None = None
        pause = _FIRST_PAUSE
        while True:
            db = self._db
            if db is None:
                raise ValueError("Connection closed")
            try:
                return fn(db, sql, params)
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self._busy_timeout
                if now >= deadline:
                    raise
                # A statement that met SQLITE_BUSY did nothing; it can simply run again.
                await asyncio.sleep(min(pause, deadline - now))
                pause = min(pause * 2, _LONGEST_PAUSE)

    def trace(self, callback: Callable[[str], None] | None) -> None:
        """Tell callback every statement run from now on (None: stop telling)."""
        if self._db is not None:
            self._db.set_trace_callback(callback)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._call(_all_rows, sql, params)

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await self._call(_changed, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        # A list, so that a try again after SQLITE_BUSY has every row still.
        return await self._call(_changed_many, sql, list(rows))

    async def insert(self, sql: str, params: Params = ()) -> int:
        return await self._call(_new_id, sql, params)

    async def close(self) -> None:
        """Close at once (there is no thread to stop); safe to call twice."""
        db, self._db = self._db, None
        if db is not None:
            db.close()


def open_inline(path: Path, *, busy_timeout: float) -> InlineConnection:
    """Open the file for statements on the loop's thread."""
    db = sqlite3.connect(str(path), isolation_level=None)
    db.row_factory = sqlite3.Row
    # Waiting happens in InlineConnection._call, with the loop free meanwhile.
    db.execute("PRAGMA busy_timeout = 0")
    return InlineConnection(db, busy_timeout=busy_timeout)


class ThreadedConnection(SqliteConnection):
    """An aiosqlite connection: each statement runs on its thread, the loop stays free."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        cursor = await self._conn.executemany(sql, rows)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def insert(self, sql: str, params: Params = ()) -> int:
        row = await self._conn.execute_insert(sql, params)
        assert row is not None
        return int(row[0])

    async def close(self) -> None:
        """Stop the thread and close; safe to call twice."""
        await self._conn.close()


async def open_threaded(path: Path, *, busy_timeout: float) -> ThreadedConnection:
    """Open the file for statements on aiosqlite's thread."""
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = sqlite3.Row
    # On its own thread SQLite's busy wait blocks nobody but this connection.
    await conn.execute(f"PRAGMA busy_timeout = {round(busy_timeout * 1000)}")
    return ThreadedConnection(conn)
