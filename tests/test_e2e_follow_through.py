"""End to end: a table an ambassador says grew from a note is told to that note's writer,
once and only with consent; the closing thank-you names the writer's own table; /vergeet
takes the consent and the links along."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from playground.client import Person, PlaygroundClient, SentMessage
from playground.server import Playground
from storage.models import Consent, NoteKind, NoteStatus, Quadrant, TalkTable
from tests.conftest import AMBASSADOR_ID, BotFactory
from tests.residents import onboard
from tests.timeline_support import (
    Harness,
    ambassador,
    plan_moment,
    settled,
    texts,
    village_theme,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def world(playground: Playground, make_bot: BotFactory, tmp_path: Path) -> Harness:
    harness = Harness(make_bot, tmp_path / "buurtbot.sqlite3", ManualClock(T0))
    await harness.start()
    return harness


@pytest.fixture
async def pg(playground: Playground, world: Harness) -> AsyncIterator[PlaygroundClient]:
    async with PlaygroundClient(playground.url, waiter=world.waiter) as client:
        yield client


async def _first_note(
    person: Person, note: str, *, follow: bool, ask: str, alike: bool = False
) -> None:
    """Write a first note, answer the follow-up question, decline the table invitation;
    alike: the note resembles one on the board, and its writer says it is different."""
    await person.send("/thema")
    await person.send(note)
    if alike:
        english = ask.startswith("Would")
        await person.press("No, my note is different" if english else "Nee, mijn briefje is anders")
    await person.press("Wish" if ask.startswith("Would") else "Wens")
    asked = [m for m in await person.bot_messages() if (m.text or "").startswith(ask)]
    assert len(asked) == 1, [m.text for m in await person.bot_messages()]
    yes, no = asked[0].button_labels
    await person.press(yes if follow else no, message_id=asked[0].message_id)
    await person.press(no)  # the table invitation


_THEME = "Samen wonen, jong en oud"


async def _set_up_table(ahmed: Person, title: str, *labels: str) -> tuple[int, str]:
    """Set up a table grown from these notes or groups; return the save button's message
    and data."""
    await ahmed.send("/nieuwetafel")
    await ahmed.press(_THEME)
    await ahmed.send(title)
    for _ in range(6):  # initiator, capacity, what, ambitions, agreements, working
        last = await ahmed.last_bot_message()
        if "Waar komt deze tafel uit voort?" in last.text:
            break
        await ahmed.press("Geen maximum" if "Geen maximum" in last.button_labels else "Sla over")
    assert (await ahmed.last_bot_message()).text.startswith("Waar komt deze tafel uit voort?")
    for label in labels:
        await ahmed.press(label)
    await ahmed.press("Klaar" if labels else "Sla over")
    preview = await ahmed.last_bot_message()
    data = preview.button("Opslaan").callback_data
    assert data is not None
    await ahmed.press("Opslaan")
    return preview.message_id, data


async def test_the_consenting_writer_hears_once_and_the_closing_names_her_table(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    emma = await onboard(pg, "Emma", village=None, news=False, neighbourhood="Skip", language="en")
    await _first_note(anna, "Een repair café in het dorpshuis", follow=True, ask="Wil je horen wat")
    await _first_note(bas, "Een bankje bij de kerk", follow=False, ask="Wil je horen wat")
    await _first_note(emma, "A bench by the church too", follow=True, ask="Would you like to hear")
    assert (await bot.repo.get_consents(anna.id))[Consent.FOLLOW_UP]
    assert not (await bot.repo.get_consents(bas.id))[Consent.FOLLOW_UP]

    ahmed = await ambassador(pg)
    save = await _set_up_table(ahmed, "Repair Café Doorwerth", "Een repair café in het dorpshuis")
    # Save pressed again (a tap that arrives twice) makes no second table, no second message.
    message_id, data = save
    await ahmed.press_data(data, message_id)  # its keyboard is gone: only a forged tap
    assert len(await bot.repo.list_tables([theme.id])) == 1
    await _set_up_table(ahmed, "Bankjes", "Een bankje bij de kerk")
    await _set_up_table(ahmed, "Benches", "A bench by the church too")
    await settled(world.bot)

    heard = await texts(anna, "kreeg een vervolg")
    assert heard == [
        "Je briefje ‘Een repair café in het dorpshuis’ kreeg een vervolg: gesprekstafel "
        "Repair Café Doorwerth. Er is nog geen datum gepland. Kijk met /tafels of je mee wilt doen."
    ]
    assert await texts(bas, "kreeg een vervolg") == []
    assert len(await texts(emma, "got a follow-up: conversation table Benches")) == 1

    # Queued again (a second save of the same links) or after a restart: nothing twice.
    from bot.services.follow_through import queue_follow_up

    table = (await bot.repo.list_tables([theme.id]))[0]
    assert await queue_follow_up(bot.repo, table, T0, bot.config.municipality.tz) == 0
    await world.restart()
    await settled(world.bot)
    assert len(await texts(anna, "kreeg een vervolg")) == 1

    await ahmed.send("/afsluiten")
    await ahmed.press(theme.title)
    await ahmed.press("Ja, sluit af")
    # The theme's broadcast is due by the storage's wall clock, not the test's ManualClock.
    await world.at(datetime.now(UTC))
    anna_thanks = await texts(anna, "Dank je wel voor het meepraten")
    assert len(anna_thanks) == 1
    assert "Uit jouw briefjes kwam:\n• gesprekstafel Repair Café Doorwerth" in anna_thanks[0]
    bas_thanks = await texts(bas, "Dank je wel voor het meepraten")
    assert len(bas_thanks) == 1 and "Uit jouw briefjes" not in bas_thanks[0]
    emma_thanks = await texts(emma, "What came of your notes:")
    assert len(emma_thanks) == 1 and "conversation table Benches" in emma_thanks[0]


async def test_follow_up_in_mijn_mijngegevens_and_gone_after_vergeet(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    await _first_note(anna, "Een repair café", follow=False, ask="Wil je horen wat")
    # Asked once per resident: a first note in another theme does not ask again.
    other = await village_theme(bot, title="Groen in het dorp")
    await anna.send("/thema")
    await anna.press(other.title)
    await anna.send("Meer bomen langs de weg")
    await anna.press("Wens")
    assert len(await texts(anna, "Wil je horen wat er met je briefjes gebeurt?")) == 1
    await anna.send("/mijn")
    assert await texts(anna, "Horen wat er met je briefjes gebeurt: nee")
    await anna.press("Wel horen wat er met mijn briefjes gebeurt")
    assert (await bot.repo.get_consents(anna.id))[Consent.FOLLOW_UP]
    await anna.send("/mijngegevens")
    assert await texts(anna, "Horen wat er met je briefjes gebeurt: ja")

    ahmed = await ambassador(pg)
    await _set_up_table(ahmed, "Repair Café Doorwerth", "Een repair café")
    table = (await bot.repo.list_tables([theme.id]))[0]
    assert len(await bot.repo.table_note_ids(table.id)) == 1
    await settled(world.bot)
    assert len(await texts(anna, "kreeg een vervolg")) == 1

    await anna.send("/vergeet")
    await anna.press("Ja, wis alles")
    assert not (await bot.repo.get_consents(anna.id))[Consent.FOLLOW_UP]
    assert await bot.repo.table_note_ids(table.id) == []
    assert await bot.repo.follow_up_writers(table.id) == []


# -- several notes or a group, in the set-up and on the card ---------------------------------


async def _picker(ahmed: Person) -> SentMessage:
    """The picker as the ambassador sees it now."""
    for message in reversed(await ahmed.bot_messages()):
        if message.content.startswith("Waar komt deze tafel uit voort?"):
            return message
    raise AssertionError("no picker shown")


def _callback_sizes(message: SentMessage) -> list[int]:
    return [len((b.callback_data or "").encode()) for row in message.buttons for b in row]


async def _table(world: Harness, title: str) -> TalkTable:
    tables = [t for t in await world.bot.repo.list_tables([1]) if t.title == title]
    assert len(tables) == 1
    return tables[0]


async def test_a_group_and_a_note_picked_over_pages_each_writer_hears_once(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    theme = await village_theme(bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    carla = await onboard(pg, "Carla", village="Doorwerth", news=False)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    emma = await onboard(pg, "Emma", village=None, news=False, neighbourhood="Skip", language="en")
    await _first_note(anna, "Een bankje bij de bushalte", follow=True, ask="Wil je horen wat")
    await _first_note(
        carla, "Bankjes bij de bushalte graag", follow=True, ask="Wil je horen wat", alike=True
    )
    await _first_note(bas, "Een repair café in het dorpshuis", follow=False, ask="Wil je horen")
    await _first_note(emma, "More trees along the road", follow=True, ask="Would you like to")
    # Enough other notes on the board for a second page of the picker.
    for number in range(7):
        await bot.repo.add_note(
            theme_id=theme.id,
            author_id=None,
            kind=NoteKind.TEXT,
            text=f"Idee nummer {number} voor {['de', 'het', 'een'][number % 3]} {number * 'x'}dorp",
            file_id=None,
            quadrant=Quadrant.WISH,
            status=NoteStatus.VISIBLE,
            source_update_id=None,
        )

    ahmed = await ambassador(pg)
    await ahmed.send("/nieuwetafel")
    await ahmed.press(_THEME)
    await ahmed.send("Bankjes in het dorp")
    for _ in range(6):
        last = await ahmed.last_bot_message()
        if last.content.startswith("Waar komt deze tafel uit voort?"):
            break
        await ahmed.press("Geen maximum" if "Geen maximum" in last.button_labels else "Sla over")
    picker = await _picker(ahmed)
    # The group /voortgang shows comes first, labelled by its shared words; then notes alone.
    assert picker.button_labels[0] == "Groep: bankje · bushalte (2)"
    assert "Nog niets gekozen." in picker.content
    assert "Bladzijde 1 van 2" in picker.content
    assert picker.button_labels[-2:] == ["Volgende ▶", "Sla over"]
    assert max(_callback_sizes(picker)) <= 64
    await ahmed.press("Groep: bankje · bushalte (2)")
    picker = await _picker(ahmed)
    assert picker.button_labels[0] == "✓ Groep: bankje · bushalte (2)"
    both = "• ‘Een bankje bij de bushalte’\n• ‘Bankjes bij de bushalte graag’"
    assert f"Gekozen: 2 briefjes\n{both}" in picker.content
    # A button of the earlier one-note step (tf:w:origin:<id>) picks nothing: the picker
    # is drawn again as it is.
    await ahmed.press_data("tf:w:origin:1", picker.message_id)
    again = await _picker(ahmed)
    assert again.message_id != picker.message_id and f"Gekozen: 2 briefjes\n{both}" in again.content
    # A note on the next page; back and forth keeps what was picked.
    await ahmed.press("Volgende ▶")
    picker = await _picker(ahmed)
    assert "Bladzijde 2 van 2" in picker.content and "Gekozen: 2 briefjes" in picker.content
    await ahmed.press("◀ Vorige")
    assert "Zoeken? Typ een paar woorden." in (await _picker(ahmed)).content
    # Typed words search the notes; Alles tonen shows every page again.
    await ahmed.send("tree")
    picker = await _picker(ahmed)
    assert "Gezocht op ‘tree’: 1 gevonden." in picker.content
    assert picker.button_labels == ["More trees along the road", "Alles tonen", "Klaar"]
    await ahmed.press("More trees along the road")
    await ahmed.send("zwembad")
    assert "Niets gevonden voor ‘zwembad’." in (await _picker(ahmed)).content
    await ahmed.press("Alles tonen")
    assert "Bladzijde 1 van 2" in (await _picker(ahmed)).content
    await ahmed.press("Volgende ▶")
    await ahmed.press("Een repair café in het dorpshuis")
    await ahmed.press("✓ Een repair café in het dorpshuis")  # tapped again: taken off
    picker = await _picker(ahmed)
    assert "Gekozen: 3 briefjes" in picker.content and "repair" not in picker.content
    assert picker.button_labels[-1] == "Klaar"
    await ahmed.press("Klaar")
    preview = await ahmed.last_bot_message()
    card = (await ahmed.bot_messages())[-2].content
    assert f"Komt voort uit:\n{both}\n• ‘More trees along the road’" in card
    assert "Andere briefjes kiezen" in preview.button_labels
    # From the preview the picker comes back with the same notes; done leads to the preview.
    await ahmed.press("Andere briefjes kiezen")
    assert "Gekozen: 3 briefjes" in (await _picker(ahmed)).content
    await ahmed.press("Klaar")
    assert (await ahmed.last_bot_message()).text.startswith("Klopt het zo?")
    await ahmed.press("Opslaan")
    await settled(bot)

    table = await _table(world, "Bankjes in het dorp")
    linked = await bot.repo.table_note_ids(table.id)
    assert len(linked) == 3
    assert len(await texts(anna, "kreeg een vervolg: gesprekstafel Bankjes in het dorp")) == 1
    assert len(await texts(carla, "kreeg een vervolg: gesprekstafel Bankjes in het dorp")) == 1
    assert await texts(emma, "got a follow-up: conversation table Bankjes in het dorp") == [
        "Your note ‘More trees along the road’ got a follow-up: conversation table Bankjes in "
        "het dorp. No date is planned yet. See /tafels if you'd like to join."
    ]
    assert await texts(bas, "kreeg een vervolg") == []


async def _open_links(ahmed: Person, title: str) -> SentMessage:
    """From /tafels to the card's "Uit welke briefjes"."""
    await ahmed.send("/tafels")
    await ahmed.press(title)
    await ahmed.press("Pas de tafelkaart aan")
    await ahmed.press("Uit welke briefjes")
    return await _picker(ahmed)


