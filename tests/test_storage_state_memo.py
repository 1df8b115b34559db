"""One update reads its chat's state once: the memo, its bounds, and the reads that feed it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from storage.models import MUNICIPALITY, NoteKind, NoteStatus, Quadrant, Theme, ThemeStatus
from storage.sql_repository import SqlRepository
from tests.backends import new_repository

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
ANNA, BOB = 700_200_001, 700_200_002


@pytest.fixture
async def repos(tmp_path: Path) -> AsyncIterator[tuple[SqlRepository, SqlRepository]]:
    """The bot's repository and a second one on the same database (another process)."""
    path = tmp_path / "bot.sqlite3"
    ours, other = new_repository(path, clock=lambda: T0), new_repository(path, clock=lambda: T0)
    await ours.open()
    await other.open()
    yield ours, other
    await other.close()
    await ours.close()


async def test_within_a_scope_the_state_is_read_once(
    repos: tuple[SqlRepository, SqlRepository],
) -> None:
    ours, other = repos
    await ours.set_state(ANNA, "talk", "write", {"theme": 1})
    with ours.state_scope():
        assert (await ours.get_state(ANNA)).data == {"theme": 1}
        await other.set_state(ANNA, "talk", "write", {"theme": 2})
        # Nobody else writes a chat's state while its update runs; the memo relies on that.
        assert (await ours.get_state(ANNA)).data == {"theme": 1}
    assert (await ours.get_state(ANNA)).data == {"theme": 2}


async def test_a_write_in_the_scope_reads_back_as_storage_gives_it(
    repos: tuple[SqlRepository, SqlRepository],
) -> None:
    ours, other = repos
    with ours.state_scope():
        await ours.set_state(ANNA, "talk", "write", {"pair": (1, 2), 3: "drie"})
        state = await ours.get_state(ANNA)
        assert (state.flow, state.step) == ("talk", "write")
        # JSON's types, exactly what a read from storage gives.
        assert state.data == {"pair": [1, 2], "3": "drie"}
        assert state.data == (await other.get_state(ANNA)).data
        await ours.set_state(ANNA, None, None, {})
        assert (await ours.get_state(ANNA)).flow is None
    assert (await other.get_state(ANNA)).flow is None


async def test_another_task_and_other_chats_read_storage(
    repos: tuple[SqlRepository, SqlRepository],
) -> None:
    ours, other = repos
    await ours.set_state(ANNA, "talk", "write", {"theme": 1})
    with ours.state_scope():
        await ours.get_state(ANNA)
        await other.set_state(ANNA, "talk", "write", {"theme": 2})
        await other.set_state(BOB, "talk", "write", {"theme": 3})
        # A worker started meanwhile copies the task's context, never its memo.
        started = asyncio.ensure_future(ours.get_state(ANNA))
        assert (await started).data == {"theme": 2}
        assert (await ours.get_state(BOB)).data == {"theme": 3}


async def test_an_erase_in_the_scope_is_seen(repos: tuple[SqlRepository, SqlRepository]) -> None:
    ours, _ = repos
    await ours.ensure_resident(ANNA, "nl")
    await ours.set_state(ANNA, "talk", "write", {"theme": 1})
    with ours.state_scope():
        assert (await ours.get_state(ANNA)).flow == "talk"
        await ours.erase_resident(ANNA)
        assert (await ours.get_state(ANNA)).flow is None


async def test_the_talker_is_one_read_of_person_and_state(
    repos: tuple[SqlRepository, SqlRepository],
) -> None:
    ours, other = repos
    assert await ours.get_talker(ANNA, ANNA) == (None, await ours.get_state(ANNA))
    await ours.ensure_resident(ANNA, "en")
    await ours.set_state(ANNA, "talk", "write", {"theme": 7})
    with ours.state_scope():
        resident, state = await ours.get_talker(ANNA, ANNA)
        assert resident is not None and resident.language == "en"
        assert (state.flow, state.data) == ("talk", {"theme": 7})
        await other.set_state(ANNA, "talk", "write", {"theme": 8})
        assert (await ours.get_state(ANNA)).data == {"theme": 7}  # the talker filled the memo
    resident, state = await ours.get_talker(ANNA, ANNA)
    assert state.data == {"theme": 8}


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


async def test_waiting_drafts_are_the_writers_unplaced_texts(
    repos: tuple[SqlRepository, SqlRepository],
) -> None:
    repo, _ = repos
    for user in (ANNA, BOB):
        await repo.ensure_resident(user, "nl")
    theme, elsewhere = await _theme(repo), await _theme(repo)

    async def note(author: int, *, on: Theme = theme, **changes: object) -> int:
        fields: dict[str, object] = {
            "kind": NoteKind.TEXT,
            "quadrant": None,
            "status": NoteStatus.DRAFT,
        }
        fields.update(changes)
        made = await repo.add_note(
            theme_id=on.id,
            author_id=author,
            text=f"briefje van {author}",
            file_id=None,
            source_update_id=None,
            **fields,  # type: ignore[arg-type]
        )
        return made.id

    waiting, edited = await note(ANNA), await note(ANNA)
    placed = await note(ANNA, quadrant=Quadrant.WISH, status=NoteStatus.VISIBLE)
    voice = await note(ANNA, kind=NoteKind.VOICE)
    other_theme, bobs = await note(ANNA, on=elsewhere), await note(BOB)
    await repo.edit_note_text("post", edited, "met 06-12345678 erbij")
    ids = [waiting, edited, placed, voice, other_theme, bobs]
    assert await repo.waiting_drafts(ANNA, theme.id, ids) == {
        waiting: f"briefje van {ANNA}",
        edited: "met 06-12345678 erbij",
    }
    assert await repo.waiting_drafts(ANNA, theme.id, []) == {}
