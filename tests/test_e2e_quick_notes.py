"""End to end: quick notes from one resident are asked about once and placed with one tap."""

from __future__ import annotations

import pytest
from telegram import Update

from bot.runner import BotRunner
from playground.client import PlaygroundClient
from playground.server import Playground
from playground.state import PlaygroundState
from storage.models import NoteStatus, Quadrant
from tests.conftest import BotFactory, add_theme
from tests.staff import start_bot

WORDS = {
    "nl": {
        "one": "Waar hoort dit bij?",
        "two": "Waar horen deze 2 briefjes bij?",
        "wish": "Wens",
        "placed": "Je 2 briefjes staan bij de wensen",
        "board": "Wensen 2",
    },
    "en": {
        "one": "Where does this belong?",
        "two": "Where do these 2 notes belong?",
        "wish": "Wish",
        "placed": "Your 2 notes are with the wishes",
        "board": "Wishes 2",
    },
}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_two_quick_notes_are_placed_with_one_tap(
    pg: PlaygroundClient,
    bot: BotRunner,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    words = WORDS[lang]
    theme = await add_theme(bot)
    now = PlaygroundState.unix()
    monkeypatch.setattr(PlaygroundState, "unix", staticmethod(lambda: now))
    sanne = await pg.new_person(first_name="Sanne", language_code=lang)
    await sanne.send("/thema")
    await sanne.send("Een bankje bij de bushalte")
    assert words["one"] in (await sanne.last_bot_message()).text
    await sanne.send("En meer groen op het plein")
    assert words["two"] in (await sanne.last_bot_message()).text
    await sanne.press(words["wish"])
    assert any(words["placed"] in m.text for m in await sanne.bot_messages())
    notes = await bot.repo.list_notes(theme.id)
    assert len(notes) == 2
    assert all(n.quadrant == Quadrant.WISH and n.status == NoteStatus.VISIBLE for n in notes)
    await sanne.send("/bord")
    board = await sanne.last_bot_message()
    assert board.caption is not None and words["board"] in board.caption

    # Fifteen seconds apart, two notes stand alone: each is asked about on its own.
    monkeypatch.setattr(PlaygroundState, "unix", staticmethod(lambda: now + 15))
    await sanne.send("Een speeltuin voor de kleintjes")
    assert words["one"] in (await sanne.last_bot_message()).text
    monkeypatch.setattr(PlaygroundState, "unix", staticmethod(lambda: now + 30))
    await sanne.send("Een moestuin achter de school")
    assert words["one"] in (await sanne.last_bot_message()).text
    await sanne.press(words["wish"])
    mine = await bot.repo.list_notes_by_author(sanne.id)
    waiting = [n.text for n in mine if n.quadrant is None]
    assert waiting == ["Een speeltuin voor de kleintjes"]


async def test_a_quick_note_is_not_asked_twice_when_the_first_waits_for_a_quadrant(
    pg: PlaygroundClient, bot: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    theme = await add_theme(bot)
    now = PlaygroundState.unix()
    monkeypatch.setattr(PlaygroundState, "unix", staticmethod(lambda: now))
    sanne = await pg.new_person(first_name="Sanne", language_code="nl")
    await sanne.send("/thema")
    await sanne.send("Een bankje bij de bushalte")
    await sanne.press("Wens")
    # The first is placed already: the next, quick as it is, gets its own question.
    await sanne.send("Meer groen op het plein")
    assert "Waar hoort dit bij?" in (await sanne.last_bot_message()).text
    await sanne.press("Vraag")
    quadrants = sorted(str(n.quadrant) for n in await bot.repo.list_notes(theme.id))
    assert quadrants == sorted([str(Quadrant.WISH), str(Quadrant.QUESTION)])


async def test_a_note_with_a_phone_number_stays_out_of_the_burst(
    pg: PlaygroundClient, bot: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    theme = await add_theme(bot)
    now = PlaygroundState.unix()
    monkeypatch.setattr(PlaygroundState, "unix", staticmethod(lambda: now))
    sanne = await pg.new_person(first_name="Sanne", language_code="nl")
    await sanne.send("/thema")
    await sanne.send("Bel me op 06 12345678 over het bankje")
    assert "Waar hoort dit bij?" in (await sanne.last_bot_message()).text
    await sanne.send("Meer groen op het plein")
    assert "Waar hoort dit bij?" in (await sanne.last_bot_message()).text
    await sanne.press("Wens")
    placed = [n for n in await bot.repo.list_notes(theme.id) if n.quadrant is not None]
    assert [n.text for n in placed] == ["Meer groen op het plein"]


async def test_a_note_kept_as_me_too_stays_out_of_the_burst(
    pg: PlaygroundClient, bot: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    theme = await add_theme(bot)
    now = PlaygroundState.unix()
    monkeypatch.setattr(PlaygroundState, "unix", staticmethod(lambda: now))
    anna = await pg.new_person(first_name="Anna", language_code="nl")
    await anna.send("/thema")
    await anna.send("Een bankje bij de bushalte")
    await anna.press("Wens")
    bas = await pg.new_person(first_name="Bas", language_code="nl")
    await bas.send("/thema")
    await bas.send("Meer groen op het plein")
    await bas.send("Meer bankjes bij de bus halte graag")
    assert (await bas.last_bot_message()).text.startswith("Lijkt dit op wat je bedoelt?")
    await bas.press("Ja, ik ook")
    await bas.send("Een speeltuin voor de kleintjes")
    assert "Waar horen deze 2 briefjes bij?" in (await bas.last_bot_message()).text
    await bas.press("Wens")
    mine = await bot.repo.list_notes_by_author(bas.id)
    placed = sorted(n.text or "" for n in mine if n.quadrant == Quadrant.WISH)
    assert placed == ["Een speeltuin voor de kleintjes", "Meer groen op het plein"]
    kept = [n.text for n in mine if n.quadrant is None]
    assert kept == ["Meer bankjes bij de bus halte graag"]
    board = await bot.repo.list_notes(theme.id)
    assert len(board) == 3


async def test_a_replayed_update_adds_nothing_to_the_burst(
    pg: PlaygroundClient, bot: BotRunner, playground: Playground, monkeypatch: pytest.MonkeyPatch
) -> None:
    theme = await add_theme(bot)
    now = PlaygroundState.unix()
    monkeypatch.setattr(PlaygroundState, "unix", staticmethod(lambda: now))
    sanne = await pg.new_person(first_name="Sanne", language_code="nl")
    await sanne.send("/thema")
    await sanne.send("Een bankje bij de bushalte")
    second = await sanne.send("Meer groen op het plein")
    # The same update once more, as after a kill -9 before it was marked done.
    message = [m for m in playground.state.history(sanne.id) if not m.from_bot][-1]
    payload = {"update_id": second, "message": playground.state.message_json(message)}
    await bot.app.process_update(Update.de_json(payload, bot.app.bot))
    asked = [m.text for m in await sanne.bot_messages() if "Waar horen deze" in m.text]
    assert len(asked) == 2 and all("deze 2 briefjes" in a for a in asked), asked
    await sanne.press("Wens")
    assert any("Je 2 briefjes staan bij de wensen" in m.text for m in await sanne.bot_messages())
    assert len(await bot.repo.list_notes(theme.id)) == 2


async def test_in_pre_moderation_the_burst_waits_for_a_moderator(
    pg: PlaygroundClient, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "pre"})
    theme = await add_theme(runner)
    now = PlaygroundState.unix()
    monkeypatch.setattr(PlaygroundState, "unix", staticmethod(lambda: now))
    sanne = await pg.new_person(first_name="Sanne", language_code="en")
    await sanne.send("/thema")
    await sanne.send("A bench at the bus stop")
    await sanne.send("More green on the square")
    await sanne.press("Question")
    texts = [m.text for m in await sanne.bot_messages()]
    assert any("A moderator will look at your 2 notes" in t for t in texts), texts
    pending = await runner.repo.list_notes(theme.id, statuses=(NoteStatus.PENDING,))
    assert sorted(n.quadrant == Quadrant.QUESTION for n in pending) == [True, True]


def test_a_text_changed_since_it_was_found_clean_is_looked_at_again() -> None:
    from conversations.village_talk.burst import _CleanTexts

    texts = _CleanTexts(size=2)
    assert texts.clean(1, "Een bankje bij de bushalte")
    assert texts.clean(1, "Een bankje bij de bushalte")
    # Joined or edited after it came in: the new words are read, not the old verdict.
    assert not texts.clean(1, "Een bankje bij de bushalte, bel me: 06-12345678")
    assert texts.clean(2, "Meer groen")
    assert texts.clean(3, "Een pad langs de beek")  # the oldest is forgotten, nothing else
    assert not texts.clean(2, "Mail mij op anna@example.org")
