"""End to end: the timeline. Moments typed in Dutch, the nights the clocks change, calendar
files, who comes, and reminders that never go missing or double: across restarts, while
the bot was down, and when a moment moves or is cancelled. The clock is a ManualClock."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.core.clock import ManualClock
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from tests.conftest import BotFactory
from tests.residents import onboard
from tests.timeline_support import (
    Harness,
    ambassador,
    plan_moment,
    settled,
    texts,
    village_theme,
)

AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 2 November 2026, 10:00 in Doorwerth


def local(*parts: int) -> datetime:
    """A time on the municipality's clock, as a UTC instant."""
    return datetime(*parts, tzinfo=AMS).astimezone(UTC)


@pytest.fixture
async def world(playground: Playground, make_bot: BotFactory, tmp_path: Path) -> Harness:
    harness = Harness(make_bot, tmp_path / "buurtbot.sqlite3", ManualClock(T0))
    await harness.start()
    return harness


@pytest.fixture
async def pg(playground: Playground, world: Harness) -> AsyncIterator[PlaygroundClient]:
    async with PlaygroundClient(playground.url, waiter=world.waiter) as client:
        yield client


async def _answer(person: Person, title: str, button: str) -> None:
    """Open the moment from /agenda and say whether one comes."""
    await person.send("/agenda")
    await person.press(next(label for label in await _agenda_buttons(person) if title in label))
    await person.press(button)


async def _agenda_buttons(person: Person) -> list[str]:
    return (await person.last_bot_message()).button_labels


async def _calendar(pg: PlaygroundClient, person: Person) -> Calendar:
    message = await person.last_bot_message()
    assert message.document is not None
    return Calendar.from_ical(await pg.file_bytes(message.document.file_id))


