"""Writes of the same moment share one SQLite commit; each still returns only once committed."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.models import NoteKind, NoteStatus
from storage.sqlite import SqliteRepository
from tests.backends import sqlite_only

pytestmark = sqlite_only  # about SQLite's commits; PostgreSQL's single writes need none
CHATS = range(800_300_001, 800_300_021)


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteRepository]:
    repository = SqliteRepository(tmp_path / "bot.sqlite3")
    await repository.open()
    yield repository
    await repository.close()


async def test_writes_at_once_share_a_commit_and_are_durable_on_return(
    repo: SqliteRepository, tmp_path: Path
) -> None:
    with repo.watch_statements() as seen:
        await asyncio.gather(*(repo.set_state(c, "talk", "write", {"n": c}) for c in CHATS))
    commits = [s for s in seen if s == "COMMIT"]
    assert 1 <= len(commits) < len(CHATS)
    # Another connection (another process) sees every one of them as soon as they returned.
    with sqlite3.connect(tmp_path / "bot.sqlite3") as other:
        (count,) = other.execute("SELECT COUNT(*) FROM chat_state").fetchone()
    assert count == len(CHATS)


async def test_a_refused_statement_fails_alone(repo: SqliteRepository) -> None:
    async def bad_note() -> None:
        await repo.add_note(
            theme_id=999,  # no such theme: the foreign key refuses it
            author_id=None,
            kind=NoteKind.TEXT,
            text="los briefje",
            file_id=None,
            quadrant=None,
            status=NoteStatus.DRAFT,
            source_update_id=None,
        )

    results = await asyncio.gather(
        *(repo.set_state(c, "talk", "write", {}) for c in CHATS[:5]),
        bad_note(),
        *(repo.set_state(c, "talk", "write", {}) for c in CHATS[5:10]),
        return_exceptions=True,
    )
    assert isinstance(results[5], sqlite3.IntegrityError)
    assert [r for i, r in enumerate(results) if i != 5] == [None] * 10
    for chat in CHATS[:10]:
        assert (await repo.get_state(chat)).flow == "talk"
    # Nothing was left open: a write transaction after it runs as usual.
    await repo.set_state(CHATS[0], None, None, {})
    assert (await repo.get_state(CHATS[0])).flow is None
