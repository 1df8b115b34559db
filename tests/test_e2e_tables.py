"""End to end: an ambassador sets up a conversation table, invites who asked for it,
residents join with each kind of commitment, the waiting list moves up, the card lives."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from storage.models import Consent
from tests.conftest import BotFactory
from tests.residents import onboard
from tests.timeline_support import Harness, ambassador, settled, texts, village_theme

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
async def world(playground: Playground, make_bot: BotFactory, tmp_path: Path) -> Harness:
    harness = Harness(make_bot, tmp_path / "buurtbot.sqlite3", ManualClock(T0))
    await harness.start()
    return harness


@pytest.fixture
async def pg(playground: Playground, world: Harness) -> AsyncIterator[PlaygroundClient]:
    async with PlaygroundClient(playground.url, waiter=world.waiter) as client:
        yield client


async def _talk(person: Person, note: str, *, invite: bool) -> None:
    """A resident writes a note in the village talk and answers the invitation question."""
    await person.send("/thema")
    await person.send(note)
    await person.press("Wens")
    await person.press("Ja, graag" if invite else "Nee, liever niet")


async def test_table_from_card_to_invitations_commitments_and_waiting_list(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    carla = await onboard(pg, "Carla", village="Doorwerth", news=False)
    dirk = await onboard(pg, "Dirk", village="Doorwerth", news=False)
    eva = await onboard(pg, "Eva", village="Doorwerth", news=False)
    for person, note in ((anna, "Een repair café"), (bas, "Fietsen maken"), (carla, "Kleding")):
        await _talk(person, note, invite=True)
    await _talk(dirk, "Een bankje bij de kerk", invite=False)
    # Eva asked for invitations in /mijn but never took part in this theme.
    await eva.send("/mijn")
    await eva.press("Wel uitnodigingen")
    assert (await bot.repo.get_consents(eva.id))[Consent.CONTACT]

    ahmed = await ambassador(pg)
    await ahmed.send("/nieuwetafel")
    await ahmed.press(theme.title)
    assert (await ahmed.last_bot_message()).text.startswith("Hoe heet de gesprekstafel?")
    await ahmed.send("Repair Café Doorwerth")
    await ahmed.send("Marja de Vries")
    await ahmed.send("twee")  # not a number
    assert (await ahmed.bot_messages())[-2].text.startswith("Schrijf een getal van 1 tot 500")
    await ahmed.send("2")
    await ahmed.send("Samen spullen repareren in het dorpshuis.")
    await ahmed.send("Minder weggooien & elkaar leren kennen <3")
    await ahmed.press("Sla over")  # follow-up agreements: none yet
    await ahmed.send("Elke eerste zaterdag van de maand.")
    assert (await ahmed.last_bot_message()).text.startswith("Waar komt deze tafel uit voort?")
    await ahmed.press("Sla over")
    preview = (await ahmed.bot_messages())[-2]
    assert preview.text.startswith("Repair Café Doorwerth\nGesprekstafel bij Samen wonen")
    assert "Initiatiefnemer: Marja de Vries" in preview.text
    assert "Minder weggooien & elkaar leren kennen <3" in preview.text
    assert "Vervolgafspraken\nnog niet ingevuld" in preview.text
    assert "Nog niemand. Jij kunt de eerste zijn!" in preview.text
    await ahmed.press("Opslaan")
    card = await ahmed.last_bot_message()
    assert "Plaatsen: 0 van 2 bezet" in card.text
    assert "Nodig bewoners uit" in card.button_labels

    # Invitations reach exactly who wrote for the theme and asked to be invited.
    await ahmed.press("Nodig bewoners uit")
    confirm = await ahmed.last_bot_message()
    assert "gaat naar 3 bewoners die daarom vroegen." in confirm.text
    await ahmed.press("Verstuur")
    await settled(bot)
    assert (await ahmed.last_bot_message()).text.startswith("Verstuurd: 3 uitnodigingen.")
    for person in (anna, bas, carla):
        invitation = [
            m for m in await person.bot_messages() if "Je vroeg om een uitnodiging" in m.content
        ]
        assert len(invitation) == 1, person
        assert "Repair Café Doorwerth" in invitation[0].text
        assert invitation[0].button_labels == ["Meedenken", "Meedoen", "Verbinden"]
        # Each way to join is explained before it is chosen (issue 13, point 20).
        assert "• Verbinden: je brengt de tafel in contact met andere initiatieven" in (
            invitation[0].text
        )
    for person in (dirk, eva):
        assert await texts(person, "uitnodiging voor het vervolg") == [], person
    # Inviting again sends nobody a second one.
    await ahmed.press("Nodig bewoners uit", message_id=card.message_id)
    await ahmed.press("Verstuur")
    await settled(bot)
    assert (await ahmed.last_bot_message()).text.startswith(
        "Er ging geen nieuwe uitnodiging uit: iedereen had er al een."
    )

    # Meedoen, with a line, name shown.
    await anna.press("Meedoen")
    assert "Wat wil je doen?" in (await anna.last_bot_message()).text
    await anna.send("Ik repareer fietsen")
    assert (await anna.last_bot_message()).text.startswith(
        "Mogen de anderen aan deze tafel je voornaam (Anna) zien?"
    )
    await anna.press("Ja, toon Anna")
    assert (await anna.last_bot_message()).text.startswith(
        "Je doet mee met Repair Café Doorwerth. Dank je!"
    )
    # Meedenken, no line, name not shown.
    await bas.press("Meedenken")
    await bas.press("Sla over")
    await bas.press("Nee, liever niet")
    assert (await bas.last_bot_message()).text.startswith("Je denkt mee met Repair Café Doorwerth.")
    # Verbinden: the table is full, so the waiting list.
    await carla.press("Verbinden")
    await carla.send("Met de kledingbank")
    await carla.press("Ja, toon Carla")
    assert (await carla.last_bot_message()).text.startswith(
        "Deze tafel is vol. Je staat op de wachtlijst, plek 1."
    )
    assert (await bot.repo.get_consents(anna.id))[Consent.SHOW_NAME]
    assert not (await bot.repo.get_consents(bas.id))[Consent.SHOW_NAME]

    # Members see first names only of who agreed; the others are counted.
    await anna.send("/tafels")
    await anna.press("Repair Café Doorwerth (je doet mee)")
    seen = (await anna.last_bot_message()).text
    assert "• Anna: meedoen, Ik repareer fietsen" in seen
    assert "Bas" not in seen and "Carla" not in seen
    assert "Meedenken: 1 · Meedoen: 1 · Verbinden: 0" in seen
    assert "Plaatsen: 2 van 2 bezet, 1 op de wachtlijst" in seen
    # Someone not at the table sees the counts, no names.
    await dirk.send("/tafels")
    await dirk.press("Repair Café Doorwerth")
    outside = await dirk.last_bot_message()
    assert "Anna" not in outside.text and "Meedoen: 1" in outside.text
    assert outside.button_labels[:3] == ["Meedenken", "Meedoen", "Verbinden"]

    # Bas leaves; the first on the waiting list moves up and is told.
    await bas.send("/tafels")
    await bas.press("Repair Café Doorwerth (je doet mee)")
    await bas.press("Stop met deze tafel")
    await bas.press("Ja, ik stop")
    assert (await bas.last_bot_message()).text.startswith("Je doet niet meer mee")
    await settled(bot)
    moved = await texts(carla, "Goed nieuws: er is een plek vrij")
    assert moved == [
        "Goed nieuws: er is een plek vrij aan de gesprekstafel Repair Café Doorwerth."
        " Je verbindt de tafel nu met andere initiatieven."
    ]
    await anna.send("/tafels")
    await anna.press("Repair Café Doorwerth (je doet mee)")
    seen = (await anna.last_bot_message()).text
    assert "• Carla: verbinden, Met de kledingbank" in seen
    assert "Meedenken: 0 · Meedoen: 1 · Verbinden: 1" in seen

    # The four B's count the table and its commitments.
    await ahmed.send("/voortgang")
    await ahmed.press(theme.title)
    chart = await ahmed.last_bot_message()
    assert chart.caption is not None
    assert "Beschikbaar: 1 gesprekstafel, 2 toezeggingen" in chart.caption
    stats = await pg.stats()
    assert stats.errors_4xx == 0, stats.error_descriptions


async def test_the_card_lives_and_members_get_one_digest(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    table = await bot.repo.create_table(
        theme_id=theme.id,
        title="Moestuin De Bongerd",
        initiator_name="Marja",
        capacity=None,
        what="Samen groenten kweken.",
    )
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    marja = await pg.new_person(first_name="Marja")
    ahmed = await ambassador(pg)

    # The ambassador sends the initiator her link; opening it makes her the initiator.
    await ahmed.send("/tafels")
    await ahmed.press("Moestuin De Bongerd")
    await ahmed.press("Link voor de initiatiefnemer")
    link = (await ahmed.last_bot_message()).text
    match = re.search(r"\?start=(tf_[a-z0-9]+)", link or "")
    assert match is not None, link
    await marja.send(f"/start {match.group(1)}")
    assert (await marja.bot_messages())[-2].text.startswith(
        "Welkom! Jij bent de initiatiefnemer van Moestuin De Bongerd."
    )
    assert "Pas de tafelkaart aan" in (await marja.last_bot_message()).button_labels
    # The link works once: someone else opening it does not take over.
    await anna.send(f"/start {match.group(1)}")
    assert (await anna.last_bot_message()).text.startswith(
        "Deze tafel heeft al een initiatiefnemer."
    )

    for person in (anna, bas):
        await person.send("/tafels")
        await person.press("Moestuin De Bongerd")
        await person.press("Meedoen")
        await person.press("Sla over")
        await person.press("Nee, liever niet")
    # A member who is not the initiator cannot edit, even with forged data.
    last = await anna.last_bot_message()
    await anna.press_data(f"tf:ed:{table.id}", last.message_id)
    refusal = await anna.callback_answer()
    assert refusal is not None and refusal.text is not None
    assert refusal.text.startswith("Alleen de initiatiefnemer en de gebiedsambassadeur")

    # Three edits: two by the initiator, one by the ambassador.
    await marja.send("/tafels")
    await marja.press("Moestuin De Bongerd (je doet mee)")
    await marja.press("Pas de tafelkaart aan")
    await marja.press("Ambities")
    await marja.send("Elke week verse groenten voor de voedselbank.")
    assert (await marja.last_bot_message()).text.startswith("Opgeslagen. De leden krijgen straks")
    await marja.press("Nog iets aanpassen")
    await marja.press("Vervolgafspraken")
    await marja.send("Zaterdag 10:00 zaaien.")
    await ahmed.send("/tafels")
    await ahmed.press("Moestuin De Bongerd")
    await ahmed.press("Pas de tafelkaart aan")
    await ahmed.press("Werkwijze")
    await ahmed.send("Een appgroep en één keer per maand samen.")

    # Nothing yet: the digest waits for the edits to settle.
    await world.at(T0 + timedelta(minutes=5))
    for person in (anna, bas, marja):
        assert await texts(person, "is bijgewerkt") == [], person
    await world.at(T0 + timedelta(minutes=11))
    expected = (
        "✏️ De tafelkaart van Moestuin De Bongerd is bijgewerkt:"
        " ambities, vervolgafspraken en werkwijze."
    )
    for person in (anna, bas, marja):
        assert await texts(person, "is bijgewerkt") == [expected], person
    assert await texts(ahmed, "is bijgewerkt") == []  # not a member
    # Later runs and a restart send nothing again.
    await world.at(T0 + timedelta(hours=2))
    await world.restart()
    await world.at(T0 + timedelta(hours=3))
    for person in (anna, bas, marja):
        assert len(await texts(person, "is bijgewerkt")) == 1, person
    # The card shows the new texts.
    await anna.send("/tafels")
    await anna.press("Moestuin De Bongerd (je doet mee)")
    card = (await anna.last_bot_message()).text or ""
    assert "Elke week verse groenten voor de voedselbank." in card
    assert "Een appgroep en één keer per maand samen." in card
    assert (await pg.stats()).errors_4xx == 0


async def test_a_superscript_two_as_capacity_gets_a_kind_answer_in_both_languages(
    pg: PlaygroundClient, world: Harness
) -> None:
    theme = await village_theme(world.bot)
    ahmed = await ambassador(pg)
    await ahmed.send("/nieuwetafel")
    await ahmed.press(theme.title)
    await ahmed.send("Repair Café Doorwerth")
    await ahmed.send("Marja de Vries")
    await ahmed.send("²")  # str.isdigit() says yes, int() says no
    answers = [m.text or "" for m in await ahmed.bot_messages()]
    assert any(a.startswith("Schrijf een getal van 1 tot 500") for a in answers[-2:]), answers
    assert not any("er ging bij mij iets mis" in a for a in answers)
    await ahmed.send(" 3 ")
    assert "Wat is het initiatief" in (await ahmed.last_bot_message()).content

    await ahmed.send("/taal")
    await ahmed.press("English")
    await ahmed.send("/nieuwetafel")
    await ahmed.press(theme.title)
    await ahmed.send("Repair Café")
    await ahmed.send("Marja")
    await ahmed.send("①")
    answers = [m.text or "" for m in await ahmed.bot_messages()]
    assert any(a.startswith("Please write a number from 1 to 500") for a in answers[-2:]), answers
    assert not any("went wrong" in a for a in answers)
