"""Schema migrations: numbered SQL files in ``storage/migrations/``, applied once, in order.

The loading, planning and statement splitting below know nothing about SQLite: PostgreSQL
runs the very same numbered files through :func:`apply_postgres_migrations`, which only
turns ``INTEGER PRIMARY KEY`` into an identity column.

A file is named ``NNNN_some_name.sql``. It holds plain statements separated by semicolons;
each file is applied in one transaction and recorded in ``schema_migrations``. SQLite
connections here run with foreign_keys ON, which cannot be switched inside a transaction:
a future migration that rebuilds a table must keep the foreign keys valid throughout.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from storage.connection import Connection

if TYPE_CHECKING:
    import asyncpg

SCHEMA_MIGRATIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(package: str = "storage", folder: str = "migrations") -> list[Migration]:
    """Read the numbered files shipped with the package, sorted by version."""
    # importlib.resources rather than a path next to __file__: it also works from a wheel
    # or a zip, where there is no folder on disk.
    root = resources.files(package).joinpath(folder)
    found: dict[int, Migration] = {}
    for entry in root.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match is None:
            # A stray file that looks meant as a migration is a mistake worth stopping for;
            # anything else (a README, __pycache__) is not ours to judge.
            if entry.name.endswith(".sql"):
                raise RuntimeError(f"migration file name not understood: {entry.name}")
            continue
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations with version {version}: {entry.name}")
        found[version] = Migration(version, match.group(2), entry.read_text(encoding="utf-8"))
    return [found[version] for version in sorted(found)]


def plan(available: Sequence[Migration], applied: Collection[int]) -> list[Migration]:
    """Return the migrations still to apply; refuse a database this code does not know."""
    known = {m.version for m in available}
    unknown = sorted(set(applied) - known)
    if unknown:
        newest = max(known, default=0)
        raise RuntimeError(
            f"the database has schema version(s) {unknown} that this buurtbot does not know "
            f"(it knows up to {newest}); it was written by a newer buurtbot. Upgrade buurtbot "
            "or restore a backup; refusing to open it."
        )
    return [m for m in available if m.version not in applied]


def split_statements(script: str) -> list[str]:
    """Split a script on the semicolons that end statements.

    Semicolons inside quotes, comments and PostgreSQL dollar quotes do not count.
    Trigger bodies (BEGIN ... END) are not understood: keep them out of the files.
    """
    statements: list[str] = []
    start = 0
    has_code = False
    i = 0
    n = len(script)
    while i < n:
        ch = script[i]
        if script.startswith("--", i):
            end = script.find("\n", i)
            i = n if end == -1 else end + 1
            continue
        if script.startswith("/*", i):
            end = script.find("*/", i + 2)
            i = n if end == -1 else end + 2
            continue
        if ch in ("'", '"'):
            # A doubled quote is an escaped quote; scanning on from the second one
            # re-enters the same string, which gives the same result.
            end = script.find(ch, i + 1)
            i = n if end == -1 else end + 1
            has_code = True
            continue
        if ch == "$":
            tag = re.match(r"\$[A-Za-z_]*\$", script[i:])
            if tag is not None:
                end = script.find(tag.group(0), i + len(tag.group(0)))
                i = n if end == -1 else end + len(tag.group(0))
                has_code = True
                continue
        if ch == ";":
            if has_code:
                statements.append(script[start:i].strip())
            start = i + 1
            has_code = False
        elif not ch.isspace():
            has_code = True
        i += 1
    if has_code:
        statements.append(script[start:].strip())
    return statements


async def _applied_versions(conn: Connection) -> set[int]:
    rows = await conn.fetch_all("SELECT version FROM schema_migrations")
    return {int(row[0]) for row in rows}


async def apply_sqlite_migrations(
    conn: Connection,
    *,
    now: Callable[[], str],
    migrations: Sequence[Migration] | None = None,
) -> list[int]:
    """Apply what is missing on a SQLite connection; return the versions applied.

    ``now`` gives the ISO-8601 UTC text recorded as applied_at.
    """
    available = load_migrations() if migrations is None else list(migrations)
    await conn.execute(SCHEMA_MIGRATIONS_DDL)
    todo = plan(available, await _applied_versions(conn))
    done: list[int] = []
    for migration in todo:
        try:
            # The transaction takes the write lock before we look again: another process
            # opening the same file at the same moment then waits and finds the work done.
            async with conn.transaction():
                applied = await _applied_versions(conn)
                plan(available, applied)
                if migration.version not in applied:
                    for statement in split_statements(migration.sql):
                        await conn.execute(statement)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at)"
                        " VALUES (?, ?, ?)",
                        (migration.version, migration.name, now()),
                    )
                    done.append(migration.version)
        except sqlite3.Error as exc:
            raise RuntimeError(
                f"migration {migration.version:04d}_{migration.name} failed: {exc}"
            ) from exc
    return done


# PostgreSQL: the same files, with SQLite's one habit translated. A generated key becomes an
# identity column; everything else in the files is already plain SQL both accept.
_INTEGER_KEY = re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\b", re.IGNORECASE)
# pg_advisory_xact_lock(namespace, key): replicas starting at once migrate one at a time.
MIGRATION_LOCK = (0x62756D67, 1)


def postgres_statement(statement: str) -> str:
    """A migration statement as PostgreSQL runs it."""
    return _INTEGER_KEY.sub("INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", statement)


async def apply_postgres_migrations(
    conn: asyncpg.Connection,
    *,
    now: Callable[[], str],
    migrations: Sequence[Migration] | None = None,
) -> list[int]:
    """Apply what is missing, one transaction per file, recorded in schema_migrations.

    Every transaction first takes an advisory lock, so that replicas starting together wait
    for each other and find the work done.
    """
    available = load_migrations() if migrations is None else list(migrations)
    done: list[int] = []
    while True:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", *MIGRATION_LOCK)
            await conn.execute(SCHEMA_MIGRATIONS_DDL)
            rows = await conn.fetch("SELECT version FROM schema_migrations")
            todo = plan(available, {int(row[0]) for row in rows})
            if not todo:
                return done
            migration = todo[0]
            try:
                for statement in split_statements(migration.sql):
                    await conn.execute(postgres_statement(statement))
            except Exception as exc:
                if type(exc).__module__.startswith("asyncpg"):
                    raise RuntimeError(
                        f"migration {migration.version:04d}_{migration.name} failed: {exc}"
                    ) from exc
                raise
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                now(),
            )
            done.append(migration.version)
