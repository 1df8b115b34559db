"""The Repository on one SQLite file.

One writer connection: every write is a ``BEGIN IMMEDIATE`` … ``COMMIT`` transaction,
serialised by an asyncio.Lock, so writes never meet SQLITE_BUSY among themselves and a
failure rolls back whole. Reads go over a second connection; WAL lets them run beside
the writer and see every committed write. Both run their statements on the loop's thread;
a third connection, on aiosqlite's thread, migrates and checkpoints
(``storage/sqlite_connections.py`` says why).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path

from storage.connection import Connection
from storage.group_commit import GroupCommit
from storage.migrations import apply_sqlite_migrations
from storage.serialized import Serialized
from storage.sql_repository import SqlRepository
from storage.sqlite_connections import (
    InlineConnection,
    SqliteConnection,
    ThreadedConnection,
    open_inline,
    open_threaded,
)

# Another process's lock is waited for up to this long (by InlineConnection, without
# blocking the event loop); then the statement fails with "database is locked".
BUSY_TIMEOUT = 5.0

_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
)
_WAL_RETRY = 0.02


async def _use_wal(conn: SqliteConnection) -> None:
    """Put the file in WAL mode, waiting for another process that is doing the same.

    Switching a new file to WAL needs it to itself, and SQLite answers "database is
    locked" at once rather than wait its busy timeout (seen when several processes open
    one new file together: about one start in eight on a loaded machine).
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            await conn.fetch_all("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(_WAL_RETRY)


async def _prepare(conn: SqliteConnection, *, read_only: bool) -> None:
    """Set what every connection to the file needs (PRAGMAs hold per connection)."""
    await _use_wal(conn)
    for pragma in _PRAGMAS:
        await conn.fetch_all(pragma)
    if read_only:
        # A write sneaking in over the reader would bypass the lock and the transaction.
        await conn.fetch_all("PRAGMA query_only = ON")
    else:
        # Deleted content is overwritten with zeros rather than left in free pages:
        # what a resident erases must leave the file, not only the tables.
        await conn.fetch_all("PRAGMA secure_delete = ON")


class SqliteRepository(SqlRepository):
    """Every part of the repository on one SQLite database."""

    def __init__(self, path: Path | str, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(clock=clock)
        self.path = Path(path)
        self._writer: InlineConnection | None = None
        self._reader: InlineConnection | None = None
        self._maintenance: ThreadedConnection | None = None
        self._write_lock = asyncio.Lock()
        self._group = GroupCommit(self._write_lock, lambda: self._writer)
        # One task at a time on the reader, so that export's snapshot transaction never
        # swallows another task's read (which would then miss that task's own last write).
        self._read_lock = asyncio.Lock()

    # -- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        async with self._write_lock:
            if self._writer is not None:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            opened: list[SqliteConnection] = []
            try:
                maintenance = await open_threaded(self.path, busy_timeout=BUSY_TIMEOUT)
                opened.append(maintenance)
                await _prepare(maintenance, read_only=False)
                await apply_sqlite_migrations(maintenance, now=self._now)
                # From now on it only checkpoints, best effort: waiting for another
                # process's reader would hold up every write and read of ours meanwhile.
                await maintenance.fetch_all("PRAGMA busy_timeout = 0")
                writer = open_inline(self.path, busy_timeout=BUSY_TIMEOUT)
                opened.append(writer)
                await _prepare(writer, read_only=False)
                reader = open_inline(self.path, busy_timeout=BUSY_TIMEOUT)
                opened.append(reader)
                await _prepare(reader, read_only=True)
            except BaseException:
                for conn in reversed(opened):
                    await conn.close()
                raise
            self._maintenance, self._writer, self._reader = maintenance, writer, reader

    async def close(self) -> None:
        # Taking the locks lets a write or read in flight finish first.
        async with self._write_lock, self._read_lock:
            connections = (self._reader, self._writer, self._maintenance)
            self._reader = self._writer = self._maintenance = None
            for conn in connections:
                if conn is not None:
                    await conn.close()

    # -- connections and transactions -------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _write(
        self, serialized: Serialized | None = None, key: int = 0
    ) -> AsyncIterator[Connection]:
        # What a write names needs nothing more here: the lock lets one write in at a time.
        async with self._write_lock:
            conn = self._writer
            if conn is None:
                raise RuntimeError("the SQLite repository is not open")
            async with conn.transaction():
                yield conn

    @contextlib.asynccontextmanager
    async def _single(self) -> AsyncIterator[Connection]:
        # The busiest writes (a note, the chat state) share one commit with the others of the
        # same moment (storage/group_commit.py).
        async with self._group.statement() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def _read(self) -> AsyncIterator[Connection]:
        async with self._read_lock:
            conn = self._reader
            if conn is None:
                raise RuntimeError("the SQLite repository is not open")
            yield conn

    async def _after_erase(self) -> None:
        # The WAL still holds the erased words until a checkpoint has copied the zeroed
        # pages back; TRUNCATE then empties it. Under the read lock too: a read in progress
        # would pin the WAL.
        async with self._write_lock, self._read_lock:
            if self._maintenance is not None:
                # Best effort: with another process reading, it returns busy and the next
                # automatic checkpoint finishes the job.
                await self._maintenance.fetch_all("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextlib.contextmanager
    def watch_statements(self) -> Iterator[list[str]]:
        """The statements the bot's connections run within the block (tests and the bench)."""
        seen: list[str] = []
        connections = [c for c in (self._writer, self._reader) if c is not None]
        for conn in connections:
            conn.trace(seen.append)
        try:
            yield seen
        finally:
            for conn in connections:
                conn.trace(None)

    async def table_names(self) -> list[str]:
        rows = await self._select(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        return [str(row["name"]) for row in rows]
