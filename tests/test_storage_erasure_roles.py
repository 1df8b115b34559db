"""Erasure of everyone the bot knows, whatever their role, scanned over the whole schema."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.models import (
    MUNICIPALITY,
    AuditAction,
    BroadcastKind,
    CardField,
    Commitment,
    Consent,
    Decision,
    GrantRole,
    HideReason,
    MemberStatus,
    MomentKind,
    NewMessage,
    NoteKind,
    NoteOrigin,
    NoteStatus,
    PlaceKind,
    PlaceRef,
    Quadrant,
    ReportReason,
    Theme,
    ThemeStatus,
)
from storage.sql_repository import SqlRepository
from tests.backends import new_repository
from tests.erasure_scan import Person, file_words, schema, tables_naming, traces

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)

RESIDENT = Person(811_000_001, ("Rita", "rita_rozen", "+31611110001", "Rita's wens 4417"))
AMBASSADOR = Person(811_000_002, ("Ambro", "ambro_b", "+31611110002", "Ambro's idee 5528"))
MODERATOR = Person(811_000_003, ("Mona", "mona_mod", "+31611110003", "Mona's briefje 6639"))
ADMIN = Person(811_000_004, ("Adam", "adam_admin", "+31611110004", "Adam's briefje 7740"))
INITIATOR = Person(811_000_005, ("Iris", "iris_tafel", "+31611110005", "Iris van de Molen"))
WAITING = Person(811_000_006, ("Wim", "wim_wacht", "+31611110006", "Wim helpt graag 8851"))
EVERYONE = (RESIDENT, AMBASSADOR, MODERATOR, ADMIN, INITIATOR, WAITING)
BYSTANDER = Person(811_000_009, ("Bob", "bob_blijft", "+31611110009", "Bob blijft 9962"))

# Tables no person can show in, with the reason. Every other table must name someone in the
# scenario below, so that a table a migration adds is either filled here (and its erase step
# proved) or declared here, on purpose, as holding nobody.
HOLDS_NOBODY = {
    "schema_migrations": "which migrations ran",
    "moment_reminders": "when a moment's reminders are due; who gets them is read at sending",
    "note_edits": "which note changed after which decision; gone with the note (ON DELETE CASCADE)",
    "board_photos": "photos of the paper board; who sent one is not kept",
    "invitation_cards": "a card's token hash and whether it was used, not by whom",
    "talk_table_notes": "which table grew from which note, ids only; gone with the note",
}


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqlRepository]:
    repository = new_repository(tmp_path / "bot.sqlite3", clock=lambda: T0)
    await repository.open()
    yield repository
    await repository.close()


def _update(update_id: int, person: Person, text: str) -> tuple[int, int, str]:
    """A pending update as Telegram sends it: with the sender's name and username."""
    sender = {"id": person.user_id, "first_name": person.words[0], "username": person.words[1]}
    payload = {"update_id": update_id, "message": {"from": sender, "text": text}}
    return update_id, person.user_id, json.dumps(payload)


async def _theme(repo: SqlRepository, created_by: int | None = None) -> Theme:
    return await repo.create_theme(
        title="Samen op het plein",
        invitation="Kom erbij",
        question="Wat mist er?",
        place=PlaceRef(PlaceKind.VILLAGE, "oosterend") if created_by else MUNICIPALITY,
        status=ThemeStatus.ACTIVE,
        starts_on=None,
        ends_on=None,
        created_by=created_by,
    )


