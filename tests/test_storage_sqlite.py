"""SqliteRepository on real SQLite files: every method, durability and concurrency."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import storage.sql_core
from bot.backends import repository_for
from bot.core.config import StorageConfig
from storage.models import (
    MUNICIPALITY,
    ChatState,
    Consent,
    InboxItem,
    Note,
    NoteKind,
    NoteStatus,
    PlaceKind,
    PlaceRef,
    Quadrant,
    Theme,
    ThemeStatus,
)
from storage.sql_core import THEME_CODE_ALPHABET, THEME_CODE_LENGTH
from storage.sqlite import SqliteRepository
from storage.sqlite_connections import ThreadedConnection
from tests.backends import (
    INTEGRITY_ERRORS,
    new_repository,
    open_connection,
    sqlite_only,
    writes_in_progress,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TODAY = date(2025, 3, 1)
ALICE = 700_000_001
BOB = 700_000_002


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 1) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "buurtbot.sqlite3"


@pytest.fixture
async def repo(db_path: Path, clock: Clock) -> AsyncIterator[SqliteRepository]:
    repository = new_repository(db_path, clock=clock)
    await repository.open()
    yield repository
    await repository.close()


async def make_theme(
    repo: SqliteRepository,
    *,
    title: str = "Speelplek",
    place: PlaceRef = MUNICIPALITY,
    status: ThemeStatus = ThemeStatus.ACTIVE,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Theme:
    return await repo.create_theme(
        title=title,
        invitation="Vertel het ons",
        question="Wat maakt een goede speelplek?",
        place=place,
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
    )


async def make_note(
    repo: SqliteRepository,
    theme: Theme,
    *,
    author: int = ALICE,
    text: str = "Een bankje bij de vijver",
    quadrant: Quadrant | None = Quadrant.WISH,
    status: NoteStatus = NoteStatus.VISIBLE,
    source_update_id: int | None = None,
    kind: NoteKind = NoteKind.TEXT,
) -> Note:
    return await repo.add_note(
        theme_id=theme.id,
        author_id=author,
        kind=kind,
        text=text,
        file_id=None,
        quadrant=quadrant,
        status=status,
        source_update_id=source_update_id,
    )


# -- lifecycle -------------------------------------------------------------------------------


async def test_open_creates_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "bot.sqlite3"
    # A path in the config means the SQLite file, whatever the tests run on otherwise.
    repository = repository_for(StorageConfig(path=path))
    await repository.open()
    await repository.close()
    assert path.is_file()


@sqlite_only
async def test_pragmas_on_both_connections(repo: SqliteRepository) -> None:
    for conn in (repo._writer, repo._reader):
        assert conn is not None
        values = {}
        for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous"):
            rows = await conn.fetch_all(f"PRAGMA {pragma}")
            values[pragma] = rows[0][0]
        assert values == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            # Another process's lock is waited for without blocking the loop (InlineConnection).
            "busy_timeout": 0,
            "synchronous": 1,  # NORMAL
        }
    assert repo._reader is not None
    [[query_only]] = await repo._reader.fetch_all("PRAGMA query_only")
    assert query_only == 1


@sqlite_only
async def test_migrations_and_checkpoints_run_on_aiosqlites_thread(repo: SqliteRepository) -> None:
    conn = repo._maintenance
    assert isinstance(conn, ThreadedConnection)
    values = {}
    for pragma in ("journal_mode", "foreign_keys", "busy_timeout"):
        [[values[pragma]]] = await conn.fetch_all(f"PRAGMA {pragma}")
    # A checkpoint is best effort: it never waits for another process's reader.
    assert values == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 0}


async def test_foreign_keys_are_enforced(repo: SqliteRepository) -> None:
    theme = await make_theme(repo)
    with pytest.raises(INTEGRITY_ERRORS):
        await make_note(repo, theme, author=12345)
    # The failed write left the writer usable.
    await repo.ensure_resident(ALICE, "nl")
    assert (await make_note(repo, theme)).author_id == ALICE


async def test_close_twice_and_use_after_close(db_path: Path, clock: Clock) -> None:
    repository = new_repository(db_path, clock=clock)
    await repository.close()  # never opened
    await asyncio.gather(repository.open(), repository.open())
    writer = open_connection(repository)
    assert writer is not None
    await repository.open()  # already open: nothing happens
    assert open_connection(repository) is writer
    await repository.close()
    await repository.close()
    with pytest.raises(RuntimeError, match="not open"):
        await repository.get_state(1)
    with pytest.raises(RuntimeError, match="not open"):
        await repository.set_state(1, "flow", None, {})


async def test_async_context_manager(db_path: Path) -> None:
    async with new_repository(db_path) as repository:
        resident = await repository.ensure_resident(ALICE, "nl")
    assert resident.created_at.tzinfo is not None
    assert open_connection(repository) is None


async def test_everything_survives_reopen(db_path: Path, clock: Clock) -> None:
    async with new_repository(db_path, clock=clock) as first:
        await first.ensure_resident(ALICE, "fy")
        await first.set_consent(ALICE, Consent.CONTACT, True)
        await first.set_phone(ALICE, "+31 6 1234 5678")
        await first.set_state(ALICE, "note", "text", {"theme_id": 1, "draft": "wip"})
        theme = await make_theme(first, title="Dorpshuis")
        note = await make_note(first, theme, source_update_id=42)
        await first.inbox_add([(42, ALICE, '{"update_id": 42}')])

    async with new_repository(db_path, clock=clock) as second:
        assert (await second.get_resident(ALICE)) is not None
        assert (await second.get_consents(ALICE))[Consent.CONTACT] is True
        assert await second.get_phone(ALICE) == "+31 6 1234 5678"
        assert await second.get_state(ALICE) == ChatState(
            ALICE, "note", "text", {"theme_id": 1, "draft": "wip"}
        )
        assert await second.get_theme_by_code(theme.code) == theme
        assert await second.get_note(note.id) == note
        assert await second.inbox_pending() == [InboxItem(42, '{"update_id": 42}')]


# -- inbox -----------------------------------------------------------------------------------


async def test_inbox_keeps_updates_until_done(repo: SqliteRepository, clock: Clock) -> None:
    assert await repo.inbox_last_update_id() is None
    assert await repo.inbox_pending() == []
    await repo.inbox_add([])

    await repo.inbox_add([(11, ALICE, "b"), (10, ALICE, "a")])
    clock.advance()
    await repo.inbox_add([(12, None, "c"), (10, ALICE, "again")])  # 10 is known: ignored
    assert await repo.inbox_pending() == [
        InboxItem(10, "a"),
        InboxItem(11, "b"),
        InboxItem(12, "c"),
    ]
    assert await repo.inbox_last_update_id() == 12

    await repo.inbox_done(11)
    await repo.inbox_done(999)  # unknown: nothing happens
    assert [item.update_id for item in await repo.inbox_pending()] == [10, 12]
    rows = {row["update_id"]: row for row in await repo.dump_table("inbox")}
    assert rows[11]["payload"] is None
    assert rows[11]["status"] == "done"
    assert rows[11]["handled_at"] == "2025-03-01T12:00:01.000000+00:00"

    # A handled update delivered again is not handled twice.
    await repo.inbox_add([(11, ALICE, "b")])
    assert [item.update_id for item in await repo.inbox_pending()] == [10, 12]
    assert await repo.inbox_last_update_id() == 12


async def test_inbox_pending_oldest_first(repo: SqliteRepository, clock: Clock) -> None:
    await repo.inbox_add([(500, 1, "later id, received first")])
    clock.advance()
    await repo.inbox_add([(7, 1, "lower id, received later")])
    assert [item.update_id for item in await repo.inbox_pending()] == [500, 7]


# -- chat state ------------------------------------------------------------------------------


async def test_state_set_replace_clear(repo: SqliteRepository) -> None:
    assert await repo.get_state(5) == ChatState(5)
    await repo.set_state(5, "onboarding", "language", {"tried": ["nl"], "naam": "Grüße"})
    assert await repo.get_state(5) == ChatState(
        5, "onboarding", "language", {"tried": ["nl"], "naam": "Grüße"}
    )
    await repo.set_state(5, "note", None, {})
    assert await repo.get_state(5) == ChatState(5, "note", None, {})
    await repo.set_state(5, None, "ignored", {"ignored": True})
    assert await repo.get_state(5) == ChatState(5)
    assert await repo.dump_table("chat_state") == []


# -- residents -------------------------------------------------------------------------------


async def test_ensure_resident_creates_once_and_tracks_last_seen(
    repo: SqliteRepository, clock: Clock
) -> None:
    assert await repo.get_resident(ALICE) is None
    created = await repo.ensure_resident(ALICE, "nl")
    assert created.language == "nl"
    assert created.onboarded is False
    assert created.active is True
    assert created.village_key is None
    assert created.created_at == T0

    clock.advance(60)
    again = await repo.ensure_resident(ALICE, "en")  # the language is only for new ones
    assert again == created
    [row] = await repo.dump_table("residents")
    assert row["last_seen_at"] == "2025-03-01T12:01:00.000000+00:00"
    assert row["created_at"] == "2025-03-01T12:00:00.000000+00:00"


async def test_resident_setters(repo: SqliteRepository) -> None:
    await repo.ensure_resident(ALICE, "nl")
    await repo.set_language(ALICE, "fy")
    await repo.set_place(ALICE, "oosterend", "centrum")
    await repo.set_onboarded(ALICE)
    await repo.set_active(ALICE, False)
    resident = await repo.get_resident(ALICE)
    assert resident is not None
    assert (resident.language, resident.village_key, resident.neighbourhood_key) == (
        "fy",
        "oosterend",
        "centrum",
    )
    assert resident.onboarded is True
    assert resident.active is False
    await repo.set_active(ALICE, True)
    await repo.set_place(ALICE, None, None)
    resident = await repo.get_resident(ALICE)
    assert resident is not None
    assert resident.active is True
    assert resident.village_key is None
    # Setters on someone unknown change nothing and create no one.
    await repo.set_language(BOB, "en")
    assert await repo.get_resident(BOB) is None


async def test_consents_every_purpose_default_no(repo: SqliteRepository) -> None:
    await repo.ensure_resident(ALICE, "nl")
    assert await repo.get_consents(ALICE) == dict.fromkeys(Consent, False)
    assert await repo.get_consents(BOB) == dict.fromkeys(Consent, False)
    await repo.set_consent(ALICE, Consent.THEME_NEWS, True)
    await repo.set_consent(ALICE, Consent.SHOW_NAME, True)
    await repo.set_consent(ALICE, Consent.SHOW_NAME, False)
    assert await repo.get_consents(ALICE) == {
        **dict.fromkeys(Consent, False),
        Consent.THEME_NEWS: True,
    }
    # A withdrawn consent stays on record as a no, with when.
    rows = {row["purpose"]: row for row in await repo.dump_table("consents")}
    assert rows["show_name"]["granted"] == 0


async def test_phone(repo: SqliteRepository) -> None:
    await repo.ensure_resident(ALICE, "nl")
    assert await repo.get_phone(ALICE) is None
    await repo.set_phone(ALICE, "0612345678")
    await repo.set_phone(ALICE, "0687654321")
    assert await repo.get_phone(ALICE) == "0687654321"
    await repo.set_phone(ALICE, None)
    assert await repo.get_phone(ALICE) is None
    assert await repo.dump_table("contact_details") == []


# -- themes ----------------------------------------------------------------------------------


async def test_theme_round_trip(repo: SqliteRepository) -> None:
    place = PlaceRef(PlaceKind.VILLAGE, "oosterend")
    theme = await repo.create_theme(
        title="Wonen in het dorp",
        invitation="Hoe wil jij hier wonen?",
        question="Wat heeft het dorp nodig?",
        place=place,
        status=ThemeStatus.DRAFT,
        starts_on=date(2025, 4, 1),
        ends_on=date(2025, 6, 30),
        quadrant_questions={"wish": "Wat wens je?", "question": "Wat wil je weten?"},
        created_by=99,
    )
    assert theme.place == place
    assert theme.status is ThemeStatus.DRAFT
    assert (theme.starts_on, theme.ends_on) == (date(2025, 4, 1), date(2025, 6, 30))
    assert theme.quadrant_questions == {"wish": "Wat wens je?", "question": "Wat wil je weten?"}
    assert theme.created_by == 99
    assert theme.created_at == T0
    assert await repo.get_theme(theme.id) == theme
    assert await repo.get_theme_by_code(theme.code) == theme
    assert await repo.get_theme_by_code(f" {theme.code.upper()} ") == theme
    assert await repo.get_theme(theme.id + 1) is None
    assert await repo.get_theme_by_code("zzzzzzzz") is None

    plain = await make_theme(repo)
    assert plain.quadrant_questions == {}
    assert plain.created_by is None
    assert plain.place == MUNICIPALITY


async def test_theme_codes_unique_and_from_the_alphabet(repo: SqliteRepository) -> None:
    codes = [(await make_theme(repo, title=f"t{i}")).code for i in range(60)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == THEME_CODE_LENGTH
        assert set(code) <= set(THEME_CODE_ALPHABET)
    assert not set("01ilo") & set(THEME_CODE_ALPHABET)


async def test_theme_code_collision_is_retried(
    repo: SqliteRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes: Iterator[str] = iter(["aaaaaaaa", "aaaaaaaa", "aaaaaaaa", "bbbbbbbb"])
    monkeypatch.setattr(storage.sql_core, "new_theme_code", lambda: next(codes))
    first = await make_theme(repo)
    second = await make_theme(repo)
    assert (first.code, second.code) == ("aaaaaaaa", "bbbbbbbb")

    monkeypatch.setattr(storage.sql_core, "new_theme_code", lambda: "aaaaaaaa")
    with pytest.raises(RuntimeError, match="free theme code"):
        await make_theme(repo)
    assert len(await repo.dump_table("themes")) == 2


async def test_active_themes_by_date(repo: SqliteRepository) -> None:
    always = await make_theme(repo, title="always")
    started = await make_theme(repo, title="started", starts_on=date(2025, 2, 1))
    starts_today = await make_theme(repo, title="starts today", starts_on=TODAY)
    ends_today = await make_theme(
        repo, title="ends today", starts_on=date(2025, 1, 1), ends_on=TODAY
    )
    await make_theme(repo, title="future", starts_on=date(2025, 3, 2))
    await make_theme(repo, title="over", ends_on=date(2025, 2, 28))
    await make_theme(repo, title="draft", status=ThemeStatus.DRAFT)
    await make_theme(repo, title="closed", status=ThemeStatus.CLOSED)

    found = await repo.list_active_themes(None, TODAY)
    # Newest start first; themes without a start date last; then newest id first.
    assert [t.title for t in found] == [
        starts_today.title,
        started.title,
        ends_today.title,
        always.title,
    ]
    tomorrow = [t.title for t in await repo.list_active_themes(None, date(2025, 3, 2))]
    assert tomorrow == ["future", "starts today", "started", "always"]


async def test_active_themes_by_place(repo: SqliteRepository) -> None:
    village = PlaceRef(PlaceKind.VILLAGE, "oosterend")
    other_village = PlaceRef(PlaceKind.VILLAGE, "westerend")
    hood = PlaceRef(PlaceKind.NEIGHBOURHOOD, "oosterend")  # same key, other kind
    whole = await make_theme(repo, title="whole", place=MUNICIPALITY)
    ours = await make_theme(repo, title="ours", place=village)
    await make_theme(repo, title="theirs", place=other_village)
    street = await make_theme(repo, title="street", place=hood)

    assert len(await repo.list_active_themes(None, TODAY)) == 4
    assert await repo.list_active_themes([], TODAY) == []
    mine = await repo.list_active_themes([MUNICIPALITY, village, village], TODAY)
    assert [t.id for t in mine] == [ours.id, whole.id]
    assert [t.id for t in await repo.list_active_themes({hood}, TODAY)] == [street.id]


# -- notes -----------------------------------------------------------------------------------


async def test_note_round_trip_and_edits(repo: SqliteRepository, clock: Clock) -> None:
    await repo.ensure_resident(ALICE, "nl")
    theme = await make_theme(repo)
    note = await repo.add_note(
        theme_id=theme.id,
        author_id=ALICE,
        kind=NoteKind.PHOTO,
        text="",
        file_id="AgACAgQAAxk",
        quadrant=None,
        status=NoteStatus.DRAFT,
        source_update_id=None,
    )
    assert note.quadrant is None
    assert note.kind is NoteKind.PHOTO
    assert note.file_id == "AgACAgQAAxk"
    assert note.created_at == note.updated_at == T0
    assert await repo.get_note(note.id) == note

    clock.advance(5)
    placed = await repo.set_note_quadrant(note.id, Quadrant.EXAMPLE, NoteStatus.PENDING)
    assert placed is not None
    assert (placed.quadrant, placed.status) == (Quadrant.EXAMPLE, NoteStatus.PENDING)
    assert placed.updated_at == T0 + timedelta(seconds=5)
    assert placed.created_at == T0

    edited = await repo.set_note_text(note.id, "Zo doen ze het in Makkum")
    assert edited is not None
    assert edited.text == "Zo doen ze het in Makkum"
    assert await repo.get_note(note.id) == edited

    assert await repo.delete_note(note.id) is True
    assert await repo.delete_note(note.id) is False
    assert await repo.get_note(note.id) is None
    assert await repo.set_note_quadrant(note.id, Quadrant.WISH, NoteStatus.VISIBLE) is None
    assert await repo.set_note_text(note.id, "gone") is None


async def test_add_note_is_idempotent_on_update_id(repo: SqliteRepository) -> None:
    await repo.ensure_resident(ALICE, "nl")
    theme = await make_theme(repo)
    first = await make_note(repo, theme, text="first", source_update_id=77)
    again = await make_note(repo, theme, text="handled again after a crash", source_update_id=77)
    assert again == first
    without_1 = await make_note(repo, theme, text="same", source_update_id=None)
    without_2 = await make_note(repo, theme, text="same", source_update_id=None)
    assert without_1.id != without_2.id
    assert len(await repo.dump_table("notes")) == 3


async def test_same_update_handled_concurrently_stores_one_note(repo: SqliteRepository) -> None:
    await repo.ensure_resident(ALICE, "nl")
    theme = await make_theme(repo)
    notes = await asyncio.gather(
        *(make_note(repo, theme, text=f"try {i}", source_update_id=5) for i in range(30))
    )
    assert len({note.id for note in notes}) == 1
    assert len(await repo.dump_table("notes")) == 1


@pytest.mark.parametrize("status", list(NoteStatus))
async def test_every_status_quadrant_and_kind_fits_the_schema(
    repo: SqliteRepository, status: NoteStatus
) -> None:
    # Guards against the CHECK lists in the SQL drifting from the enums.
    await repo.ensure_resident(ALICE, "nl")
    theme = await make_theme(repo)
    for quadrant in [None, *Quadrant]:
        for kind in NoteKind:
            note = await make_note(repo, theme, quadrant=quadrant, status=status, kind=kind)
            assert (note.quadrant, note.status, note.kind) == (quadrant, status, kind)
    for place_kind in PlaceKind:
        await make_theme(repo, place=PlaceRef(place_kind, "x"))
    for theme_status in ThemeStatus:
        await make_theme(repo, status=theme_status)
    for purpose in Consent:
        await repo.set_consent(ALICE, purpose, True)


async def test_schema_rejects_unknown_enum_values(repo: SqliteRepository) -> None:
    await repo.ensure_resident(ALICE, "nl")
    theme = await make_theme(repo)
    note = await make_note(repo, theme)
    for sql in (
        "UPDATE notes SET status = 'bogus'",
        "UPDATE notes SET quadrant = 'bogus'",
        "UPDATE notes SET kind = 'bogus'",
        "UPDATE themes SET status = 'bogus'",
        "UPDATE themes SET place_kind = 'bogus'",
        "UPDATE residents SET onboarded = 2",
    ):
        with pytest.raises(INTEGRITY_ERRORS, match=r"(?i)check"):
            async with repo._write() as conn:
                await conn.execute(sql)
    assert await repo.get_note(note.id) == note


async def test_counts_and_lists(repo: SqliteRepository) -> None:
    await repo.ensure_resident(ALICE, "nl")
    await repo.ensure_resident(BOB, "nl")
    theme = await make_theme(repo)
    other_theme = await make_theme(repo, title="other")
    visible_wishes = [await make_note(repo, theme, text=f"wish {i}") for i in range(3)]
    question = await make_note(repo, theme, author=BOB, quadrant=Quadrant.QUESTION)
    pending = await make_note(repo, theme, quadrant=Quadrant.WISH, status=NoteStatus.PENDING)
    await make_note(repo, theme, quadrant=Quadrant.OTHER, status=NoteStatus.HIDDEN)
    await make_note(repo, theme, quadrant=None, status=NoteStatus.DRAFT)
    await make_note(repo, other_theme)

    assert await repo.count_notes(theme.id) == {
        Quadrant.WISH: 3,
        Quadrant.EXAMPLE: 0,
        Quadrant.POSSIBILITY: 0,
        Quadrant.QUESTION: 1,
        Quadrant.OTHER: 0,
    }
    everything = await repo.count_notes(theme.id, statuses=list(NoteStatus))
    assert everything[Quadrant.WISH] == 4
    assert everything[Quadrant.OTHER] == 1
    assert sum(everything.values()) == 6  # the draft without a quadrant is not counted
    assert await repo.count_notes(theme.id, statuses=()) == dict.fromkeys(Quadrant, 0)
    assert await repo.count_notes(12345) == dict.fromkeys(Quadrant, 0)

    listed = await repo.list_notes(theme.id)
    assert [n.id for n in listed] == [question.id, *(n.id for n in reversed(visible_wishes))]
    wishes = await repo.list_notes(theme.id, quadrant=Quadrant.WISH, limit=2)
    assert [n.id for n in wishes] == [visible_wishes[2].id, visible_wishes[1].id]
    page_two = await repo.list_notes(theme.id, quadrant=Quadrant.WISH, limit=2, offset=2)
    assert [n.id for n in page_two] == [visible_wishes[0].id]
    queue = await repo.list_notes(theme.id, statuses={NoteStatus.PENDING})
    assert [n.id for n in queue] == [pending.id]
    assert await repo.list_notes(theme.id, statuses=[]) == []

    by_alice = await repo.list_notes_by_author(ALICE)
    assert len(by_alice) == 7
    assert [n.id for n in by_alice] == sorted((n.id for n in by_alice), reverse=True)
    assert await repo.list_notes_by_author(BOB) == [question]


# -- transactions and concurrency ------------------------------------------------------------


async def test_concurrent_writes_all_land(repo: SqliteRepository) -> None:
    authors = [ALICE + i for i in range(10)]
    for author in authors:
        await repo.ensure_resident(author, "nl")
    theme = await make_theme(repo)

    async def write(i: int) -> Note:
        return await make_note(
            repo, theme, author=authors[i % 10], text=f"note {i}", source_update_id=1000 + i
        )

    async def read() -> int:
        counts = await repo.count_notes(theme.id)
        return sum(counts.values())

    results = await asyncio.gather(*(write(i) for i in range(200)), *(read() for _ in range(20)))
    notes = [r for r in results if isinstance(r, Note)]
    assert len({n.id for n in notes}) == 200
    rows = await repo.dump_table("notes")
    assert sorted(row["text"] for row in rows) == sorted(f"note {i}" for i in range(200))
    assert sum((await repo.count_notes(theme.id)).values()) == 200


async def test_failing_write_rolls_back(repo: SqliteRepository) -> None:
    async def half_a_write() -> None:
        async with repo._write() as conn:
            await conn.execute(
                "INSERT INTO residents (user_id, language, created_at, last_seen_at)"
                " VALUES (1, 'nl', 'x', 'x')"
            )
            await conn.execute(
                "INSERT INTO chat_state (chat_id, flow, updated_at) VALUES (1, 'f', 'x')"
            )
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await half_a_write()
    assert await repo.dump_table("residents") == []
    assert await repo.dump_table("chat_state") == []
    assert not await writes_in_progress(repo)
    await repo.ensure_resident(1, "nl")
    assert len(await repo.dump_table("residents")) == 1


async def test_cancelled_writes_leave_the_writer_clean(repo: SqliteRepository) -> None:
    await repo.ensure_resident(ALICE, "nl")
    theme = await make_theme(repo)
    tasks = [asyncio.create_task(make_note(repo, theme, text=f"n{i}")) for i in range(40)]
    await asyncio.sleep(0)
    for task in tasks[::2]:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    stored = {row["id"] for row in await repo.dump_table("notes")}
    returned = {r.id for r in results if isinstance(r, Note)}
    assert returned <= stored
    assert not await writes_in_progress(repo)
    assert (await make_note(repo, theme, text="after")).text == "after"


@sqlite_only
async def test_cancelled_while_waiting_for_another_process_lock(repo: SqliteRepository) -> None:
    # Statements run on the loop's thread; the one place a write can be cancelled midway is
    # the wait for another process's lock (InlineConnection sleeps between tries). The
    # cancelled write must leave nothing behind and the connection outside a transaction.
    await repo.ensure_resident(ALICE, "nl")
    theme = await make_theme(repo)
    writer = repo._writer
    assert writer is not None
    other = sqlite3.connect(repo.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        task = asyncio.create_task(make_note(repo, theme))
        await asyncio.sleep(0.05)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (await make_note(repo, theme, text="after")).text == "after"
    assert not writer.in_transaction
    assert [row["text"] for row in await repo.dump_table("notes")] == ["after"]


async def test_reads_see_the_last_write_at_once(repo: SqliteRepository) -> None:
    await repo.ensure_resident(ALICE, "nl")
    theme = await make_theme(repo)
    for i in range(30):
        note = await make_note(repo, theme, text=f"n{i}")
        assert await repo.get_note(note.id) == note


async def test_table_names_and_dump(repo: SqliteRepository) -> None:
    names = await repo.table_names()
    assert set(names) >= {
        "schema_migrations",
        "residents",
        "consents",
        "contact_details",
        "chat_state",
        "inbox",
        "themes",
        "notes",
    }
    with pytest.raises(ValueError, match="no such table"):
        await repo.dump_table("residents; DROP TABLE notes")