async def test_the_card_links_and_unlinks_notes_and_nobody_hears_twice(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    await village_theme(bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    carla = await onboard(pg, "Carla", village="Doorwerth", news=False)
    bas = await onboard(pg, "Bas", village="Doorwerth", news=False)
    await _first_note(anna, "Een repair café in het dorpshuis", follow=True, ask="Wil je horen")
    await _first_note(carla, "Meer bomen langs de weg", follow=True, ask="Wil je horen wat")
    await _first_note(bas, "Een jeu de boules baan", follow=False, ask="Wil je horen wat")
    ahmed = await ambassador(pg)
    await _set_up_table(ahmed, "Samen doen", "Een repair café in het dorpshuis")
    await settled(bot)
    assert len(await texts(anna, "kreeg een vervolg")) == 1

    # Anna's note off, Carla's and Bas's on: the read-back says so before anything is saved.
    picker = await _open_links(ahmed, "Samen doen")
    assert "✓ Een repair café in het dorpshuis" in picker.button_labels
    await ahmed.press("✓ Een repair café in het dorpshuis")
    await ahmed.press("Meer bomen langs de weg")
    await ahmed.send("jeu de boules")  # a search on the card's picker too
    assert "Gezocht op ‘jeu de boules’: 1 gevonden." in (await _picker(ahmed)).content
    await ahmed.press("Een jeu de boules baan")
    await ahmed.press("Klaar")
    readback = (await ahmed.last_bot_message()).content
    assert readback == (
        "Gesprekstafel Samen doen komt dan voort uit:\n"
        "• ‘Meer bomen langs de weg’ (nieuw)\n"
        "• ‘Een jeu de boules baan’ (nieuw)\n\n"
        "Weggehaald: 1 briefje.\n\n"
        "Zo opslaan? Wie een nieuw gekozen briefje schreef en erom vroeg, hoort het één keer."
    )
    table = await _table(world, "Samen doen")
    assert len(await bot.repo.table_note_ids(table.id)) == 1  # nothing saved yet
    # Aanpassen goes back to the picker with the same notes picked.
    await ahmed.press("Aanpassen")
    assert "Gekozen: 2 briefjes" in (await _picker(ahmed)).content
    await ahmed.press("Klaar")
    await ahmed.press("Opslaan")
    await settled(bot)
    assert "Opgeslagen." in (await ahmed.last_bot_message()).content
    assert len(await bot.repo.table_note_ids(table.id)) == 2
    assert len(await texts(carla, "kreeg een vervolg: gesprekstafel Samen doen")) == 1
    assert await texts(bas, "kreeg een vervolg") == []

    # Anna's note linked again, and a second note of Carla's: nobody hears a second time.
    await carla.send("/thema")
    await carla.send("Een moestuin bij de school")
    await carla.press("Wens")
    picker = await _open_links(ahmed, "Samen doen")
    await ahmed.press("Een repair café in het dorpshuis")
    await ahmed.press("Een moestuin bij de school")
    await ahmed.press("Klaar")
    await ahmed.press("Opslaan")
    await settled(bot)
    assert len(await bot.repo.table_note_ids(table.id)) == 4
    assert len(await texts(anna, "kreeg een vervolg")) == 1
    assert len(await texts(carla, "kreeg een vervolg")) == 1
    # A resident is not an ambassador: a forged tap opens no picker and changes nothing.
    last = await carla.last_bot_message()
    await carla.press_data(f"tf:nts:{table.id}", last.message_id)
    await carla.press_data(
        f"tf:og:t:n{(await bot.repo.table_note_ids(table.id))[0]}", last.message_id
    )
    assert (await bot.repo.get_state(carla.id)).flow != "table"
    assert not [m for m in await carla.bot_messages() if "Waar komt deze tafel" in m.content]
    assert len(await bot.repo.table_note_ids(table.id)) == 4


_REPAIR = "Repair Café"


async def test_the_message_names_the_tables_next_moment_in_the_writers_language(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    await village_theme(bot)
    anna = await onboard(pg, "Anna", village="Doorwerth", news=False)
    emma = await onboard(pg, "Emma", village=None, news=False, neighbourhood="Skip", language="en")
    await _first_note(anna, "Een repair café in het dorpshuis", follow=True, ask="Wil je horen")
    await _first_note(emma, "More trees along the road", follow=True, ask="Would you like to")
    ahmed = await ambassador(pg)
    await _set_up_table(ahmed, "Repair Café")
    await plan_moment(
        ahmed,
        _THEME,
        title="Eerste avond",
        day="14-11-2026",
        clock_time="19:30",
        table="Repair Café",
    )
    await _open_links(ahmed, "Repair Café")
    await ahmed.press("Een repair café in het dorpshuis")
    await ahmed.press("More trees along the road")
    await ahmed.press("Klaar")
    await ahmed.press("Opslaan")
    await settled(bot)
    assert await texts(anna, "kreeg een vervolg") == [
        "Je briefje ‘Een repair café in het dorpshuis’ kreeg een vervolg: gesprekstafel "
        "Repair Café, op zaterdag 14 november 2026 om 19:30. Kijk met /tafels of je mee wilt doen."
    ]
    assert await texts(emma, "got a follow-up") == [
        "Your note ‘More trees along the road’ got a follow-up: conversation table Repair Café, "
        "on Saturday 14 November 2026 at 19:30. See /tafels if you'd like to join."
    ]
    # A moment planned later, and the links saved again: no second follow-up (once per
    # person per table, by the outbox's dedupe key).
    await plan_moment(
        ahmed,
        _THEME,
        title="Tweede avond",
        day="21-11-2026",
        clock_time="19:30",
        table="Repair Café",
    )
    await _open_links(ahmed, "Repair Café")
    await ahmed.press("Klaar")
    await ahmed.press("Opslaan")
    await world.at(T0 + timedelta(minutes=5))
    assert len(await texts(anna, "kreeg een vervolg")) == 1
    assert len(await texts(emma, "got a follow-up")) == 1


async def test_the_picker_and_the_read_back_speak_the_ambassadors_language(
    pg: PlaygroundClient, world: Harness
) -> None:
    bot = world.bot
    await village_theme(bot)
    emma = await onboard(pg, "Emma", village=None, news=False, neighbourhood="Skip", language="en")
    fay = await onboard(pg, "Fay", village=None, news=False, neighbourhood="Skip", language="en")
    await _first_note(emma, "A bench by the church", follow=True, ask="Would you like to")
    await _first_note(
        fay, "Benches by the church please", follow=True, ask="Would you like to", alike=True
    )
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID, language_code="en")
    await ahmed.send("/start")
    await ahmed.send("/nieuwetafel")
    await ahmed.press(_THEME)
    await ahmed.send("Benches")
    for _ in range(6):
        last = await ahmed.last_bot_message()
        if last.content.startswith("What did this table grow from?"):
            break
        await ahmed.press("No maximum" if "No maximum" in last.button_labels else "Skip")
    picker = await ahmed.last_bot_message()
    assert "Nothing picked yet." in picker.content
    assert picker.button_labels == ["Group: bench · church (2)", "Skip"]
    await ahmed.press("Group: bench · church (2)")
    picker = await ahmed.last_bot_message()
    assert "Picked: 2 notes\n• ‘A bench by the church’\n• ‘Benches by the church please’" in (
        picker.content
    )
    assert picker.button_labels == ["✓ Group: bench · church (2)", "Done"]
    await ahmed.press("Done")
    card = (await ahmed.bot_messages())[-2].content
    assert "Grew from:\n• ‘A bench by the church’\n• ‘Benches by the church please’" in card
    assert "Pick other notes" in (await ahmed.last_bot_message()).button_labels
    await ahmed.press("Save")
    await settled(bot)
    assert len(await texts(emma, "got a follow-up: conversation table Benches")) == 1
    assert len(await texts(fay, "got a follow-up: conversation table Benches")) == 1

    # On the card: the group taken off again, read back before saving.
    await ahmed.send("/tafels")
    await ahmed.press("Benches")
    await ahmed.press("Change the table card")
    await ahmed.press("Which notes")
    await ahmed.press("✓ Group: bench · church (2)")
    await ahmed.press("Done")
    assert (await ahmed.last_bot_message()).content == (
        "Conversation table Benches will then have grown from no note.\n\n"
        "Taken off: 2 notes.\n\n"
        "Save it like this? Whoever wrote a newly picked note and asked to hear, hears it once."
    )
    await ahmed.press("Save")
    assert (await ahmed.last_bot_message()).content.startswith("Saved. Now everyone can see")
    table = await _table(world, "Benches")
    assert await bot.repo.table_note_ids(table.id) == []
