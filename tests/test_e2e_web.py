"""End to end: a note written on the web pages waits for a moderator even in post mode, the
moderator's card says it came via the website, and once approved in the chat the page shows
it; the writer deletes it from the same browser and it leaves the board."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from playground.client import PlaygroundClient
from playground.server import Playground
from tests.conftest import BotFactory, add_theme
from tests.staff import admin, moderator, start_bot
from tests.test_web import WEB, csrf, open_page, send, url


@pytest.fixture
async def pg(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    """A client without the default bot: the test starts its own, with web pages."""
    async with PlaygroundClient(playground.url) as client:
        yield client


async def test_a_web_note_is_approved_in_the_chat_and_deleted_from_the_browser(
    pg: PlaygroundClient, make_bot: BotFactory
) -> None:
    runner = await start_bot(pg, make_bot, moderation={"mode": "post"}, web=WEB)
    theme = await add_theme(runner)
    address = url(runner, f"/thema/{theme.code}")
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as browser, aiohttp.ClientSession() as other:
        _, page = await open_page(browser, address)
        token = csrf(page)
        data = {"csrf": token, "text": "Een moestuin bij de school", "quadrant": "possibility"}
        _, page = await send(browser, address + "/briefje", data)
        assert "Wacht op een moderator" in page
        _, theirs = await open_page(other, address)
        assert "Een moestuin bij de school" not in theirs

        mo = await moderator(pg)
        await mo.send("/moderatie")
        card = (await mo.bot_messages())[-2]
        assert "Een moestuin bij de school" in card.text and "via de website" in card.text
        await mo.press("✅ Goedkeuren")

        _, theirs = await open_page(other, address)
        assert "Een moestuin bij de school" in theirs
        _, page = await open_page(browser, address)
        assert "Staat op het bord" in page

        # /voortgang counts the web note apart (an admin sees every theme).
        ada = await admin(pg)
        await ada.send("/voortgang")
        await ada.press(theme.title)
        caption = (await ada.last_bot_message()).caption or ""
        assert "Daarvan kwam 1 briefje via de website." in caption

        (note,) = await runner.repo.list_notes(theme.id)
        status, page = await send(browser, url(runner, f"/briefje/{note.id}/verwijder"), data)
        assert status == 200 and "Je briefje is weg." in page
        _, theirs = await open_page(other, address)
        assert "Een moestuin bij de school" not in theirs
