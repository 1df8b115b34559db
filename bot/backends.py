"""Which storage a config names: the SQLite file at [storage] path, or PostgreSQL at url.

The one place that chooses the backend; the bot, the export command and the tests come here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.core.config import StorageConfig
from storage.repository import Repository
from storage.sqlite import SqliteRepository


def repository_for(
    storage: StorageConfig, *, clock: Callable[[], datetime] | None = None
) -> Repository:
    """A repository (not opened yet) on the database the config names."""
    if storage.url is not None:
        # Imported here: asyncpg is only needed by those who use PostgreSQL.
        from storage.postgres import PostgresRepository

        return PostgresRepository(storage.url, clock=clock, pool_size=storage.pool_size)
    return SqliteRepository(storage.path, clock=clock)