async def test_a_moment_typed_in_dutch_answers_and_calendar_files(
    pg: PlaygroundClient, world: Harness
) -> None:
    theme = await village_theme(world.bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    ahmed = await ambassador(pg)
    await anna.send("/thema")
    await anna.send("Een feest om af te sluiten")
    await anna.press("Wens")

    await ahmed.send("/moment")
    await ahmed.press(theme.title)
    await ahmed.press("Slotbijeenkomst")
    await ahmed.send("Feest: wat hebben we bereikt?")
    await ahmed.send("31 februari")  # no such day
    assert (await ahmed.bot_messages())[-2].text.startswith("Die datum begreep ik niet.")
    assert (await ahmed.last_bot_message()).text.startswith("Op welke dag is het?")
    await ahmed.send("1 november 2026")  # yesterday
    assert (await ahmed.bot_messages())[-2].text.startswith("Die dag is al geweest.")
    await ahmed.send("zaterdag 14 november")
    await ahmed.send("half acht")
    assert (await ahmed.bot_messages())[-2].text.startswith("Die tijd begreep ik niet.")
    await ahmed.send("19.30")
    assert (await ahmed.last_bot_message()).text.startswith(
        "Hoe laat is het afgelopen? Schrijf een tijd na 19:30, bijvoorbeeld 21:30."
    )
    await ahmed.send("18:00")  # before it starts
    assert (await ahmed.bot_messages())[-2].text.startswith("Het begint om 19:30.")
    await ahmed.send("22:00")
    await ahmed.send("Dorpshuis De Bongerd")
    summary = await ahmed.last_bot_message()
    assert summary.text.startswith("Feest: wat hebben we bereikt?\nSlotbijeenkomst · Thema:")
    assert "zaterdag 14 november 2026 om 19:30" in summary.text
    assert "Herinneringen gaan naar: wie zegt te komen" in summary.text
    await ahmed.press("Zet op de tijdlijn")
    card = await ahmed.last_bot_message()
    assert "Komen: 0 · Komen niet: 0" in card.text
    # One closing meeting per theme.
    await ahmed.send("/moment")
    await ahmed.press(theme.title)
    await ahmed.press("Slotbijeenkomst")
    assert (await ahmed.last_bot_message()).text.startswith("Er is al een slotbijeenkomst")
    await ahmed.send("/cancel")

    # Who took part in the theme hears of the moment, and can answer right there.
    await ahmed.press("Laat het de deelnemers weten")
    assert (await ahmed.last_bot_message()).text.startswith(
        "Een bericht over dit moment gaat naar 1 bewoner."
    )
    await ahmed.press("Verstuur")
    await settled(world.bot)
    [news] = [m for m in await anna.bot_messages() if "Nieuw op de tijdlijn" in m.content]
    assert "Feest: wat hebben we bereikt?\nzaterdag 14 november 2026 om 19:30" in news.text
    assert "Waar: Dorpshuis De Bongerd" in news.text
    assert news.button_labels == ["Ik kom", "Ik kom niet"]
    await anna.press("Ik kom", message_id=news.message_id)
    answered = await anna.message(news.message_id)
    assert answered.text.endswith("Jij komt. Je krijgt vooraf een herinnering.")
    assert await texts(bas, "Nieuw op de tijdlijn") == []  # he wrote nothing for the theme

    await bas.send("/agenda")
    agenda = await bas.last_bot_message()
    assert agenda.text.startswith(
        "Op de tijdlijn\n• za 14 nov 19:30: Feest: wat hebben we bereikt?"
    )
    await _answer(bas, "Feest", "Ik kom niet")
    await _answer(bas, "Feest", "Ik kom")  # changed his mind
    await _answer(bas, "Feest", "Ik kom niet")

    await ahmed.send("/agenda")
    await ahmed.press("za 14 nov 19:30 · Feest: wat hebben we bereikt?")
    assert "Komen: 1 · Komen niet: 1" in (await ahmed.last_bot_message()).text

    # The moment as a calendar file, read back with icalendar.
    await anna.press("Zet in je agenda (.ics)")
    calendar = await _calendar(pg, anna)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Feest: wat hebben we bereikt?"
    assert str(event["location"]) == "Dorpshuis De Bongerd"
    start = event.decoded("dtstart")
    assert start == datetime(2026, 11, 14, 19, 30, tzinfo=AMS)
    assert start.utcoffset() == timedelta(hours=1)
    # The end the ambassador gave, and a UID that names this installation.
    assert event.decoded("dtend") == datetime(2026, 11, 14, 22, 0, tzinfo=AMS)
    assert str(event["uid"]).endswith("@renkum.buurtbot"), event["uid"]
    assert calendar.walk("VTIMEZONE"), "the zone's rules travel with the file"
    # And the whole agenda.
    await plan_moment(ahmed, theme.title, title="Moestuin inzaaien", day="7-11", clock_time="10:00")
    await anna.send("/agenda")
    await anna.press("Hele agenda als bestand (.ics)")
    events = (await _calendar(pg, anna)).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Moestuin inzaaien",
        "Feest: wat hebben we bereikt?",
    ]
    assert (await pg.stats()).errors_4xx == 0


