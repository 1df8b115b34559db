"""The migration runner, on real SQLite files."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import aiosqlite
import pytest

from storage.migrations import (
    Migration,
    apply_sqlite_migrations,
    load_migrations,
    plan,
    split_statements,
)
from storage.sqlite import SqliteRepository
from storage.sqlite_connections import ThreadedConnection

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return T0


def migration_rows(path: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"
        ).fetchall()


def test_files_ship_as_package_resources() -> None:
    folder = resources.files("storage").joinpath("migrations")
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".sql"))
    assert names[0] == "0001_initial.sql"
    assert all(re.fullmatch(r"\d{4}_[a-z0-9_]+\.sql", name) for name in names)


def test_load_migrations_numbers_them_in_order() -> None:
    migrations = load_migrations()
    versions = [m.version for m in migrations]
    # Parallel branches take numbers given to them, so a branch may hold a gap until merged.
    assert versions == sorted(set(versions)) and versions[0] == 1
    assert migrations[0].name == "initial"
    assert "CREATE TABLE residents" in migrations[0].sql


def test_sql_files_avoid_sqlite_only_syntax() -> None:
    # A PostgreSQL implementation is meant to run the same files.
    for migration in load_migrations():
        upper = migration.sql.upper()
        for word in ("AUTOINCREMENT", "WITHOUT ROWID", "STRICT", "INSERT OR ", "PRAGMA"):
            assert word not in upper, (migration.name, word)


async def test_open_records_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    repo = SqliteRepository(path, clock=fixed_clock)
    await repo.open()
    rows = await repo.dump_table("schema_migrations")
    await repo.close()
    assert [(row["version"], row["name"]) for row in rows] == [
        (m.version, m.name) for m in load_migrations()
    ]
    assert all(row["applied_at"] == "2025-03-01T12:00:00.000000+00:00" for row in rows)


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    first = SqliteRepository(path, clock=fixed_clock)
    await first.open()
    await first.close()
    before = migration_rows(path)

    later = datetime(2030, 1, 1, tzinfo=UTC)
    second = SqliteRepository(path, clock=lambda: later)
    await second.open()
    await second.close()
    assert migration_rows(path) == before


async def test_many_repositories_opening_a_new_file_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    repos = [SqliteRepository(path, clock=fixed_clock) for _ in range(5)]
    await asyncio.gather(*(repo.open() for repo in repos))
    try:
        assert [row[0] for row in migration_rows(path)] == [m.version for m in load_migrations()]
    finally:
        await asyncio.gather(*(repo.close() for repo in repos))


async def test_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    repo = SqliteRepository(path, clock=fixed_clock)
    await repo.open()
    await repo.close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')"
        )

    newer = SqliteRepository(path, clock=fixed_clock)
    with pytest.raises(RuntimeError, match=r"999.*newer buurtbot"):
        await newer.open()
    # Nothing was left open, and closing is still fine.
    await newer.close()
    with pytest.raises(RuntimeError, match="not open"):
        await newer.get_resident(1)


async def test_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    good = Migration(1, "good", "CREATE TABLE a (x INTEGER);")
    bad = Migration(
        2,
        "bad",
        "CREATE TABLE b (y INTEGER);\nINSERT INTO b VALUES (1);\nINSERT INTO missing VALUES (1);",
    )
    async with aiosqlite.connect(tmp_path / "m.sqlite3", isolation_level=None) as conn:
        migrated = ThreadedConnection(conn)
        with pytest.raises(RuntimeError, match="0002_bad failed"):
            await apply_sqlite_migrations(migrated, now=lambda: "t", migrations=[good, bad])
        assert not conn.in_transaction
        tables = {
            row[0]
            for row in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type='table'"
            )
        }
        versions = [
            row[0] for row in await conn.execute_fetchall("SELECT version FROM schema_migrations")
        ]
    assert "a" in tables
    assert "b" not in tables
    assert versions == [1]


async def test_apply_returns_what_it_applied(tmp_path: Path) -> None:
    one = Migration(1, "one", "CREATE TABLE a (x INTEGER)")
    two = Migration(2, "two", "CREATE TABLE b (x INTEGER)")
    async with aiosqlite.connect(tmp_path / "m.sqlite3", isolation_level=None) as conn:
        migrated = ThreadedConnection(conn)
        assert await apply_sqlite_migrations(migrated, now=lambda: "t", migrations=[one]) == [1]
        assert await apply_sqlite_migrations(migrated, now=lambda: "t", migrations=[one, two]) == [
            2
        ]
        assert await apply_sqlite_migrations(migrated, now=lambda: "t", migrations=[one, two]) == []


def test_plan_skips_applied_and_refuses_unknown() -> None:
    migrations = [Migration(1, "a", ""), Migration(2, "b", ""), Migration(3, "c", "")]
    assert [m.version for m in plan(migrations, {1})] == [2, 3]
    assert plan(migrations, {1, 2, 3}) == []
    with pytest.raises(RuntimeError, match=r"\[4\]"):
        plan(migrations, {1, 2, 3, 4})


def test_split_statements_respects_quotes_and_comments() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (x TEXT DEFAULT 'a;b', "we;ird" INTEGER);
    /* block; comment */
    INSERT INTO t (x) VALUES ('it''s; fine');
    CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
    -- only a comment at the end;
    """
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[0].endswith('"we;ird" INTEGER)')
    assert statements[1].endswith("VALUES ('it''s; fine')")
    assert "$body$ SELECT 1; $body$" in statements[2]
    assert split_statements("SELECT 1") == ["SELECT 1"]
    assert split_statements(" ;; \n") == []


