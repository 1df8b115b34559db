"""Where a person still shows in the database, read from the schema itself.

The tables and columns come from the database (``sqlite_master`` and ``pragma_table_info``
on SQLite, ``information_schema`` on PostgreSQL), never from a list kept here: a table a new
migration adds is scanned the day it exists, and a forgotten erase step for it fails.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from pathlib import Path

from storage.sql_repository import SqlRepository
from storage.sqlite import SqliteRepository


@dataclass(frozen=True)
class Person:
    """Who to look for: their Telegram id and the words that are theirs alone."""

    user_id: int
    words: tuple[str, ...] = ()  # names, username, phone, what they wrote


@dataclass(frozen=True)
class Trace:
    """One cell that still names the person."""

    table: str
    column: str
    value: object


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def schema(repo: SqlRepository) -> dict[str, list[str]]:
    """Every table and its columns, as the database lists them."""
    if isinstance(repo, SqliteRepository):
        tables = await repo._select(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        columns: dict[str, list[str]] = {}
        for table in tables:
            rows = await repo._select(
                "SELECT name FROM pragma_table_info(?) ORDER BY cid", (table["name"],)
            )
            columns[str(table["name"])] = [str(row["name"]) for row in rows]
        return columns
    rows = await repo._select(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c"
        " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
        " AND t.table_name = c.table_name"
        " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
        " ORDER BY c.table_name, c.ordinal_position"
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(str(row["table_name"]), []).append(str(row["column_name"]))
    return found


_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def names(value: object, person: Person) -> bool:
    """Whether one stored value names the person: their id, or one of their words."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == person.user_id
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if _SHA256_HEX.fullmatch(text):
        # A digest holds no one's words; "Bea" turned up in one by chance ("…759bea95…").
        return False
    folded = text.casefold()
    return str(person.user_id) in text or any(word.casefold() in folded for word in person.words)


async def traces(repo: SqlRepository, person: Person) -> list[Trace]:
    """Every cell of every table and column that still names the person."""
    found: list[Trace] = []
    for table, columns in (await schema(repo)).items():
        listed = ", ".join(_quoted(column) for column in columns)
        for row in await repo._select(f"SELECT {listed} FROM {_quoted(table)}"):
            found.extend(
                Trace(table, column, row[column])
                for column in columns
                if names(row[column], person)
            )
    return found


async def tables_naming(repo: SqlRepository, people: tuple[Person, ...]) -> set[str]:
    """The tables in which at least one of these people shows."""
    shown: set[str] = set()
    for person in people:
        shown.update(trace.table for trace in await traces(repo, person))
    return shown


async def settled_traces(
    repo: SqlRepository,
    person: Person,
    timeout: float = 5.0,  # noqa: ASYNC109
) -> list[Trace]:
    """The traces left once the bot is done (a farewell may still be on its way out)."""
    deadline = time.monotonic() + timeout
    while True:
        found = await traces(repo, person)
        if not found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)


def file_words(repo: SqlRepository, person: Person) -> list[str]:
    """The person's words still in SQLite's files on disk (none to read on PostgreSQL)."""
    if not isinstance(repo, SqliteRepository):
        return []
    raw = b""
    for suffix in ("", "-wal", "-journal"):
        part = Path(f"{repo.path}{suffix}")
        if part.exists():
            raw += part.read_bytes()
    return [word for word in person.words if word.encode() in raw]
