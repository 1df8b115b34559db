"""Support of notes in storage: once per resident, never one's own, gone with /vergeet."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from storage.models import (
    MUNICIPALITY,
    Decision,
    Note,
    NoteKind,
    NoteStatus,
    Quadrant,
    Theme,
    ThemeStatus,
)
from storage.sql_repository import SqlRepository
from tests.backends import new_repository

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
WRITER, ANNA, BOB = 700_100_001, 700_100_002, 700_100_003


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqlRepository]:
    repository = new_repository(tmp_path / "bot.sqlite3", clock=lambda: T0)
    await repository.open()
    for user in (WRITER, ANNA, BOB):
        await repository.ensure_resident(user, "nl")
    yield repository
    await repository.close()


async def _theme(repo: SqlRepository) -> Theme:
    return await repo.create_theme(
        title="Groen dorp",
        invitation="Praat mee",
        question="Wat mis je?",
        place=MUNICIPALITY,
        status=ThemeStatus.ACTIVE,
        starts_on=date(2027, 1, 1),
        ends_on=None,
    )


async def _note(
    repo: SqlRepository, theme: Theme, author: int, text: str, status: NoteStatus
) -> Note:
    return await repo.add_note(
        theme_id=theme.id,
        author_id=author,
        kind=NoteKind.TEXT,
        text=text,
        file_id=None,
        quadrant=Quadrant.WISH,
        status=status,
        source_update_id=None,
    )


async def test_support_once_never_own_never_hidden(repo: SqlRepository) -> None:
    theme = await _theme(repo)
    note = await _note(repo, theme, WRITER, "Een bankje", NoteStatus.VISIBLE)
    waiting = await _note(repo, theme, WRITER, "Nog niet zichtbaar", NoteStatus.PENDING)
    assert await repo.add_support(note.id, ANNA)
    assert not await repo.add_support(note.id, ANNA)
    assert not await repo.add_support(note.id, WRITER)
    assert not await repo.add_support(waiting.id, ANNA)
    assert await repo.add_support(note.id, BOB)
    assert await repo.support_counts(theme.id) == {note.id: 2}
    assert await repo.supported_notes(ANNA, [note.id, waiting.id]) == {note.id}
    assert await repo.remove_support(note.id, BOB)
    assert not await repo.remove_support(note.id, BOB)
    assert await repo.support_counts(theme.id) == {note.id: 1}


async def test_most_shared_first_counts_duplicates_too(repo: SqlRepository) -> None:
    theme = await _theme(repo)
    old = await _note(repo, theme, WRITER, "Speeltuin", NoteStatus.VISIBLE)
    twin = await _note(repo, theme, ANNA, "Speeltuin graag", NoteStatus.PENDING)
    supported = await _note(repo, theme, WRITER, "Bankje", NoteStatus.VISIBLE)
    newest = await _note(repo, theme, WRITER, "Markt", NoteStatus.VISIBLE)
    await repo.add_support(supported.id, ANNA)
    await repo.add_support(supported.id, BOB)
    await repo.decide(
        "pre",
        twin.id,
        0,
        Decision.DUPLICATE,
        duplicate_of=old.id,
        moderator_id=BOB,
        moderator_name="Mo",
        now=T0,
    )
    order = [n.id for n in await repo.list_notes_by_support(theme.id, limit=10)]
    assert order == [supported.id, old.id, newest.id]
    assert [n.id for n in await repo.list_notes_by_support(theme.id, limit=1, offset=1)] == [old.id]


async def test_erasure_drops_support_and_own_note_takes_its_support(repo: SqlRepository) -> None:
    theme = await _theme(repo)
    note = await _note(repo, theme, WRITER, "Een bankje", NoteStatus.VISIBLE)
    kept = await _note(repo, theme, BOB, "Bankjes graag", NoteStatus.DRAFT)
    await repo.add_support(note.id, ANNA)
    await repo.add_support(note.id, BOB, via_note_id=kept.id)
    assert (await repo.export_resident(ANNA))["support"][0]["note_id"] == note.id
    await repo.erase_resident(ANNA)
    assert await repo.support_counts(theme.id) == {note.id: 1}
    assert await repo.delete_note(kept.id)
    assert await repo.support_counts(theme.id) == {}


async def test_what_changed_since(repo: SqlRepository) -> None:
    theme = await _theme(repo)
    assert await repo.notes_changed_since(theme.id, None) == []
    note = await _note(repo, theme, WRITER, "Een bankje", NoteStatus.VISIBLE)
    assert [n.id for n in await repo.notes_changed_since(theme.id, None)] == [note.id]
    # At the same time (this repository's clock stands still) a change is still seen.
    await repo.set_note_quadrant(note.id, Quadrant.QUESTION, NoteStatus.HIDDEN)
    changed = await repo.notes_changed_since(theme.id, note.updated_at)
    assert [n.status for n in changed] == [NoteStatus.HIDDEN]
    assert await repo.notes_changed_since(theme.id, note.updated_at + timedelta(seconds=1)) == []
