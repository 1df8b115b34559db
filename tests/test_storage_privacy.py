"""Export and erasure of one resident: what they can ask for, and what must really go."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from storage.models import (
    MUNICIPALITY,
    ChatState,
    Consent,
    InboxItem,
    NoteKind,
    NoteStatus,
    PlaceKind,
    PlaceRef,
    Quadrant,
    Theme,
    ThemeStatus,
)
from storage.sql_repository import SqlRepository
from storage.sqlite import SqliteRepository
from tests.backends import ON_POSTGRES, STORAGE_ERRORS, new_repository, sqlite_only

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ALICE = 812_345_671  # the one who asks to be forgotten
BOB = 812_345_672

# Everything Alice ever typed or sent; each must be gone afterwards, from the tables and
# from the file itself.
ALICE_WORDS = (
    "Alice-wens: een jeu-de-boulesbaan bij de molen",
    "Alice-voorbeeld: het buurthuis in Makkum",
    "Alice-concept: half getypte gedachte",
    "Alice-bericht: hoi bot, hier is mijn notitie",
    "Alice-bericht-verwerkt: oud bericht",
    "+31 6 1111 2222",
    "AgACAgAlice-photo-file-id",
)
BOB_WORDS = ("Bob-wens: meer bankjes langs het kanaal", "+31 6 3333 4444")


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqliteRepository]:
    repository = new_repository(tmp_path / "bot.sqlite3", clock=lambda: T0)
    await repository.open()
    yield repository
    await repository.close()


async def populate(repo: SqliteRepository) -> tuple[Theme, Theme]:
    """Give Alice and Bob something in every table there is."""
    for user, language in ((ALICE, "nl"), (BOB, "fy")):
        await repo.ensure_resident(user, language)
        await repo.set_place(user, "oosterend", None)
        await repo.set_onboarded(user)
        await repo.set_consent(user, Consent.CONTACT, True)
        await repo.set_consent(user, Consent.THEME_NEWS, False)
    await repo.set_phone(ALICE, ALICE_WORDS[5])
    await repo.set_phone(BOB, BOB_WORDS[1])

    council = await repo.create_theme(
        title="Speelplekken",
        invitation="Waar speel jij?",
        question="Wat mist er?",
        place=MUNICIPALITY,
        status=ThemeStatus.ACTIVE,
        starts_on=date(2025, 1, 1),
        ends_on=None,
    )
    # Alice is also an ambassador who wrote a theme.
    ambassador = await repo.create_theme(
        title="Dorpsplein Oosterend",
        invitation="Samen het plein",
        question="Hoe wordt het plein?",
        place=PlaceRef(PlaceKind.VILLAGE, "oosterend"),
        status=ThemeStatus.ACTIVE,
        starts_on=None,
        ends_on=None,
        created_by=ALICE,
    )

    async def note(
        theme: Theme,
        author: int,
        text: str,
        quadrant: Quadrant | None,
        update_id: int,
        kind: NoteKind = NoteKind.TEXT,
        file_id: str | None = None,
    ) -> None:
        await repo.add_note(
            theme_id=theme.id,
            author_id=author,
            kind=kind,
            text=text,
            file_id=file_id,
            quadrant=quadrant,
            status=NoteStatus.DRAFT if quadrant is None else NoteStatus.VISIBLE,
            source_update_id=update_id,
        )

    await note(council, ALICE, ALICE_WORDS[0], Quadrant.WISH, 101)
    await note(ambassador, ALICE, ALICE_WORDS[1], Quadrant.EXAMPLE, 102)
    await note(council, ALICE, "", Quadrant.EXAMPLE, 103, NoteKind.PHOTO, ALICE_WORDS[6])
    await note(council, BOB, BOB_WORDS[0], Quadrant.WISH, 201)
    await note(ambassador, BOB, "Bob op het plein", Quadrant.QUESTION, 202)

    await repo.set_state(ALICE, "note", "quadrant", {"draft": ALICE_WORDS[2]})
    await repo.set_state(BOB, "note", "text", {"draft": "Bob denkt na"})

    await repo.inbox_add(
        [
            (104, ALICE, json.dumps({"message": {"text": ALICE_WORDS[4]}})),
            (105, ALICE, json.dumps({"message": {"text": ALICE_WORDS[3]}})),
            (203, BOB, json.dumps({"message": {"text": "Bob zegt hoi"}})),
        ]
    )
    await repo.inbox_done(104)
    return council, ambassador


def mentions(value: Any, user_id: int, words: tuple[str, ...]) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return value == user_id
    if isinstance(value, str):
        return str(user_id) in value or any(word in value for word in words)
    return False


def row_mentions(row: dict[str, Any], user_id: int, words: tuple[str, ...]) -> bool:
    return any(mentions(value, user_id, words) for value in row.values())


async def dump_all(repo: SqliteRepository) -> dict[str, list[dict[str, Any]]]:
    return {name: await repo.dump_table(name) for name in await repo.table_names()}


def file_bytes(repo: SqlRepository) -> bytes:
    """The database's files as they are on disk; none for PostgreSQL (the server's own)."""
    data = b""
    if not isinstance(repo, SqliteRepository):
        return data
    for suffix in ("", "-wal", "-journal"):
        part = Path(f"{repo.path}{suffix}")
        if part.exists():
            data += part.read_bytes()
    return data


async def test_erase_leaves_no_trace_in_any_table(repo: SqliteRepository) -> None:
    await populate(repo)
    before = await dump_all(repo)
    # The scan can see Alice at all: every table that could hold her does, before.
    for table in (
        "residents",
        "consents",
        "contact_details",
        "chat_state",
        "inbox",
        "themes",
        "notes",
    ):
        assert any(row_mentions(r, ALICE, ALICE_WORDS) for r in before[table]), table

    await repo.erase_resident(ALICE)

    after = await dump_all(repo)
    assert set(after) == set(before)
    for table, rows in after.items():
        for row in rows:
            for column, value in row.items():
                assert not mentions(value, ALICE, ALICE_WORDS), (table, column, value)
    # Everything that was not Alice's is still there, unchanged.
    for table, rows in before.items():
        untouched = [row for row in rows if not row_mentions(row, ALICE, ALICE_WORDS)]
        for row in untouched:
            assert row in after[table], (table, row)


@sqlite_only  # on PostgreSQL the bytes leave the disk with VACUUM (README: Running at scale)
async def test_erase_removes_the_words_from_the_file(repo: SqliteRepository) -> None:
    await populate(repo)
    assert ALICE_WORDS[0].encode() in file_bytes(repo)
    await repo.erase_resident(ALICE)
    raw = file_bytes(repo)
    for word in ALICE_WORDS:
        assert word.encode() not in raw, word
    assert BOB_WORDS[0].encode() in raw


async def test_after_erase_the_repository_knows_nothing_of_them(
    repo: SqliteRepository,
) -> None:
    council, ambassador = await populate(repo)
    await repo.erase_resident(ALICE)

    assert await repo.get_resident(ALICE) is None
    assert await repo.get_consents(ALICE) == dict.fromkeys(Consent, False)
    assert await repo.get_phone(ALICE) is None
    assert await repo.get_state(ALICE) == ChatState(ALICE)
    assert await repo.list_notes_by_author(ALICE) == []
    theme = await repo.get_theme(ambassador.id)
    assert theme is not None
    assert theme.created_by is None  # the theme stays; who wrote it does not

    # Bob is untouched.
    bob = await repo.get_resident(BOB)
    assert bob is not None
    assert bob.language == "fy"
    assert (await repo.get_consents(BOB))[Consent.CONTACT] is True
    assert await repo.get_phone(BOB) == BOB_WORDS[1]
    assert (await repo.get_state(BOB)).data == {"draft": "Bob denkt na"}
    assert [n.text for n in await repo.list_notes_by_author(BOB)] == [
        "Bob op het plein",
        BOB_WORDS[0],
    ]
    assert (await repo.count_notes(council.id))[Quadrant.WISH] == 1
    assert [item.update_id for item in await repo.inbox_pending()] == [203]


async def test_redelivered_update_is_not_stored_again_after_erase(
    repo: SqliteRepository,
) -> None:
    await populate(repo)
    await repo.erase_resident(ALICE)
    # Telegram sends Alice's unhandled update again after a restart.
    await repo.inbox_add([(105, ALICE, json.dumps({"message": {"text": ALICE_WORDS[3]}}))])
    assert [item.update_id for item in await repo.inbox_pending()] == [203]
    assert await repo.inbox_last_update_id() == 203


async def test_erase_twice_and_coming_back(repo: SqliteRepository) -> None:
    await populate(repo)
    await repo.erase_resident(ALICE)
    await repo.erase_resident(ALICE)
    await repo.erase_resident(424242)  # never seen
    fresh = await repo.ensure_resident(ALICE, "en")
    assert fresh.language == "en"
    assert fresh.onboarded is False
    assert await repo.get_consents(ALICE) == dict.fromkeys(Consent, False)


async def test_erase_is_all_or_nothing(repo: SqliteRepository) -> None:
    await populate(repo)
    before = await dump_all(repo)
    # Make the erase fail halfway, after the notes have already been deleted.
    if ON_POSTGRES:
        async with repo._write() as conn:
            await conn.execute(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql"
                " AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$"
            )
            await conn.execute(
                "CREATE TRIGGER refuse BEFORE DELETE ON residents"
                " FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
    else:
        with sqlite3.connect(repo.path) as conn:
            conn.execute(
                "CREATE TRIGGER refuse BEFORE DELETE ON residents"
                " BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
    with pytest.raises(STORAGE_ERRORS, match="refused"):
        await repo.erase_resident(ALICE)
    after = await dump_all(repo)
    assert after == before


async def test_export_holds_everything_about_them(repo: SqliteRepository) -> None:
    council, ambassador = await populate(repo)
    export = await repo.export_resident(ALICE)
    text = json.dumps(export, ensure_ascii=False)
    handled = ALICE_WORDS[4]  # a handled update keeps no payload, so there is none to export
    for word in ALICE_WORDS:
        if word == handled:
            assert word not in text
            continue
        assert json.dumps(word, ensure_ascii=False)[1:-1] in text, word
    for word in BOB_WORDS:
        assert word not in text

    assert export["user_id"] == ALICE
    assert export["resident"]["language"] == "nl"
    assert export["resident"]["onboarded"] is True
    assert export["resident"]["village_key"] == "oosterend"
    assert {c["purpose"]: c["granted"] for c in export["consents"]} == {
        "contact": True,
        "theme_news": False,
    }
    assert export["phone"] == ALICE_WORDS[5]
    notes = export["notes"]
    assert [(n["theme_title"], n["text"]) for n in notes] == [
        (council.title, ALICE_WORDS[0]),
        (ambassador.title, ALICE_WORDS[1]),
        (council.title, ""),
    ]
    assert notes[2]["file_id"] == ALICE_WORDS[6]
    assert notes[0]["quadrant"] == "wish"
    assert export["chat_state"]["data"] == {"draft": ALICE_WORDS[2]}
    assert [u["update_id"] for u in export["pending_updates"]] == [105]
    assert [t["title"] for t in export["themes_created"]] == [ambassador.title]


async def test_export_of_a_stranger_is_empty(repo: SqliteRepository) -> None:
    export = await repo.export_resident(ALICE)
    json.dumps(export)
    assert export["resident"] is None
    assert export["consents"] == []
    assert export["notes"] == []
    assert export["phone"] is None
    assert export["chat_state"] is None


async def test_export_leaves_the_reader_usable(repo: SqliteRepository) -> None:
    await populate(repo)
    await repo.export_resident(ALICE)
    await repo.ensure_resident(999, "nl")
    assert await repo.get_resident(999) is not None
    assert await repo.inbox_pending() == [
        InboxItem(105, json.dumps({"message": {"text": ALICE_WORDS[3]}})),
        InboxItem(203, json.dumps({"message": {"text": "Bob zegt hoi"}})),
    ]