async def populate(repo: SqlRepository) -> None:
    """Give each role what it leaves in the database in daily use."""
    people = (*EVERYONE, BYSTANDER)
    for number, person in enumerate(people):
        await repo.ensure_resident(person.user_id, "nl")
        await repo.set_place(person.user_id, "oosterend", None)
        await repo.set_consent(person.user_id, Consent.CONTACT, True)
        await repo.set_phone(person.user_id, person.words[2])
        await repo.set_state(person.user_id, "note", "text", {"draft": person.words[3]})
        await repo.inbox_add([_update(1000 + number, person, person.words[3])])
        # An update of theirs the bot could not read, kept aside for inspection.
        unreadable = _update(1500 + number, person, person.words[3])
        await repo.inbox_add([unreadable])
        await repo.inbox_set_aside(unreadable[0], person.user_id, unreadable[2], "TypeError")

    council = await _theme(repo)
    notes = {}
    for number, person in enumerate(people):
        notes[person] = await repo.add_note(
            theme_id=council.id,
            author_id=person.user_id,
            kind=NoteKind.TEXT,
            text=person.words[3],
            file_id=None,
            quadrant=Quadrant.WISH,
            status=NoteStatus.VISIBLE,
            source_update_id=2000 + number,
        )

    # The resident reports Bob's note and says they will come to a moment.
    await repo.add_report(notes[BYSTANDER].id, RESIDENT.user_id, ReportReason.HURTFUL, now=T0)
    # Everyone says "ik ook" to Bob's note (so Bob keeps all he has), the resident by a note
    # of their own.
    for person in EVERYONE:
        via = notes[person].id if person == RESIDENT else None
        assert await repo.add_support(notes[BYSTANDER].id, person.user_id, via_note_id=via)

    # The admin invites the moderator and the ambassador, and revokes a grant.
    grants = {}
    invites = (
        (MODERATOR, GrantRole.MODERATOR, None),
        (AMBASSADOR, GrantRole.AMBASSADOR, "oosterend"),
        (BYSTANDER, GrantRole.MODERATOR, None),
    )
    for number, (person, role, area) in enumerate(invites):
        token = f"invite-hash-{number}"
        await repo.create_invite(
            role,
            area,
            token_hash=token,
            created_by=ADMIN.user_id,
            created_name=ADMIN.words[0],
            now=T0,
            expires_at=T0 + timedelta(days=1),
        )
        grants[person] = await repo.accept_invite(
            token, user_id=person.user_id, name=person.words[0], now=T0
        )
    bystander_grant = grants[BYSTANDER]
    assert bystander_grant is not None
    await repo.revoke_grant(bystander_grant.id, by=ADMIN.user_id, by_name=ADMIN.words[0], now=T0)

    # The moderator hides Bob's note and gets a digest.
    await repo.decide(
        "pre",
        notes[BYSTANDER].id,
        0,
        Decision.HIDE,
        moderator_id=MODERATOR.user_id,
        moderator_name=MODERATOR.words[0],
        now=T0,
        reason=HideReason.HURTFUL,
    )
    await repo.record_digest(
        MODERATOR.user_id,
        await repo.queue_marks("pre"),
        NewMessage(chat_id=MODERATOR.user_id, text="Er wachten 2 briefjes."),
        now=T0,
        not_after=T0,
    )

    # The ambassador writes a theme, plans a moment and sends a message to the village.
    own = await _theme(repo, created_by=AMBASSADOR.user_id)
    moment = await repo.create_moment(
        theme_id=own.id,
        table_id=None,
        kind=MomentKind.MEETING,
        title="Avond op het plein",
        starts_at=T0 + timedelta(days=7),
        place="Dorpshuis",
        remind_theme=True,
        created_by=AMBASSADOR.user_id,
        reminders=[(60, T0 + timedelta(days=7, hours=-1))],
    )
    await repo.set_rsvp(moment.id, RESIDENT.user_id, True)
    broadcast = await repo.create_broadcast(
        BroadcastKind.MESSAGE,
        [NewMessage(chat_id=p.user_id, text="Kom naar het plein") for p in people],
        theme_id=own.id,
        sender_chat_id=AMBASSADOR.user_id,
    )
    await repo.set_progress_message(broadcast.id, 77)

    # The initiator starts a full table; Wim waits for a place.
    table = await repo.create_table(
        theme_id=own.id,
        title="Plein-tafel",
        initiator_name=INITIATOR.words[3],
        capacity=1,
        created_by=INITIATOR.user_id,
    )
    assert await repo.claim_initiator(table.id, INITIATOR.user_id)
    await repo.update_table(
        table.id,
        CardField.WHAT,
        "We maken het plein groen",
        edited_by=INITIATOR.user_id,
        now=T0,
        digest_after=timedelta(minutes=5),
        digest_within=timedelta(hours=1),
    )
    await repo.join_table(table.id, INITIATOR.user_id, Commitment.TAKE_PART, "", None)
    waiting = await repo.join_table(
        table.id, WAITING.user_id, Commitment.TAKE_PART, WAITING.words[3], WAITING.words[0]
    )
    assert waiting.member.status == MemberStatus.WAITING

    # At the stand the ambassador notes a note heard in person and someone's contact details.
    await repo.add_note(
        theme_id=own.id,
        author_id=None,
        kind=NoteKind.TEXT,
        text="Meer bankjes op het plein",
        file_id=None,
        quadrant=Quadrant.WISH,
        status=NoteStatus.VISIBLE,
        source_update_id=2900,
        origin=NoteOrigin.IN_PERSON,
        heard_in="oosterend",
    )
    await repo.add_in_person_contact(
        own.id,
        first_name="Truus",
        phone="0612345678",
        email=None,
        noted_by=AMBASSADOR.user_id,
        noted_on=T0.date(),
    )

    # The admin's own exports land in the audit trail.
    await repo.audit(
        AuditAction.EXPORT,
        actor_id=ADMIN.user_id,
        actor_name=ADMIN.words[0],
        now=T0,
        theme_id=own.id,
        subject_id=MODERATOR.user_id,
        subject_name=MODERATOR.words[0],
    )


