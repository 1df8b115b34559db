"""Where buurtbot keeps what residents and the municipality write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from storage.repository import Repository
from storage.sqlite import SqliteRepository

__all__ = ["Repository", "SqliteRepository", "open_repository"]


async def open_repository(
    path: Path | str, *, clock: Callable[[], datetime] | None = None
) -> Repository:
    """Open (creating and migrating when needed) the SQLite database at path."""
    repository = SqliteRepository(path, clock=clock)
    await repository.open()
    return repository
