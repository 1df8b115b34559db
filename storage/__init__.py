"""Where buurtbot keeps what residents and the municipality write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from storage.repository import Repository
from storage.sqlite import SqliteRepository

__all__ = ["Repository", "SqliteRepository", "open_repository"]


def _is_database_url(path: Path | str) -> bool:
    return isinstance(path, str) and path.startswith(("postgresql://", "postgres://"))


async def open_repository(
    path: Path | str, *, clock: Callable[[], datetime] | None = None
) -> Repository:
    """Open (creating and migrating when needed) the SQLite database at path, or the
    PostgreSQL database when path is a postgresql:// URL."""
    repository: Repository
    if _is_database_url(path):
        from storage.postgres import PostgresRepository

        repository = PostgresRepository(str(path), clock=clock)
    else:
        repository = SqliteRepository(path, clock=clock)
    await repository.open()
    return repository
