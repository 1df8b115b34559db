"""End to end: every privileged command and button of moderation, exports, roles and the audit
trail is refused to a resident, to an ambassador outside their area, and with forged data;
contact details go only to the area's ambassador and admins."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from storage.models import Commitment, MomentKind, NoteStatus, PlaceKind, PlaceRef, Theme
from tests.conftest import ADMIN_ID, AMBASSADOR_ID, MODERATOR_ID, BotFactory, add_theme, repo_of
from tests.staff import admin, documents, moderator, readable_text, staff, start_bot, write_note

OTHER_AMBASSADOR = 900004
DOORWERTH = PlaceRef(PlaceKind.VILLAGE, "doorwerth")
RENKUM = PlaceRef(PlaceKind.VILLAGE, "renkum")

MODERATORS_ONLY = "Dit is alleen voor moderatoren."
EXPORTERS_ONLY = "Dit is alleen voor moderatoren, gebiedsambassadeurs en beheerders."
ADMINS_ONLY = "Dit is alleen voor beheerders."
OTHER_AREA = "Dit thema hoort bij een ander gebied."

COMMANDS = (
    ("/moderatie", MODERATORS_ONLY),
    ("/export", EXPORTERS_ONLY),
    ("/rol", ADMINS_ONLY),
    ("/audit", ADMINS_ONLY),
)


@pytest.fixture
async def pg(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    """A client without the default bot: each test here starts its own."""
    async with PlaygroundClient(playground.url) as client:
        yield client


def _moderation_buttons(note_id: int) -> list[str]:
    return [
        f"md:ok:{note_id}:0",
        f"md:h:{note_id}:0",
        f"md:h:{note_id}:0:p",
        f"md:m:{note_id}:0",
        f"md:m:{note_id}:0:q",
        f"md:d:{note_id}:0",
        f"md:d:{note_id}:0:{note_id}",
        f"md:r:{note_id}:0",
        f"md:rc:{note_id}:0:0",
        f"md:rok:{note_id}:0",
        f"md:b:{note_id}:0",
        f"md:all:{note_id:x}.0",
        "md:more:0",
        "md:q",
        "md:rx",
    ]


def _admin_buttons() -> list[str]:
    return [
        "ro:list",
        "ro:new:m",
        "ro:new:a",
        "ro:na:doorwerth-heveadorp",
        "ro:rv:1",
        "ro:rvy:1",
        "ro:ri:1",
        "au:p:0",
    ]


async def _refused(person: Person, data: str, expected: str) -> None:
    own = await person.last_bot_message()
    await person.press_data(data, own.message_id)
    answer = await person.callback_answer()
    assert answer is not None and answer.text is not None, data
    assert answer.text.startswith(expected), (data, answer.text)


async def _setup(pg: PlaygroundClient, make_bot: BotFactory) -> tuple[BotRunner, Theme, int]:
    roles = {
        "ambassadors": [
            {"user_id": AMBASSADOR_ID, "area": "doorwerth-heveadorp"},
            {"user_id": OTHER_AMBASSADOR, "area": "renkum-heelsum"},
        ]
    }
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"}, roles=roles)
    theme = await add_theme(runner, place=DOORWERTH, title="Groen Doorwerth")
    anna = await pg.new_person(first_name="Anna")
    await write_note(anna, "Meer bomen langs de Kasteelweg", "Wens")
    (note,) = await runner.repo.list_notes_by_author(anna.id)
    return runner, theme, note.id


async def _nothing_changed(runner: BotRunner, note_id: int) -> None:
    note = await runner.repo.get_note(note_id)
    assert note is not None and note.status == NoteStatus.PENDING
    repo = repo_of(runner)
    for table in ("moderation_decisions", "role_invites", "role_grants", "audit_log"):
        assert await repo.dump_table(table) == [], table


async def test_a_resident_is_refused_every_command_and_button(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner, theme, note_id = await _setup(pg, make_bot)
    bas = await pg.new_person(first_name="Bas")
    for command, expected in COMMANDS:
        await bas.send(command)
        assert (await bas.last_bot_message()).text.startswith(expected), command
    for data in _moderation_buttons(note_id):
        await _refused(bas, data, MODERATORS_ONLY)
    for data in (f"ex:t:{theme.id}", f"ex:f:{theme.id}:md", f"ex:f:{theme.id}:contacts"):
        await _refused(bas, data, EXPORTERS_ONLY)
    for data in _admin_buttons():
        await _refused(bas, data, ADMINS_ONLY)
    assert not [m for m in await bas.bot_messages() if m.document is not None]
    await _nothing_changed(runner, note_id)


async def test_an_ambassador_outside_their_area_is_refused(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner, theme, note_id = await _setup(pg, make_bot)
    await add_theme(runner, place=RENKUM, title="Renkum bloeit")
    renkum = await staff(pg, "Rik", OTHER_AMBASSADOR)
    for command, expected in COMMANDS:
        if command == "/export":
            continue
        await renkum.send(command)
        assert (await renkum.last_bot_message()).text.startswith(expected), command
    await renkum.send("/export")
    assert (await renkum.last_bot_message()).button_labels == ["Renkum bloeit"]
    for data in (f"ex:t:{theme.id}", f"ex:f:{theme.id}:md", f"ex:f:{theme.id}:contacts"):
        await _refused(renkum, data, OTHER_AREA)
    for data in _moderation_buttons(note_id):
        await _refused(renkum, data, MODERATORS_ONLY)
    for data in _admin_buttons():
        await _refused(renkum, data, ADMINS_ONLY)
    assert not [m for m in await renkum.bot_messages() if m.document is not None]
    await _nothing_changed(runner, note_id)


async def test_contact_details_only_for_the_areas_ambassador_and_admins(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner, theme, _ = await _setup(pg, make_bot)
    carla = await pg.new_person(first_name="Carla")
    await write_note(carla, "Een moestuin voor de school", "Mogelijkheid")
    await carla.press("Ja, graag")  # invite me
    await carla.send_contact("+31687654321")
    dirk = await pg.new_person(first_name="Dirk")
    await write_note(dirk, "Een bankje bij de kerk", "Wens")
    await dirk.press("Nee, liever niet")

    mo = await moderator(pg)
    await mo.send("/export")
    await mo.press("Groen Doorwerth")
    await _refused(mo, f"ex:f:{theme.id}:contacts", "Contactgegevens zijn alleen")

    ahmed = await staff(pg, "Ahmed", AMBASSADOR_ID)
    await ahmed.send("/export")
    await ahmed.press("Groen Doorwerth")
    mark = await ahmed.mark()
    await ahmed.press("Contactgegevens van wie uitgenodigd wil worden")
    files = await documents(pg, await ahmed.bot_messages(after=mark))
    contacts = files[f"contacten-{theme.code}.csv"].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(contacts)))
    assert [(r["telegram_id"], r["phone"]) for r in rows] == [(str(carla.id), "+31687654321")]
    assert str(dirk.id) not in contacts
    mark = await ahmed.mark()
    await ahmed.press("Alles")
    files = await documents(pg, await ahmed.bot_messages(after=mark))
    assert len(files) == 8  # the board's six, and the council's report as PDF and HTML
    for name, content in files.items():
        readable = readable_text(name, content)
        for person in (carla, dirk):
            assert str(person.id) not in readable, name
            assert person.first_name not in readable, name
        assert "+31687654321" not in readable, name

    ada = await admin(pg)
    await ada.send("/export")
    await ada.press("Groen Doorwerth")
    mark = await ada.mark()
    await ada.press("Contactgegevens van wie uitgenodigd wil worden")
    assert f"contacten-{theme.code}.csv" in await documents(pg, await ada.bot_messages(after=mark))
    exports = [
        e for e in await runner.repo.list_audit(limit=50) if e.action.value.endswith("export")
    ]
    assert [(e.action.value, e.actor_id) for e in reversed(exports)] == [
        ("contacts_export", AMBASSADOR_ID),
        ("export", AMBASSADOR_ID),
        ("contacts_export", ADMIN_ID),
    ]


async def test_forged_moderation_data_decides_nothing(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner, _, note_id = await _setup(pg, make_bot)
    mo = await moderator(pg)
    await mo.send("/moderatie")
    for data, expected in (
        (f"md:ok:{note_id}:1", "Dit briefje wacht niet meer"),
        (f"md:ok:{note_id + 50}:0", "Dit briefje wacht niet meer"),
        (f"md:ok:{note_id}:-1", "Dit knopje hoort bij een eerder gesprek"),
        (f"md:ok:{note_id}:0:x", "Dit knopje hoort bij een eerder gesprek"),
        (f"md:h:{note_id}:0:z", "Dit knopje hoort bij een eerder gesprek"),
        (f"md:m:{note_id}:0:w", "Dat gaat niet meer"),  # it is a wish already
        (f"md:d:{note_id}:0:{note_id}", "Dat gaat niet meer"),
        (f"md:d:{note_id}:0:{note_id + 50}", "Dat gaat niet meer"),
        (f"md:rok:{note_id}:0", "Dit knopje hoort bij een eerder gesprek"),
        (f"md:rc:{note_id}:0:3", "Dit knopje hoort bij een eerder gesprek"),
        ("md:all:!!", "Dit knopje hoort bij een eerder gesprek"),
        ("md:nonsense", "Dit knopje hoort bij een eerder gesprek"),
        ("md:ok:99999999999999999999:0", "Dit knopje hoort bij een eerder gesprek"),
    ):
        await _refused(mo, data, expected)
    await _nothing_changed(runner, note_id)
    # The real button still works afterwards.
    await mo.press("✅ Goedkeuren")
    note = await runner.repo.get_note(note_id)
    assert note is not None and note.status == NoteStatus.VISIBLE
    assert MODERATOR_ID in {
        row["moderator_id"] for row in await repo_of(runner).dump_table("moderation_decisions")
    }


async def test_table_cards_and_timeline_export_without_names(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner, theme, _ = await _setup(pg, make_bot)
    table = await runner.repo.create_table(
        theme_id=theme.id,
        title="Moestuin bij de school",
        initiator_name="Henk Initiatief",
        capacity=8,
        what="Samen een moestuin aanleggen",
        ambitions="Groente voor de buurt",
    )
    carla = await pg.new_person(first_name="Carla")
    await runner.repo.ensure_resident(carla.id, "nl")
    await runner.repo.join_table(table.id, carla.id, Commitment.TAKE_PART, "Ik zet koffie", "Carla")
    starts = datetime.now(UTC) + timedelta(days=10)
    await runner.repo.create_moment(
        theme_id=theme.id,
        table_id=table.id,
        kind=MomentKind.MEETING,
        title="Eerste spadesteek",
        starts_at=starts,
        place="Schoolplein",
        remind_theme=False,
        created_by=AMBASSADOR_ID,
        reminders=[],
    )
    ahmed = await staff(pg, "Ahmed", AMBASSADOR_ID)
    await ahmed.send("/export")
    await ahmed.press("Groen Doorwerth")
    labels = (await ahmed.last_bot_message()).button_labels
    assert "Tafelkaarten om te lezen (tekst)" in labels
    assert "Tijdlijn voor je agenda (.ics)" in labels
    mark = await ahmed.mark()
    await ahmed.press("Alles")
    files = await documents(pg, await ahmed.bot_messages(after=mark))
    assert f"tafelkaarten-{theme.code}.md" in files and f"tijdlijn-{theme.code}.ics" in files
    assert len(files) == 10
    cards = files[f"tafelkaarten-{theme.code}.md"].decode("utf-8")
    assert cards.startswith("# Tafelkaarten: Groen Doorwerth\n")
    assert "## Moestuin bij de school" in cards
    assert "- **Wat is het:** Samen een moestuin aanleggen" in cards
    assert "Meedenken: 0 · Meedoen: 1 · Verbinden: 0" in cards
    assert cards.rstrip().splitlines()[-1].startswith("_Tafelkaarten van gemeente Renkum, gemaakt")
    calendar = Calendar.from_ical(files[f"tijdlijn-{theme.code}.ics"])
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Eerste spadesteek"
    assert str(event["LOCATION"]) == "Schoolplein"
    assert abs(event.decoded("DTSTART") - starts) < timedelta(seconds=1)
    for name, content in files.items():
        readable = readable_text(name, content)
        for needle in (str(carla.id), "Carla", "Henk", "koffie", str(AMBASSADOR_ID)):
            assert needle not in readable, (name, needle)
