"""The moderation part of storage: the queue, first-decision-wins, reports, digests, invites,
the audit trail, and what /vergeet leaves of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from storage.models import (
    MUNICIPALITY,
    AuditAction,
    BroadcastKind,
    Consent,
    DecideOutcome,
    Decision,
    GrantRole,
    HideReason,
    NewMessage,
    Note,
    NoteKind,
    NoteStatus,
    Quadrant,
    ReportOutcome,
    ReportReason,
    Theme,
    ThemeStatus,
)
from storage.sqlite import SqliteRepository
from tests.backends import new_repository

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
AUTHOR = 700_000_101
REPORTER = 700_000_102
MODERATOR = 700_000_201
OTHER_MODERATOR = 700_000_202
ADMIN = 700_000_301


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteRepository]:
    repository = new_repository(tmp_path / "bot.sqlite3", clock=lambda: T0)
    await repository.open()
    yield repository
    await repository.close()


async def _theme(repo: SqliteRepository) -> Theme:
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
    repo: SqliteRepository,
    theme: Theme,
    text: str,
    status: NoteStatus = NoteStatus.PENDING,
    quadrant: Quadrant | None = Quadrant.WISH,
    author: int = AUTHOR,
) -> Note:
    await repo.ensure_resident(author, "nl")
    return await repo.add_note(
        theme_id=theme.id,
        author_id=author,
        kind=NoteKind.TEXT,
        text=text,
        file_id=None,
        quadrant=quadrant,
        status=status if quadrant else NoteStatus.DRAFT,
        source_update_id=None,
    )


async def test_pre_queue_holds_pending_notes_only(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    pending = await _note(repo, theme, "Een bankje")
    await _note(repo, theme, "Al zichtbaar", NoteStatus.VISIBLE)
    await _note(repo, theme, "Nog geen plek", quadrant=None)
    queue = await repo.moderation_queue("pre")
    assert [item.note.id for item in queue] == [pending.id]
    assert queue[0].round == 0
    marks = await repo.queue_marks("pre")
    assert (marks.count, marks.note_mark) == (1, pending.id)


async def test_post_queue_holds_undecided_visible_notes(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    first = await _note(repo, theme, "Een", NoteStatus.VISIBLE)
    second = await _note(repo, theme, "Twee", NoteStatus.VISIBLE)
    assert [i.note.id for i in await repo.moderation_queue("post")] == [first.id, second.id]
    result = await repo.decide(
        "post", first.id, 0, Decision.APPROVE, moderator_id=MODERATOR, moderator_name="Mo", now=T0
    )
    assert result.outcome == DecideOutcome.DECIDED
    assert [i.note.id for i in await repo.moderation_queue("post")] == [second.id]
    assert [i.note.id for i in await repo.moderation_queue("post", after_note_id=second.id)] == []


async def test_first_decision_wins_and_the_second_sees_it(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    note = await _note(repo, theme, "Een bankje")
    results = await asyncio.gather(
        repo.decide(
            "pre",
            note.id,
            0,
            Decision.APPROVE,
            moderator_id=MODERATOR,
            moderator_name="Mo",
            now=T0,
        ),
        repo.decide(
            "pre",
            note.id,
            0,
            Decision.HIDE,
            moderator_id=OTHER_MODERATOR,
            moderator_name="Ot",
            now=T0,
            reason=HideReason.HURTFUL,
        ),
    )
    outcomes = sorted(r.outcome for r in results)
    assert outcomes == [DecideOutcome.DECIDED, DecideOutcome.TAKEN]
    winner = next(r for r in results if r.outcome == DecideOutcome.DECIDED)
    loser = next(r for r in results if r.outcome == DecideOutcome.TAKEN)
    assert loser.decision == winner.decision
    rows = await repo.dump_table("moderation_decisions")
    assert len(rows) == 1
    decisions = [e for e in await repo.list_audit() if e.action == AuditAction.DECISION]
    assert len(decisions) == 1


async def test_made_up_rounds_and_notes_are_refused(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    note = await _note(repo, theme, "Een bankje")
    for note_id, round_ in ((note.id, 1), (note.id, -1), (note.id + 100, 0)):
        result = await repo.decide(
            "pre",
            note_id,
            round_,
            Decision.APPROVE,
            moderator_id=MODERATOR,
            moderator_name=None,
            now=T0,
        )
        assert result.outcome == DecideOutcome.NOT_WAITING
    visible = await _note(repo, theme, "Al zichtbaar", NoteStatus.VISIBLE)
    result = await repo.decide(
        "pre",
        visible.id,
        0,
        Decision.HIDE,
        moderator_id=MODERATOR,
        moderator_name=None,
        now=T0,
        reason=HideReason.OTHER,
    )
    assert result.outcome == DecideOutcome.NOT_WAITING
    # A duplicate of itself, of a note not on the board, a move to where it is: invalid.
    for decision, kwargs in (
        (Decision.DUPLICATE, {"duplicate_of": note.id}),
        (Decision.DUPLICATE, {"duplicate_of": note.id + 100}),
        (Decision.MOVE, {"quadrant": Quadrant.WISH}),
        (Decision.HIDE, {}),
        (Decision.REDACT, {"text": "  "}),
    ):
        result = await repo.decide(
            "pre",
            note.id,
            0,
            decision,
            moderator_id=MODERATOR,
            moderator_name=None,
            now=T0,
            **kwargs,  # type: ignore[arg-type]
        )
        assert result.outcome == DecideOutcome.INVALID, decision
    assert (await repo.get_note(note.id)) == note


async def test_decisions_change_the_note(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    original = await _note(repo, theme, "Een speeltuin", NoteStatus.VISIBLE)
    moved = await _note(repo, theme, "Waarom geen bus?")
    twin = await _note(repo, theme, "Speeltuin graag", author=REPORTER)
    own_twin = await _note(repo, theme, "Nog een speeltuin")  # the same writer: one voice
    redacted = await _note(repo, theme, "Bel Piet op 0612345678")
    hidden = await _note(repo, theme, "Onaardig")
    kw = {"moderator_id": MODERATOR, "moderator_name": "Mo", "now": T0}
    await repo.decide("pre", moved.id, 0, Decision.MOVE, quadrant=Quadrant.QUESTION, **kw)  # type: ignore[arg-type]
    await repo.decide("pre", twin.id, 0, Decision.DUPLICATE, duplicate_of=original.id, **kw)  # type: ignore[arg-type]
    await repo.decide("pre", own_twin.id, 0, Decision.DUPLICATE, duplicate_of=original.id, **kw)  # type: ignore[arg-type]
    await repo.decide("pre", redacted.id, 0, Decision.REDACT, text="Bel Piet op […]", **kw)  # type: ignore[arg-type]
    await repo.decide("pre", hidden.id, 0, Decision.HIDE, reason=HideReason.HURTFUL, **kw)  # type: ignore[arg-type]
    notes = {n.id: n for n in await repo.list_notes(theme.id, limit=50)}
    assert set(notes) == {original.id, moved.id, redacted.id}
    assert notes[moved.id].quadrant == Quadrant.QUESTION
    assert notes[redacted.id].text == "Bel Piet op […]"
    assert await repo.duplicate_counts(theme.id) == {original.id: 1}
    assert await repo.moderation_queue("pre") == []


async def test_report_returns_a_note_to_the_queue_once(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    note = await _note(repo, theme, "Een bankje", NoteStatus.VISIBLE)
    pending = await _note(repo, theme, "Nog niet zichtbaar")
    await repo.ensure_resident(REPORTER, "nl")
    assert await repo.add_report(pending.id, REPORTER, ReportReason.OTHER, now=T0) == (
        ReportOutcome.NOT_VISIBLE
    )
    assert await repo.add_report(note.id, REPORTER, ReportReason.PRIVATE, now=T0) == (
        ReportOutcome.ADDED
    )
    assert await repo.add_report(note.id, REPORTER, ReportReason.OTHER, now=T0) == (
        ReportOutcome.ALREADY
    )
    item = await repo.queue_item("pre", note.id)
    assert item is not None and item.reports == (ReportReason.PRIVATE,) and item.round == 0
    marks = await repo.queue_marks("pre")
    assert marks.count == 2 and marks.report_mark == 1
    await repo.decide(
        "pre", note.id, 0, Decision.APPROVE, moderator_id=MODERATOR, moderator_name=None, now=T0
    )
    assert await repo.queue_item("pre", note.id) is None
    assert await repo.add_report(note.id, REPORTER, ReportReason.OTHER, now=T0) == (
        ReportOutcome.ADDED
    )
    item = await repo.queue_item("pre", note.id)
    assert item is not None and item.round == 1


async def test_digest_at_most_once_per_interval(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    await _note(repo, theme, "Een bankje")
    marks = await repo.queue_marks("pre")

    def message(key: str) -> NewMessage:
        return NewMessage(chat_id=MODERATOR, text="digest", dedupe_key=key)

    hour = timedelta(hours=1)
    assert await repo.record_digest(MODERATOR, marks, message("d:1"), now=T0, not_after=T0 - hour)
    assert not await repo.record_digest(
        MODERATOR, marks, message("d:2"), now=T0 + hour / 2, not_after=T0 - hour / 2
    )
    # The same interval's key twice is refused by the outbox too.
    assert not await repo.record_digest(
        OTHER_MODERATOR, marks, message("d:1"), now=T0, not_after=T0
    )
    last = await repo.last_digest(MODERATOR)
    assert last is not None and last[0] == T0 and last[1].note_mark == marks.note_mark
    assert await repo.record_digest(MODERATOR, marks, message("d:3"), now=T0 + hour, not_after=T0)


async def test_invites_work_once_and_expire(repo: SqliteRepository) -> None:
    day = timedelta(days=1)
    invite = await repo.create_invite(
        GrantRole.AMBASSADOR,
        "doorwerth",
        token_hash="h1",
        created_by=ADMIN,
        created_name="Ad",
        now=T0,
        expires_at=T0 + day,
    )
    assert [i.id for i in await repo.open_invites(T0)] == [invite.id]
    await repo.create_invite(
        GrantRole.MODERATOR,
        None,
        token_hash="h2",
        created_by=ADMIN,
        created_name="Ad",
        now=T0,
        expires_at=T0 + day,
    )
    assert await repo.accept_invite("h2", user_id=MODERATOR, name="Mo", now=T0 + 2 * day) is None
    grant = await repo.accept_invite("h1", user_id=MODERATOR, name="Mo", now=T0)
    assert grant is not None and grant.role == GrantRole.AMBASSADOR and grant.area == "doorwerth"
    assert await repo.accept_invite("h1", user_id=OTHER_MODERATOR, name="Ot", now=T0) is None
    assert await repo.accept_invite("nope", user_id=OTHER_MODERATOR, name="Ot", now=T0) is None
    assert await repo.active_grants(MODERATOR) == (grant,)
    assert await repo.active_grants(OTHER_MODERATOR) == ()
    revoked = await repo.revoke_grant(grant.id, by=ADMIN, by_name="Ad", now=T0)
    assert revoked == grant
    assert await repo.revoke_grant(grant.id, by=ADMIN, by_name="Ad", now=T0) is None
    assert await repo.active_grants(MODERATOR) == ()
    third = await repo.create_invite(
        GrantRole.MODERATOR,
        None,
        token_hash="h3",
        created_by=ADMIN,
        created_name="Ad",
        now=T0,
        expires_at=T0 + day,
    )
    assert await repo.revoke_invite(third.id, by=ADMIN, by_name="Ad", now=T0)
    assert not await repo.revoke_invite(third.id, by=ADMIN, by_name="Ad", now=T0)
    assert await repo.accept_invite("h3", user_id=MODERATOR, name="Mo", now=T0) is None
    actions = [e.action for e in reversed(await repo.list_audit(limit=50))]
    assert actions == [
        AuditAction.INVITE,
        AuditAction.INVITE,
        AuditAction.ROLE_GRANT,
        AuditAction.ROLE_REVOKE,
        AuditAction.INVITE,
        AuditAction.INVITE_REVOKE,
    ]


async def test_broadcasts_are_audited(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    await repo.create_broadcast(
        BroadcastKind.MESSAGE,
        [NewMessage(chat_id=AUTHOR, text="hoi")],
        theme_id=theme.id,
        sender_chat_id=ADMIN,
    )
    (entry,) = await repo.list_audit()
    assert entry.action == AuditAction.BROADCAST and entry.actor_id == ADMIN
    assert entry.detail["total"] == 1 and entry.theme_id == theme.id


async def test_theme_contacts_are_consenting_participants(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    await _note(repo, theme, "Een", author=AUTHOR)
    await _note(repo, theme, "Twee", author=REPORTER)
    await repo.set_consent(AUTHOR, Consent.CONTACT, True)
    await repo.set_phone(AUTHOR, "+31600000001")
    await repo.set_consent(REPORTER, Consent.CONTACT, False)
    (contact,) = await repo.theme_contacts(theme.id)
    assert contact.user_id == AUTHOR and contact.phone == "+31600000001"


async def test_erase_leaves_no_trace_of_resident_or_role_holder(repo: SqliteRepository) -> None:
    theme = await _theme(repo)
    note = await _note(repo, theme, "Woorden van de schrijver 5521", NoteStatus.VISIBLE)
    other = await _note(repo, theme, "Ander briefje", NoteStatus.VISIBLE, author=REPORTER)
    await repo.add_report(other.id, AUTHOR, ReportReason.HURTFUL, now=T0)
    await repo.add_report(note.id, REPORTER, ReportReason.PRIVATE, now=T0)
    await repo.create_invite(
        GrantRole.MODERATOR,
        None,
        token_hash="h",
        created_by=ADMIN,
        created_name="Adje",
        now=T0,
        expires_at=T0 + timedelta(days=1),
    )
    await repo.accept_invite("h", user_id=MODERATOR, name="Moddy", now=T0)
    await repo.decide(
        "pre",
        other.id,
        0,
        Decision.APPROVE,
        moderator_id=MODERATOR,
        moderator_name="Moddy",
        now=T0,
    )
    await repo.record_digest(
        MODERATOR,
        await repo.queue_marks("pre"),
        NewMessage(chat_id=MODERATOR, text="x"),
        now=T0,
        not_after=T0,
    )
    data = await repo.export_resident(AUTHOR)
    assert [r["reason"] for r in data["reports"]] == ["hurtful"]

    for person, needles in (
        (AUTHOR, (str(AUTHOR), "schrijver 5521")),
        (MODERATOR, (str(MODERATOR), "Moddy")),
        (ADMIN, (str(ADMIN), "Adje")),
    ):
        await repo.erase_resident(person)
        for table in await repo.table_names():
            for row in await repo.dump_table(table):
                for value in row.values():
                    for needle in needles:
                        assert needle not in str(value), (table, row)
    # What moderators decided stays, without the person.
    assert len(await repo.dump_table("moderation_decisions")) == 1
    assert await repo.active_grants(MODERATOR) == ()
