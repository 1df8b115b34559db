"""A note changed after a moderator's decision goes back to the moderators, in the same write
as the change itself: approved in post mode it stays on the board but waits, marked; in pre
mode, after a redaction or a hide it waits off the board."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from storage.connection import Connection, Params
from storage.models import (
    MUNICIPALITY,
    DecideOutcome,
    Decision,
    HideReason,
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
AUTHOR = 700_000_111
MODERATOR = 700_000_211


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqlRepository]:
    repository = new_repository(tmp_path / "bot.sqlite3", clock=lambda: T0)
    await repository.open()
    yield repository
    await repository.close()


async def _note(
    repo: SqlRepository, status: NoteStatus, text: str = "Bel Henk: 06 12345678"
) -> Note:
    theme: Theme = await repo.create_theme(
        title="Groen dorp",
        invitation="Praat mee",
        question="Wat mis je?",
        place=MUNICIPALITY,
        status=ThemeStatus.ACTIVE,
        starts_on=date(2027, 1, 1),
        ends_on=None,
    )
    await repo.ensure_resident(AUTHOR, "nl")
    return await repo.add_note(
        theme_id=theme.id,
        author_id=AUTHOR,
        kind=NoteKind.TEXT,
        text=text,
        file_id=None,
        quadrant=Quadrant.WISH,
        status=status,
        source_update_id=None,
    )


async def _decide(
    repo: SqlRepository, mode: str, note: Note, round_: int, decision: Decision, **extra: Any
) -> None:
    result = await repo.decide(
        mode,
        note.id,
        round_,
        decision,
        moderator_id=MODERATOR,
        moderator_name="Mo",
        now=T0,
        **extra,
    )
    assert result.outcome == DecideOutcome.DECIDED


def _first_status(mode: str) -> NoteStatus:
    return NoteStatus.PENDING if mode == "pre" else NoteStatus.VISIBLE


async def test_an_approved_note_changed_in_post_mode_stays_up_and_waits_marked(
    repo: SqlRepository,
) -> None:
    note = await _note(repo, NoteStatus.VISIBLE, "Een bankje")
    await _decide(repo, "post", note, 0, Decision.APPROVE)
    assert await repo.moderation_queue("post") == []

    edited = await repo.edit_note_text("post", note.id, "Iets kwetsends")
    assert edited is not None and edited.status == NoteStatus.VISIBLE
    (item,) = await repo.moderation_queue("post")
    assert (item.note.id, item.note.text, item.round) == (note.id, "Iets kwetsends", 1)
    assert item.edited_after == Decision.APPROVE
    assert (await repo.queue_marks("post")).count == 1

    # The next decision takes it out of the queue; a further change brings it back again.
    await _decide(repo, "post", note, 1, Decision.HIDE, reason=HideReason.HURTFUL)
    assert await repo.moderation_queue("post") == []
    edited = await repo.edit_note_text("post", note.id, "Toch een bankje")
    assert edited is not None and edited.status == NoteStatus.PENDING
    (item,) = await repo.moderation_queue("post")
    assert (item.round, item.edited_after) == (2, Decision.HIDE)


async def test_an_approved_note_changed_in_pre_mode_waits_off_the_board(
    repo: SqlRepository,
) -> None:
    note = await _note(repo, NoteStatus.PENDING, "Een bankje")
    await _decide(repo, "pre", note, 0, Decision.APPROVE)
    edited = await repo.edit_note_text("pre", note.id, "Iets kwetsends")
    assert edited is not None and edited.status == NoteStatus.PENDING
    (item,) = await repo.moderation_queue("pre")
    assert (item.round, item.edited_after) == (1, Decision.APPROVE)


@pytest.mark.parametrize("mode", ["pre", "post"])
async def test_a_redacted_note_changed_waits_off_the_board_in_both_modes(
    repo: SqlRepository, mode: str
) -> None:
    note = await _note(repo, _first_status(mode))
    await _decide(repo, mode, note, 0, Decision.REDACT, text="Bel Henk")
    edited = await repo.edit_note_text(mode, note.id, "Bel Henk: 06 12345678")
    assert edited is not None and edited.status == NoteStatus.PENDING
    (item,) = await repo.moderation_queue(mode)
    assert (item.round, item.edited_after) == (1, Decision.REDACT)


async def test_a_change_before_any_decision_only_changes_the_words(repo: SqlRepository) -> None:
    note = await _note(repo, NoteStatus.VISIBLE, "Een bankje")
    edited = await repo.edit_note_text("post", note.id, "Twee bankjes")
    assert edited is not None and edited.status == NoteStatus.VISIBLE
    (item,) = await repo.moderation_queue("post")
    assert (item.round, item.edited_after) == (0, None)
    assert await repo.dump_table("note_edits") == []
    assert await repo.edit_note_text("post", note.id + 100, "weg") is None


class _FailingConnection:
    """A connection whose statements matching a fragment fail, as a full disk would."""

    def __init__(self, inner: Connection, fragment: str) -> None:
        self._inner = inner
        self._fragment = fragment

    async def execute(self, sql: str, params: Params = ()) -> int:
        if self._fragment in sql:
            raise RuntimeError("injected failure")
        return await self._inner.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.mark.parametrize("mode", ["pre", "post"])
async def test_the_change_and_its_return_to_the_queue_are_one_transaction(
    repo: SqlRepository, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = await _note(repo, _first_status(mode))
    await _decide(repo, mode, note, 0, Decision.REDACT, text="Bel Henk")
    original = repo._write

    @asynccontextmanager
    async def write(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async with original(*args, **kwargs) as conn:
            yield _FailingConnection(conn, "INSERT INTO note_edits")

    monkeypatch.setattr(repo, "_write", write)
    with pytest.raises(RuntimeError, match="injected failure"):
        await repo.edit_note_text(mode, note.id, "Bel Henk: 06 12345678")
    monkeypatch.undo()

    kept = await repo.get_note(note.id)
    assert kept is not None
    assert (kept.text, kept.status) == ("Bel Henk", NoteStatus.VISIBLE)
    assert await repo.moderation_queue(mode) == []
    assert await repo.dump_table("note_edits") == []
