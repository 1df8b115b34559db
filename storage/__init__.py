"""Where buurtbot keeps what residents and the municipality write.

``bot.backends.repository_for`` is the one place that chooses SQLite or PostgreSQL.
"""

from __future__ import annotations

from storage.repository import Repository
from storage.sql_repository import SqlRepository
from storage.sqlite import SqliteRepository

__all__ = ["Repository", "SqlRepository", "SqliteRepository"]
