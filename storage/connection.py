"""The seam between the shared SQL and a database driver: the calls the storage parts make.

The storage parts (``storage/sql_*.py``) are written once against ``Connection``; SQLite
implements it twice (``storage/sqlite_connections.py``: over aiosqlite's thread, and inline
over ``sqlite3``) and PostgreSQL once (``storage/pg_connection.py``). Statements use ``?`` or
``:name`` placeholders, and every result is read whole: a half-read cursor would keep a read
transaction open on SQLite, hiding later commits and stopping WAL checkpoints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Params = Sequence[Any] | Mapping[str, Any]
"""Positional values for ``?`` placeholders, or a mapping for ``:name`` ones."""


class Row(Protocol):
    """A result row, read by column name or position (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> Iterable[str]: ...


class Connection(Protocol):
    """One database session, as the shared SQL uses it."""

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a statement and return all its rows."""
        ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """Run a statement and return its first row, None when there is none."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement that returns no rows; return how many rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run a statement once per set of values; return how many rows they changed.

        A row skipped by ``ON CONFLICT DO NOTHING`` counts zero.
        """
        ...

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT of one row and return its generated ``id``."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """A write transaction: commits when the block ends, rolls back when it raises."""
        ...

    def snapshot(self) -> AbstractAsyncContextManager[None]:
        """A read transaction, so that several reads agree with each other."""
        ...
