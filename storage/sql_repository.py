"""Every part of the repository in the SQL both backends share, written once."""

from __future__ import annotations

from storage.repository import Repository
from storage.sql_moderation import SqlModeration
from storage.sql_outbox import SqlOutbox
from storage.sql_square import SqlSquare
from storage.sql_tables import SqlTables


class SqlRepository(SqlModeration, SqlTables, SqlSquare, SqlOutbox, Repository):
    """The whole Repository over the connection protocol; a backend adds its connections.

    SQLite (``storage/sqlite.py``) and PostgreSQL (``storage/postgres.py``) each derive from
    this and supply ``open``, ``close``, ``_write``, ``_read`` and ``table_names``; where
    they need other SQL (PostgreSQL's replicas), they override that one method.
    """