async def test_reminders_on_the_nights_the_clocks_change(
    pg: PlaygroundClient, world: Harness
) -> None:
    theme = await village_theme(world.bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    ahmed = await ambassador(pg)

    # Autumn: the clocks go back in the night of Saturday 24 to Sunday 25 October 2026.
    world.clock.set(local(2026, 10, 20, 12, 0))
    await plan_moment(
        ahmed, theme.title, title="Herfstwandeling", day="25 oktober", clock_time="10:00"
    )
    await _answer(anna, "Herfstwandeling", "Ik kom")
    await world.at(local(2026, 10, 24, 9, 59))
    assert await texts(anna, "Herinnering") == []
    await world.at(local(2026, 10, 24, 10, 0))  # a day before, at the same hour on the clock
    reminders = await texts(anna, "Herinnering")
    assert reminders == [
        "⏰ Herinnering: Herfstwandeling\nzondag 25 oktober 2026 om 10:00\nWaar: nog niet bekend"
    ]
    await world.at(local(2026, 10, 25, 7, 59))
    assert len(await texts(anna, "Herinnering")) == 1
    await world.at(local(2026, 10, 25, 8, 0))  # two hours before
    assert len(await texts(anna, "Herinnering")) == 2

    # Spring: the clocks go forward in the night of Saturday 27 to Sunday 28 March 2027.
    world.clock.set(local(2027, 3, 20, 12, 0))
    await ahmed.send("/moment")
    await ahmed.press(theme.title)
    await ahmed.press("Actie")
    await ahmed.send("Lentepoets")
    await ahmed.send("28 maart")
    await ahmed.send("2:30")  # this hour is skipped that night
    assert (await ahmed.bot_messages())[-2].text == (
        "Om 02:30 bestaat niet op 28 maart 2027: die nacht gaat de klok een uur vooruit."
        " Kies een andere tijd."
    )
    await ahmed.send("10:00")
    await ahmed.press("Ongeveer 2 uur")
    await ahmed.send("Het dorpsplein")
    assert "zondag 28 maart 2027 om 10:00" in (await ahmed.last_bot_message()).text
    await ahmed.press("Zet op de tijdlijn")
    await _answer(anna, "Lentepoets", "Ik kom")
    await world.at(local(2027, 3, 27, 9, 59))
    assert await texts(anna, "Herinnering: Lentepoets") == []
    await world.at(local(2027, 3, 27, 10, 0))
    assert len(await texts(anna, "Herinnering: Lentepoets")) == 1
    await world.at(local(2027, 3, 28, 7, 59))
    assert len(await texts(anna, "Herinnering: Lentepoets")) == 1
    await world.at(local(2027, 3, 28, 8, 0))
    assert len(await texts(anna, "Herinnering: Lentepoets")) == 2


async def test_reminders_across_restarts_and_while_the_bot_was_down(
    pg: PlaygroundClient, world: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    theme = await village_theme(world.bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    ahmed = await ambassador(pg)
    # A table moment: members are reminded without answering.
    await world.bot.repo.create_table(
        theme_id=theme.id, title="Buurtborrel", initiator_name="Anna", capacity=None
    )
    await bas.send("/tafels")
    await bas.press("Buurtborrel")
    await bas.press("Meedenken")
    await bas.press("Sla over")
    await bas.press("Nee, liever niet")
    await plan_moment(
        ahmed,
        theme.title,
        table="Buurtborrel",
        title="Borrel bij Bas",
        day="donderdag 5 november",
        clock_time="19:00",
    )
    await plan_moment(
        ahmed,
        theme.title,
        table="Het hele thema",
        title="Schoonmaak",
        day="4-11",
        clock_time="10:00",
    )
    await _answer(anna, "Schoonmaak", "Ik kom")

    # A restart before anything is due changes nothing.
    await world.restart()
    await world.at(local(2026, 11, 3, 9, 59))
    assert await texts(anna, "Herinnering") == []
    # Schoonmaak's day-before reminder, after the restart, once.
    await world.at(local(2026, 11, 3, 10, 0))
    assert await texts(anna, "Herinnering: Schoonmaak") != []
    await world.restart()
    await world.at(local(2026, 11, 3, 10, 30))
    assert len(await texts(anna, "Herinnering: Schoonmaak")) == 1

    # The bot is down from Tuesday evening until Wednesday 20:00. Schoonmaak began at 10:00
    # on Wednesday: its two-hour reminder is useless now, dropped. The borrel's day-before
    # reminder (Wednesday 19:00) is an hour late but the borrel is tomorrow: sent late.
    await world.stop()
    caplog.clear()
    world.clock.set(local(2026, 11, 4, 20, 0))
    with caplog.at_level(logging.INFO, logger="conversations.reminders"):
        await world.start()
        await settled(world.bot)
    assert len(await texts(anna, "Herinnering: Schoonmaak")) == 1
    late = await texts(bas, "Herinnering: Borrel bij Bas")
    assert late == [
        "⏰ Herinnering: Borrel bij Bas\ndonderdag 5 november 2026 om 19:00\nWaar: nog niet bekend"
    ]
    assert await texts(anna, "Borrel") == []  # not at the table, did not answer
    logged = [r.getMessage() for r in caplog.records]
    assert any("dropped" in m and "began" in m for m in logged), logged
    assert any("sent 60 min late" in m for m in logged), logged

    # The borrel's two-hour reminder, then restarts and later runs: nothing twice.
    await world.at(local(2026, 11, 5, 17, 0))
    assert len(await texts(bas, "Herinnering: Borrel bij Bas")) == 2
    await world.restart()
    await world.at(local(2026, 11, 5, 18, 30))
    await world.restart()
    await world.at(local(2026, 11, 6, 12, 0))
    assert len(await texts(bas, "Herinnering: Borrel bij Bas")) == 2
    assert len(await texts(anna, "Herinnering: Schoonmaak")) == 1
    # The four B's: both moments were held.
    await ahmed.send("/voortgang")
    await ahmed.press(theme.title)
    caption = (await ahmed.last_bot_message()).caption or ""
    assert "2 momenten geweest" in caption


async def test_a_moved_and_a_cancelled_moment(pg: PlaygroundClient, world: Harness) -> None:
    theme = await village_theme(world.bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    carla = await onboard(pg, "Carla", village="Doorwerth", news=False)
    ahmed = await ambassador(pg)
    await plan_moment(
        ahmed,
        theme.title,
        title="Dorpsfeest",
        day="14 november",
        clock_time="15:00",
        place="Het plein",
    )
    await _answer(anna, "Dorpsfeest", "Ik kom")
    await _answer(bas, "Dorpsfeest", "Ik kom")
    await _answer(carla, "Dorpsfeest", "Ik kom niet")

    # Moving: those who come are told, the reminders move along.
    await ahmed.send("/agenda")
    await ahmed.press("za 14 nov 15:00 · Dorpsfeest")
    await ahmed.press("Verplaats")
    await ahmed.send("21 november")
    await ahmed.send("15:00")
    confirm = await ahmed.last_bot_message()
    assert confirm.text == (
        "Verplaatsen naar zaterdag 21 november 2026 om 15:00?"
        " 2 bewoners die zeiden te komen krijgen bericht."
    )
    await ahmed.press("Ja, verplaats")
    await settled(world.bot)
    notice = "📅 Verplaatst: Dorpsfeest is nu zaterdag 21 november 2026 om 15:00.\nWaar: Het plein"
    for person in (anna, bas):
        assert await texts(person, "Verplaatst") == [notice], person
    assert await texts(carla, "Verplaatst") == []
    await world.at(local(2026, 11, 13, 15, 0))  # the old day-before time
    assert await texts(anna, "Herinnering") == []
    await world.at(local(2026, 11, 20, 15, 0))  # the new one
    for person in (anna, bas):
        assert await texts(person, "Herinnering: Dorpsfeest") == [
            "⏰ Herinnering: Dorpsfeest\nzaterdag 21 november 2026 om 15:00\nWaar: Het plein"
        ], person
    assert await texts(carla, "Herinnering") == []

    # Cancelling: those who come are told, no reminder goes out any more.
    await ahmed.send("/agenda")
    await ahmed.press("za 21 nov 15:00 · Dorpsfeest")
    await ahmed.press("Annuleer")
    await ahmed.press("Ja, annuleer")
    assert (await ahmed.last_bot_message()).text.startswith(
        "Geannuleerd. 2 bewoners krijgen bericht."
    )
    await settled(world.bot)
    for person in (anna, bas):
        assert await texts(person, "gaat niet door") == [
            "Helaas: Dorpsfeest (zaterdag 21 november 2026 om 15:00) gaat niet door."
        ], person
    await world.at(local(2026, 11, 21, 13, 0))
    await world.at(local(2026, 11, 22, 12, 0))
    assert len(await texts(anna, "Herinnering: Dorpsfeest")) == 1
    await anna.send("/agenda")
    assert (await anna.last_bot_message()).text.startswith("Er staan nog geen momenten")
    assert (await pg.stats()).errors_4xx == 0