async def test_every_table_names_someone_before_erasure(repo: SqlRepository) -> None:
    """The scan can only prove erasure where the scenario put someone: it must be everywhere."""
    await populate(repo)
    everyone = (*EVERYONE, BYSTANDER)
    shown = await tables_naming(repo, everyone)
    unfilled = set(await schema(repo)) - shown - set(HOLDS_NOBODY)
    assert not unfilled, f"fill these tables in populate() or say why they hold nobody: {unfilled}"


@pytest.mark.parametrize("person", EVERYONE, ids=lambda p: p.words[0])
async def test_erasure_leaves_no_trace_of_any_role(repo: SqlRepository, person: Person) -> None:
    await populate(repo)
    assert await traces(repo, person)
    bystander_before = await traces(repo, BYSTANDER)

    farewell = NewMessage(chat_id=person.user_id, text="Alles is gewist.")
    await repo.erase_resident(person.user_id, farewell=farewell)
    # Only the farewell still knows where to go, until it has gone out.
    left = await traces(repo, person)
    assert {(t.table, t.column) for t in left} == {("outbox", "chat_id"), ("outbox", "dedupe_key")}
    for message in await repo.claim_due(T0 + timedelta(days=1), 100):
        await repo.mark_sent(message.id)

    assert await traces(repo, person) == []
    assert file_words(repo, person) == []
    # Bob, who stays, keeps all he had (only sent messages changed status).
    assert await traces(repo, BYSTANDER) == [
        t for t in bystander_before if t.table != "outbox" or t.column != "status"
    ]


async def test_everyone_erased_one_after_another(repo: SqlRepository) -> None:
    await populate(repo)
    for person in EVERYONE:
        await repo.erase_resident(person.user_id)
    for person in EVERYONE:
        assert await traces(repo, person) == [], person
        assert file_words(repo, person) == [], person
    assert await traces(repo, BYSTANDER)


async def test_the_farewell_is_queued_once_and_leaves_nothing_once_settled(
    repo: SqlRepository,
) -> None:
    await populate(repo)
    farewell = NewMessage(chat_id=RESIDENT.user_id, text="Alles is gewist.")
    await repo.erase_resident(RESIDENT.user_id, farewell=farewell)
    # Pressing "wis alles" twice before it went out: one farewell.
    await repo.erase_resident(RESIDENT.user_id, farewell=farewell)
    due = [m for m in await repo.claim_due(T0, 100) if m.chat_id == RESIDENT.user_id]
    assert [m.text for m in due] == ["Alles is gewist."]
    # A farewell that could not be delivered goes as well.
    await repo.mark_failed(due[0].id, "chat not found")
    assert await traces(repo, RESIDENT) == []