def test_initial_migration_runs_statement_by_statement() -> None:
    conn = sqlite3.connect(":memory:")
    for statement in split_statements(load_migrations()[0].sql):
        assert sqlite3.complete_statement(statement + ";"), statement
        conn.execute(statement)
    conn.close()


async def test_follow_up_migration_keeps_every_consent_and_widens_the_purposes(
    tmp_path: Path,
) -> None:
    """0015 rebuilds consents to widen its CHECK: the answers given before it stay."""
    before = [m for m in load_migrations() if m.version < 15]
    async with aiosqlite.connect(tmp_path / "m.sqlite3", isolation_level=None) as conn:
        await conn.execute("PRAGMA foreign_keys = ON")
        migrated = ThreadedConnection(conn)
        await apply_sqlite_migrations(migrated, now=lambda: "t", migrations=before)
        await migrated.execute(
            "INSERT INTO residents (user_id, language, created_at, last_seen_at)"
            " VALUES (7, 'nl', 't', 't')"
        )
        await migrated.execute(
            "INSERT INTO consents (user_id, purpose, granted, updated_at)"
            " VALUES (7, 'theme_news', 1, 't'), (7, 'contact', 0, 't')"
        )
        assert 15 in await apply_sqlite_migrations(migrated, now=lambda: "t")
        await migrated.execute(
            "INSERT INTO consents (user_id, purpose, granted, updated_at)"
            " VALUES (7, 'follow_up', 1, 't')"
        )
        rows = await migrated.fetch_all(
            "SELECT purpose, granted FROM consents WHERE user_id = 7 ORDER BY purpose"
        )
        assert [(r[0], r[1]) for r in rows] == [
            ("contact", 0),
            ("follow_up", 1),
            ("theme_news", 1),
        ]
        with pytest.raises(sqlite3.IntegrityError):
            await migrated.execute(
                "INSERT INTO consents (user_id, purpose, granted, updated_at)"
                " VALUES (7, 'anything', 1, 't')"
            )
        # The cascade from residents survives the rebuild.
        await migrated.execute("DELETE FROM residents WHERE user_id = 7")
        assert await migrated.fetch_all("SELECT * FROM consents") == []
