"""The Repository on one SQLite file: the core with each storage part layered over it."""

from __future__ import annotations

from storage.repository import Repository
from storage.sqlite_core import THEME_CODE_ALPHABET, THEME_CODE_LENGTH, new_theme_code
from storage.sqlite_moderation import SqliteModeration
from storage.sqlite_outbox import SqliteOutbox
from storage.sqlite_tables import SqliteTables


class SqliteRepository(SqliteModeration, SqliteTables, SqliteOutbox, Repository):
    """Every part of the repository on one SQLite database."""


__all__ = ["THEME_CODE_ALPHABET", "THEME_CODE_LENGTH", "SqliteRepository", "new_theme_code"]
