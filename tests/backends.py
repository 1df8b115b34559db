"""Which storage the tests run on: SQLite files by default, PostgreSQL when asked.

    BUURTBOT_TEST_DATABASE=postgresql://user@127.0.0.1:5432/postgres .venv/bin/pytest

With the variable set, every database a test names by a file path becomes a fresh PostgreSQL
database of its own (created on first use, the same one for the same path within a test, and
dropped when the test ends): the bots the tests start, the repositories they open and the
configs they write for bots in other processes all use it. ``.ci/run`` starts a server and
runs the storage and end-to-end tests this way after the whole suite on SQLite. Tests of
SQLite itself (its files, WAL, locking) are marked ``sqlite_only``.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.backends import repository_for
from bot.core.config import StorageConfig
from storage.sql_repository import SqlRepository

ENV = "BUURTBOT_TEST_DATABASE"
ADMIN_URL = os.environ.get(ENV, "").strip() or None
ON_POSTGRES = ADMIN_URL is not None
BACKEND = "postgresql" if ON_POSTGRES else "sqlite"

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="about SQLite itself")
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason=f"needs PostgreSQL: set {ENV} (.ci/run does)"
)

# What a refused write raises on either backend.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.IntegrityError,
    asyncpg.IntegrityConstraintViolationError,
)
STORAGE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, asyncpg.PostgresError)

_T = TypeVar("_T")
_counter = itertools.count(1)
_created: dict[str, str] = {}
"""Databases made in this test: the path they stand for -> their URL."""


def _in_thread(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to the end on a loop of its own (callers may be inside a loop)."""
    result: list[_T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(make()))
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def _admin(statement: str) -> None:
    assert ADMIN_URL is not None
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def database_url(path: Path | str) -> str:
    """The PostgreSQL database standing for this path in the current test (made when new)."""
    if ADMIN_URL is None:
        raise RuntimeError(f"{ENV} is not set")
    key = str(path)
    found = _created.get(key)
    if found is None:
        name = f"bbtest_{os.getpid()}_{next(_counter)}_{secrets.token_hex(3)}"
        _in_thread(lambda: _admin(f'CREATE DATABASE "{name}"'))
        found = _created[key] = _with_database(ADMIN_URL, name)
    return found


def drop_databases() -> None:
    """Drop the databases this test made (sessions still open, e.g. of killed bots, too)."""
    names = [urlsplit(url).path.lstrip("/") for url in _created.values()]
    _created.clear()
    for name in names:
        _in_thread(lambda name=name: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def storage_section(path: Path) -> dict[str, Any]:
    """The [storage] section of a config for the database at path."""
    if ON_POSTGRES:
        return {"url": database_url(path)}
    return {"path": str(path)}


def storage_toml(path: Path) -> str:
    """The same as TOML lines."""
    if ON_POSTGRES:
        return f'url = "{database_url(path)}"'
    return f'path = "{path}"'


def new_repository(
    path: Path | str, *, clock: Callable[[], datetime] | None = None
) -> SqlRepository:
    """A repository on the database at path (not opened yet), chosen as the bot chooses."""
    url = database_url(path) if ON_POSTGRES else None
    repo = repository_for(StorageConfig(path=Path(path), url=url), clock=clock)
    assert isinstance(repo, SqlRepository)
    return repo


async def writes_in_progress(repo: SqlRepository) -> bool:
    """True when a write transaction was left open (it would block or leak into the next)."""
    from storage.postgres import PostgresRepository

    if isinstance(repo, PostgresRepository):
        row = await repo._select_one(
            "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database()"
            " AND state LIKE 'idle in transaction%'"
        )
        return row is not None and int(row["n"]) > 0
    from storage.sqlite import SqliteRepository

    assert isinstance(repo, SqliteRepository)
    writer = repo._writer
    assert writer is not None
    return bool(writer.in_transaction)


def open_connection(repo: SqlRepository) -> object | None:
    """What the repository holds while open (SQLite's writer, PostgreSQL's pool); else None."""
    from storage.postgres import PostgresRepository
    from storage.sqlite import SqliteRepository

    if isinstance(repo, PostgresRepository):
        return repo._pool
    assert isinstance(repo, SqliteRepository)
    return repo._writer
