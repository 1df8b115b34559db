"""Tables and the timeline in SQLite: the waiting list, digests, reminders released once,
and what export and erasure do with a resident's part in them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.models import (
    MUNICIPALITY,
    CardField,
    Commitment,
    Consent,
    MemberStatus,
    MomentKind,
    MomentStatus,
    NewMessage,
    NoteKind,
    NoteStatus,
    Quadrant,
    ReminderStatus,
    Theme,
    ThemeStatus,
)
from storage.sqlite import SqliteRepository
from tests.backends import new_repository
from tests.test_storage_privacy import dump_all, file_bytes, mentions, row_mentions

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ALICE, BOB, CAROL, DAVE = 812_345_671, 812_345_672, 812_345_673, 812_345_674
ALICE_WORDS = ("Alice-hoe: ik bak taarten voor de tafel", "Alicia")


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteRepository]:
    repository = new_repository(tmp_path / "bot.sqlite3", clock=lambda: T0)
    await repository.open()
    for user in (ALICE, BOB, CAROL, DAVE):
        await repository.ensure_resident(user, "nl")
    yield repository
    await repository.close()


async def _theme(repo: SqliteRepository) -> Theme:
    return await repo.create_theme(
        title="Hart voor elkaar",
        invitation="Samen",
        question="Wat mist er?",
        place=MUNICIPALITY,
        status=ThemeStatus.ACTIVE,
        starts_on=None,
        ends_on=None,
    )


async def test_a_full_table_keeps_a_waiting_list_in_order(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    table = await repo.create_table(
        theme_id=theme.id, title="Repair café", initiator_name="", capacity=1
    )
    first = await repo.join_table(table.id, ALICE, Commitment.TAKE_PART, "", None)
    second = await repo.join_table(table.id, BOB, Commitment.THINK, "", None)
    third = await repo.join_table(table.id, CAROL, Commitment.CONNECT, "", None)
    assert first.member.status == MemberStatus.MEMBER
    assert (second.member.status, second.position) == (MemberStatus.WAITING, 1)
    assert (third.member.status, third.position) == (MemberStatus.WAITING, 2)
    # Joining again changes the commitment, not the place in line.
    again = await repo.join_table(table.id, BOB, Commitment.CONNECT, "toch", None)
    assert again.already and again.position == 1
    assert await repo.fill_free_places(table.id) == []
    assert await repo.leave_table(table.id, ALICE)
    promoted = await repo.fill_free_places(table.id)
    assert [(m.user_id, m.status) for m in promoted] == [(BOB, MemberStatus.MEMBER)]
    assert await repo.waiting_position(table.id, CAROL) == 1
    # Someone new queues behind Carol even when a place is free for a moment.
    await repo.leave_table(table.id, BOB)
    late = await repo.join_table(table.id, DAVE, Commitment.THINK, "", None)
    assert late.position == 2
    assert [m.user_id for m in await repo.fill_free_places(None)] == [CAROL]
    assert await repo.count_commitments(theme.id) == 1
    assert await repo.count_tables(theme.id) == 1


async def test_card_changes_become_one_digest(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    table = await repo.create_table(
        theme_id=theme.id, title="Tuin", initiator_name="", capacity=None
    )
    after, within = timedelta(minutes=10), timedelta(hours=1)
    for minute, field, editor in ((0, CardField.WHAT, ALICE), (5, CardField.WHAT, BOB)):
        await repo.update_table(
            table.id,
            field,
            f"tekst {minute}",
            edited_by=editor,
            now=T0 + timedelta(minutes=minute),
            digest_after=after,
            digest_within=within,
        )
    assert await repo.due_digests(T0 + timedelta(minutes=14)) == []
    assert await repo.next_planned_due() == T0 + timedelta(minutes=15)
    [digest] = await repo.due_digests(T0 + timedelta(minutes=15))
    assert digest.fields == (CardField.WHAT,)
    assert digest.editors == {ALICE, BOB}
    message = NewMessage(CAROL, "bijgewerkt", dedupe_key="table-digest:test")
    assert await repo.finish_digest(digest, [message])
    assert not await repo.finish_digest(digest, [message])  # told once
    assert await repo.due_digests(T0 + timedelta(days=1)) == []
    assert await repo.next_planned_due() is None
    # Edits that keep coming are told no later than an hour after the first.
    for minute in range(0, 70, 7):
        await repo.update_table(
            table.id,
            CardField.AMBITIONS,
            f"ambitie {minute}",
            edited_by=ALICE,
            now=T0 + timedelta(hours=2, minutes=minute),
            digest_after=after,
            digest_within=within,
        )
    assert await repo.next_planned_due() == T0 + timedelta(hours=3)


async def test_a_reminder_is_released_once(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    starts = T0 + timedelta(days=2)
    moment = await repo.create_moment(
        theme_id=theme.id,
        table_id=None,
        kind=MomentKind.MEETING,
        title="Borrel",
        starts_at=starts,
        place="",
        remind_theme=False,
        created_by=None,
        reminders=[(1440, starts - timedelta(days=1)), (120, starts - timedelta(hours=2))],
    )
    await repo.set_rsvp(moment.id, ALICE, True)
    await repo.set_rsvp(moment.id, BOB, False)
    assert [r.user_id for r in await repo.moment_audience(moment)] == [ALICE]
    assert await repo.rsvp_counts(moment.id) == (1, 1)
    assert await repo.due_reminders(starts - timedelta(days=1, seconds=1)) == []
    [due] = await repo.due_reminders(starts - timedelta(days=1))
    message = NewMessage(ALICE, "herinnering", dedupe_key=f"reminder:{moment.id}:x:1440:{ALICE}")
    assert await repo.release_reminder(due.id, [message])
    assert not await repo.release_reminder(due.id, [message])
    assert len([r for r in await repo.dump_table("outbox") if r["chat_id"] == ALICE]) == 1
    # Moving replaces what is pending; cancelling cancels it.
    later = starts + timedelta(days=7)
    moved = await repo.move_moment(moment.id, later, [(120, later - timedelta(hours=2))])
    assert moved is not None and moved.sequence == 1
    statuses = {
        (r["offset_minutes"], r["status"]) for r in await repo.dump_table("moment_reminders")
    }
    assert statuses == {(1440, "sent"), (120, "cancelled"), (120, "pending")}
    cancelled = await repo.cancel_moment(moment.id)
    assert cancelled is not None and cancelled.status == MomentStatus.CANCELLED
    assert await repo.due_reminders(later) == []
    assert not await repo.settle_reminder(due.id, ReminderStatus.DROPPED)
    assert await repo.next_planned_due() is None


async def _alice_everywhere(repo: SqliteRepository) -> Theme:
    theme = await _theme(repo)
    await repo.add_note(
        theme_id=theme.id,
        author_id=BOB,
        kind=NoteKind.TEXT,
        text="Bob-wens",
        file_id=None,
        quadrant=Quadrant.WISH,
        status=NoteStatus.VISIBLE,
        source_update_id=1,
    )
    await repo.set_consent(ALICE, Consent.SHOW_NAME, True)
    table = await repo.create_table(
        theme_id=theme.id,
        title="Taartenbakkers",
        initiator_name=ALICE_WORDS[1],
        capacity=None,
        created_by=ALICE,
    )
    assert await repo.claim_initiator(table.id, ALICE)
    assert not await repo.claim_initiator(table.id, BOB)
    await repo.join_table(table.id, ALICE, Commitment.TAKE_PART, ALICE_WORDS[0], ALICE_WORDS[1])
    await repo.join_table(table.id, BOB, Commitment.THINK, "Bob denkt mee", "Bob")
    await repo.update_table(
        table.id,
        CardField.AGREEMENTS,
        "Elke week",
        edited_by=ALICE,
        now=T0,
        digest_after=timedelta(minutes=10),
        digest_within=timedelta(hours=1),
    )
    moment = await repo.create_moment(
        theme_id=theme.id,
        table_id=table.id,
        kind=MomentKind.ACTION,
        title="Bakdag",
        starts_at=T0 + timedelta(days=3),
        place="Dorpshuis",
        remind_theme=False,
        created_by=ALICE,
        reminders=[],
    )
    await repo.set_rsvp(moment.id, ALICE, True)
    await repo.set_rsvp(moment.id, BOB, True)
    return theme


async def test_export_holds_their_tables_and_answers(repo: SqliteRepository) -> None:
    await _alice_everywhere(repo)
    export = await repo.export_resident(ALICE)
    text = json.dumps(export, ensure_ascii=False)
    for word in ALICE_WORDS:
        assert word in text, word
    assert "Bob denkt mee" not in text
    [membership] = export["tables"]
    assert membership["commitment"] == "take_part"
    assert membership["how"] == ALICE_WORDS[0]
    assert membership["first_name_shown"] == ALICE_WORDS[1]
    assert export["tables_initiated"][0]["title"] == "Taartenbakkers"
    assert [a["moment_title"] for a in export["moment_answers"]] == ["Bakdag"]


async def test_erase_leaves_nothing_of_them_at_the_tables(repo: SqliteRepository) -> None:
    theme = await _alice_everywhere(repo)
    before = await dump_all(repo)
    for name in ("talk_tables", "table_members", "table_changes", "moments", "moment_rsvps"):
        assert any(row_mentions(r, ALICE, ALICE_WORDS) for r in before[name]), name
    await repo.erase_resident(ALICE)
    after = await dump_all(repo)
    for table, rows in after.items():
        for row in rows:
            for column, value in row.items():
                assert not mentions(value, ALICE, ALICE_WORDS), (table, column, value)
    raw = file_bytes(repo)
    for word in ALICE_WORDS:
        assert word.encode() not in raw, word
    # The table, its moment and Bob's part in them stay.
    [table] = await repo.list_tables([theme.id])
    assert table.initiator_id is None and table.initiator_name == ""
    assert [m.user_id for m in await repo.list_members(table.id)] == [BOB]
    assert await repo.rsvp_counts(1) == (1, 0)


async def test_who_is_reminded(repo: SqliteRepository) -> None:
    theme = await _alice_everywhere(repo)  # Bob wrote a note; Alice and Bob sit at the table
    table_moment = (await repo.upcoming_moments(T0, theme_ids=[theme.id], with_tables=True))[0]
    assert [r.user_id for r in await repo.moment_audience(table_moment)] == [ALICE, BOB]
    await repo.set_rsvp(table_moment.id, BOB, False)
    assert [r.user_id for r in await repo.moment_audience(table_moment)] == [ALICE]
    theme_moment = await repo.create_moment(
        theme_id=theme.id,
        table_id=None,
        kind=MomentKind.MEETING,
        title="Dorpsavond",
        starts_at=T0 + timedelta(days=5),
        place="",
        remind_theme=False,
        created_by=None,
        reminders=[],
    )
    await repo.set_rsvp(theme_moment.id, CAROL, True)
    assert [r.user_id for r in await repo.moment_audience(theme_moment)] == [CAROL]
    widened = await repo.set_remind_theme(theme_moment.id, True)
    assert widened is not None
    # Everyone who wrote for the theme or sits at one of its tables, and who said they come.
    assert [r.user_id for r in await repo.moment_audience(widened)] == [ALICE, BOB, CAROL]
    assert [r.user_id for r in await repo.moment_invitees(widened)] == [ALICE, BOB]
    await repo.set_active(BOB, False)
    assert [r.user_id for r in await repo.moment_audience(widened)] == [ALICE, CAROL]


async def test_set_table_notes_replaces_the_links_and_names_only_the_new_ones(
    repo: SqliteRepository,
) -> None:
    theme = await _theme(repo)
    notes = [
        await repo.add_note(
            theme_id=theme.id,
            author_id=author,
            kind=NoteKind.TEXT,
            text=text,
            file_id=None,
            quadrant=Quadrant.WISH,
            status=NoteStatus.VISIBLE,
            source_update_id=None,
        )
        for author, text in ((ALICE, "Een bankje"), (ALICE, "Twee bankjes"), (BOB, "Een boom"))
    ]
    a1, a2, b1 = (note.id for note in notes)
    await repo.set_consent(ALICE, Consent.FOLLOW_UP, True)
    await repo.set_consent(BOB, Consent.FOLLOW_UP, True)
    table = await repo.create_table(
        theme_id=theme.id, title="Bankjes", initiator_name="", capacity=None
    )
    assert await repo.set_table_notes(table.id, [a2, a1, a1]) == [a1, a2]
    # Again: nothing new. Then one off, one on: only the one on is new.
    assert await repo.set_table_notes(table.id, [a1, a2]) == []
    assert await repo.set_table_notes(table.id, [a1, b1]) == [b1]
    assert await repo.table_note_ids(table.id) == [a1, b1]
    # The writers of the new notes only; each writer once, with their first linked note.
    writers = await repo.follow_up_writers(table.id, [b1])
    assert [(w.user_id, w.note_text) for w in writers] == [(BOB, "Een boom")]
    assert await repo.follow_up_writers(table.id, []) == []
    everyone = await repo.follow_up_writers(table.id)
    assert [(w.user_id, w.note_text) for w in everyone] == [
        (ALICE, "Een bankje"),
        (BOB, "Een boom"),
    ]
    assert await repo.set_table_notes(table.id, []) == []
    assert await repo.table_note_ids(table.id) == []
