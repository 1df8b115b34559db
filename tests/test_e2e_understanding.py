"""End to end: what the bot understands of what a resident types, and what it says back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.runner import BotRunner
from playground.client import PlaygroundClient
from storage.models import ThemeStatus
from tests.conftest import AMBASSADOR_ID, add_theme
from tests.timeline_support import village_theme

NEWS_ANYWHERE = {
    "nl": "Wil je een berichtje krijgen als er een nieuw thema is in de gemeente?",
    "en": "Would you like a short message when there is a new theme in the municipality?",
}
SKIP = {"nl": "Sla over", "en": "Skip"}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_no_village_no_talk_of_your_village(pg: PlaygroundClient, lang: str) -> None:
    bas = await pg.new_person(first_name="Bas", language_code=lang)
    await bas.send("/start")
    await bas.press(SKIP[lang])
    last = await bas.last_bot_message()
    assert last.text.startswith(NEWS_ANYWHERE[lang])
    assert "dorp" not in last.text and "village" not in last.text
    # Typing instead of tapping asks the same question again, in the same words.
    await bas.send("hmm")
    assert (await bas.last_bot_message()).text.startswith(NEWS_ANYWHERE[lang])


async def test_with_a_village_the_question_names_it(pg: PlaygroundClient) -> None:
    anna = await pg.new_person(first_name="Anna", language_code="nl")
    await anna.send("/start")
    await anna.press("Renkum")
    assert "in jouw dorp" in (await anna.last_bot_message()).text


CLOSED_NO_EDIT = {
    "nl": "Dit thema is afgesloten. Je briefje kun je niet meer aanpassen",
    "en": "This theme is closed. You can no longer change your note",
}
EDIT = {"nl": "Pas aan", "en": "Change"}
BOARD = {"nl": "Bekijk het bord", "en": "See the board"}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_a_note_of_a_closed_theme_stays_as_it_is(
    pg: PlaygroundClient, bot: BotRunner, lang: str
) -> None:
    theme = await add_theme(bot)
    anna = await pg.new_person(first_name="Anna", language_code=lang)
    await anna.send("/thema")
    await anna.send("Meer bankjes")
    await anna.press({"nl": "Wens", "en": "Wish"}[lang])
    (note,) = await bot.repo.list_notes_by_author(anna.id)
    await anna.send("/mijn")
    listing = await anna.last_bot_message()
    await anna.press_data(f"my:n:{note.id}", listing.message_id, forged=False)
    card = await anna.last_bot_message()
    # She asked to change it while the theme was open; then the theme closed.
    await anna.press(EDIT[lang], message_id=card.message_id)
    await bot.repo.set_theme_status(theme.id, ThemeStatus.CLOSED)
    await anna.send("Meer bankjes en een boom")
    refusal = await anna.last_bot_message()
    assert refusal.text.startswith(CLOSED_NO_EDIT[lang])
    assert BOARD[lang] in refusal.button_labels
    # Pressing "change" again is refused straight away.
    await anna.press(EDIT[lang], message_id=card.message_id)
    refusal = await anna.last_bot_message()
    assert refusal.text.startswith(CLOSED_NO_EDIT[lang])
    await anna.press(BOARD[lang])
    (note,) = await bot.repo.list_notes_by_author(anna.id)
    assert note.text == "Meer bankjes"


TALK = {
    "nl": ("Wens", "Nee, liever niet", "Voorbeeld", "klaar!", "Dank je wel voor je bijdrage"),
    "en": ("Wish", "No, thanks", "Example", "Done.", "Thank you for adding to"),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_typing_done_is_pressing_done(
    pg: PlaygroundClient, bot: BotRunner, lang: str
) -> None:
    await add_theme(bot)
    wish, no_invite, example, done, thanks = TALK[lang]
    anna = await pg.new_person(first_name="Anna", language_code=lang)
    await anna.send("/thema")
    await anna.send("Meer bankjes")
    await anna.press(wish)
    await anna.press(no_invite)
    await anna.send("Een moestuin bij de school")
    await anna.press(example)
    await anna.send(done)
    assert (await anna.last_bot_message()).text.startswith(thanks)
    notes = await bot.repo.list_notes_by_author(anna.id)
    assert sorted(n.text for n in notes) == ["Een moestuin bij de school", "Meer bankjes"]


SKIP_TYPED = {"nl": "sla over", "en": "SKIP"}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_typing_skip_is_pressing_skip(
    pg: PlaygroundClient, bot: BotRunner, lang: str
) -> None:
    bas = await pg.new_person(first_name="Bas", language_code=lang)
    await bas.send("/start")
    await bas.send(SKIP_TYPED[lang])
    assert (await bas.last_bot_message()).text.startswith(NEWS_ANYWHERE[lang])
    await bas.send({"nl": "Nee, liever niet", "en": "no thanks"}[lang])
    resident = await bot.repo.get_resident(bas.id)
    assert resident is not None and resident.onboarded and resident.village_key is None


MOMENT = {
    "nl": ("Ontmoeting", "Sla over", "Waar: nog niet bekend", "Zet op de tijdlijn"),
    "en": ("Meeting", "skip", "Where: not known yet", "Put it on the timeline"),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_typing_skip_at_where_leaves_the_place_open(
    pg: PlaygroundClient, bot: BotRunner, lang: str
) -> None:
    kind, skip, where, save = MOMENT[lang]
    theme = await village_theme(bot)
    ahmed = await pg.new_person(first_name="Ahmed", user_id=AMBASSADOR_ID, language_code=lang)
    await ahmed.send("/moment")
    await ahmed.press(theme.title)
    await ahmed.press(kind)
    await ahmed.send("Moestuin inzaaien")
    await ahmed.send((date.today() + timedelta(days=10)).strftime("%d-%m-%Y"))
    await ahmed.send("10:00")
    await ahmed.send("12:00")  # the end
    await ahmed.send(skip)
    preview = await ahmed.last_bot_message()
    assert where in preview.text
    assert "Sla over" not in preview.text and "skip" not in preview.text.casefold()
    await ahmed.press(save)
    (moment,) = await bot.repo.upcoming_moments(datetime.now(UTC), theme_ids=[theme.id])
    assert moment.place == ""


CONTACT = {
    "nl": ("Wens", "Er lijkt een telefoonnummer in je briefje te staan.", "Zo laten", "Weghalen"),
    "en": ("Wish", "Your note seems to hold a phone number.", "Leave it", "Take it out"),
}
PRIVATE = "Bel me op 06-12345678 over de moestuin. Groet, Sanne"


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_a_phone_number_is_asked_about_before_the_note_shows(
    pg: PlaygroundClient, bot: BotRunner, lang: str
) -> None:
    theme = await add_theme(bot)
    wish, asked, keep, take_out = CONTACT[lang]
    sanne = await pg.new_person(first_name="Sanne", language_code=lang)
    await sanne.send("/thema")
    await sanne.send(PRIVATE)
    await sanne.press(wish)
    question = await sanne.last_bot_message()
    assert question.text.startswith(asked)
    assert question.button_labels == [keep, take_out]
    assert await bot.repo.list_notes(theme.id) == []
    await sanne.press(take_out)
    (note,) = await bot.repo.list_notes_by_author(sanne.id)
    assert note.text == "Bel me op […] over de moestuin. Groet, Sanne"
    assert [n.id for n in await bot.repo.list_notes(theme.id)] == [note.id]
    # Kept as it is, a second note shows with its number.
    await sanne.send("Of mail: sanne@example.org")
    await sanne.press(wish)
    await sanne.press(keep)
    texts = {n.text for n in await bot.repo.list_notes(theme.id)}
    assert "Of mail: sanne@example.org" in texts


JOIN = {
    "nl": ("Dit heb ik bij je vorige bericht gezet", "Wens"),
    "en": ("I added this to your previous message", "Wish"),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_a_long_message_in_two_parts_is_one_note(
    pg: PlaygroundClient, bot: BotRunner, lang: str
) -> None:
    theme = await add_theme(bot)
    joined, wish = JOIN[lang]
    first = ("Een lang verhaal over de moestuin. " * 120)[:4096]
    second = "En dan nog het einde van het verhaal."
    sanne = await pg.new_person(first_name="Sanne", language_code=lang)
    await sanne.send("/thema")
    await sanne.send(first)
    await sanne.send(second)
    replies = [m.text for m in await sanne.bot_messages()]
    assert any(r.startswith(joined) for r in replies)
    await sanne.press(wish)
    (note,) = await bot.repo.list_notes_by_author(sanne.id)
    assert note.text is not None and note.text.startswith(first.rstrip())
    assert note.text.endswith(second) and len(note.text) >= 4096 + len(second)
    assert [n.id for n in await bot.repo.list_notes(theme.id)] == [note.id]


async def test_a_phone_number_is_asked_about_when_the_place_was_chosen_first(
    pg: PlaygroundClient, bot: BotRunner
) -> None:
    theme = await add_theme(bot)
    sanne = await pg.new_person(first_name="Sanne", language_code="nl")
    await sanne.send("/thema")
    await sanne.press("Wens")  # the place first, then the words
    await sanne.send(PRIVATE)
    assert (await sanne.last_bot_message()).text.startswith(CONTACT["nl"][1])
    assert await bot.repo.list_notes(theme.id) == []
    await sanne.press("Zo laten")
    (note,) = await bot.repo.list_notes(theme.id)
    assert note.text == PRIVATE
