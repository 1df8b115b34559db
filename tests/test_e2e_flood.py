"""One resident must not slow everyone (issue 12, point 6), played with Telegram's pace per chat.

The playground refuses a chat more than 1 message a second after a burst of 20 (429,
retry_after 5), as Telegram does; the bot runs its production pace and a strict flood guard.
The one place in the suite where a test bounds a latency, as the issue asks: each is
measured against a baseline taken in the same test, on the same (possibly loaded) machine.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import services_of
from bot.core.config import FloodConfig
from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient
from playground.server import Playground
from storage.models import NewMessage
from tests.conftest import HANDLED_TIMEOUT, BotFactory, add_theme

# The production pace; the guard somewhat stricter than production, so the flood settles soon.
STRICT = dataclasses.asdict(FloodConfig()) | {"updates": 10, "seconds": 10}
FLOOD = 200
OUTBOX = 40


@pytest.fixture
async def bot(playground: Playground, make_bot: BotFactory) -> BotRunner:
    playground.set_limits(chat_rate=1.0, chat_burst=20, retry_after=5)
    return await make_bot(flood=STRICT)


@pytest.fixture
async def pg(playground: Playground, bot: BotRunner) -> AsyncIterator[PlaygroundClient]:
    async def handled(update_id: int) -> None:
        await asyncio.wait_for(bot.handled.wait(update_id), HANDLED_TIMEOUT)

    async with PlaygroundClient(playground.url, waiter=handled) as client:
        yield client


async def _help_latency(person: Person) -> float:
    """Seconds from sending /help until the bot has answered it."""
    mark = await person.mark()
    started = time.perf_counter()
    await person.send("/help")
    await person.wait_for_reply(after=mark, timeout=10)
    return time.perf_counter() - started


async def _outbox_send(
    playground: Playground, bot: BotRunner, people: list[Person], text: str
) -> float:
    """Seconds from queuing one message for each person until all of them have it."""
    started = time.perf_counter()
    await bot.repo.enqueue([NewMessage(p.id, text) for p in people])
    services_of(bot.app).outbox_changed()

    def arrived() -> int:
        return sum(
            any(m.text is not None and text in m.text.text for m in playground.state.history(p.id))
            for p in people
        )

    async with asyncio.timeout(60):
        # The playground's own state, read in this process: nothing to wait on but time.
        while arrived() < len(people):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    return time.perf_counter() - started


async def _flood(playground: Playground, fien: Person, message_id: int) -> tuple[int, int]:
    """200 messages, commands and button presses from one account within a second.

    Returns the number of notes among them and the last update's id.
    """
    notes = 0
    async with PlaygroundClient(playground.url) as raw:  # no waiting for the bot
        calls: list[Any] = []
        for i in range(FLOOD):
            if i % 3 == 0:
                calls.append(raw.send_message(fien.id, text=f"Briefje {i}"))
                notes += 1
            elif i % 3 == 1:
                calls.append(raw.send_message(fien.id, text="/help"))
            else:
                calls.append(raw.press_button(fien.id, message_id, data=f"x{i}", forged=True))
        sent = await asyncio.gather(*calls)
    return notes, max(queued.update_id for queued in sent)


async def test_one_flooding_resident_slows_nobody(
    playground: Playground, pg: PlaygroundClient, bot: BotRunner
) -> None:
    theme = await add_theme(bot)
    fien = await pg.new_person(first_name="Fien")
    await fien.send("/thema")
    talk = await fien.last_bot_message()
    bram = await pg.new_person(first_name="Bram")
    readers = [await pg.new_person(first_name=f"Lezer {i}") for i in range(OUTBOX)]
    await _help_latency(bram)  # Bram is known to the bot from here on

    # Alone: how fast /help is answered and 40 messages leave, on this machine now.
    help_alone = statistics.median([await _help_latency(bram) for _ in range(3)])
    outbox_alone = await _outbox_send(playground, bot, readers, "Nieuws alleen")
    await asyncio.sleep(2)  # the readers' chats earn their tokens back
    await pg.reset_stats()

    flooding = asyncio.ensure_future(_flood(playground, fien, talk.message_id))
    await asyncio.sleep(0.2)  # the flood is under way
    help_flood = [await _help_latency(bram) for _ in range(3)]
    outbox_flood = await _outbox_send(playground, bot, readers, "Nieuws tijdens de vloed")
    notes, last_update = await flooding

    print(f"/help alone {help_alone:.3f} s, in the flood {help_flood}; 40 messages alone")
    print(f"{outbox_alone:.2f} s, in the flood {outbox_flood:.2f} s")
    assert max(help_flood) < 0.5, (help_alone, help_flood)
    assert outbox_flood <= 2 * outbox_alone, (outbox_alone, outbox_flood)

    # The flood settles: every note Fien wrote is stored, one notice said why it went quiet.
    async with asyncio.timeout(60):
        # One chat's updates are handled in order: the last one handled, all are.
        await bot.handled.wait(last_update)
    stored = await bot.repo.list_notes_by_author(fien.id)
    assert len(stored) == notes and {n.theme_id for n in stored} == {theme.id}
    replies = await fien.bot_messages(after=talk.message_id)
    notices = [m for m in replies if "heel veel" in m.content]
    assert len(notices) == 1
    assert len(replies) < 20  # not ~200
    stats = await pg.stats()
    assert stats.violations == 0  # no call for a chat during its ban
    assert stats.too_many_requests == 0  # the bot kept to the pace by itself
