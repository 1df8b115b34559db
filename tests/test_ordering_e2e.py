"""Ordering end to end: 100 residents x 20 messages, interleaved, all waiting at once.

Every message is queued before the bot fetches the first one, randomly interleaved over the
residents, so the bot sees them mixed and handles 100 chats at full concurrency. Each
resident's messages depend on the ones before: /thema opens the talk, notes need it open,
/cancel closes it, a message after /cancel gets the idle answer, /thema opens it again. Any
message handled out of its turn shows: a note lost or stored where it should not be, an
answer out of place, or the wrong state at the end.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from bot.runner import BotRunner
from playground.formatting import fix_formatted_text
from playground.server import Playground
from storage.models import NoteStatus
from storage.sql_core import SqlCore as SqliteCore
from tests.conftest import BotFactory, add_theme

RESIDENTS = 100
OPENING = "Samen wonen, jong en oud"
WHERE = "Mooi, dank je. Waar hoort dit bij?"
# Quick notes after an unplaced one are asked about together (conversations/village_talk/burst).
QUICK = "Mooi, dank je. Waar horen deze {n} briefjes bij?"
CANCELLED = "Oké, gestopt."
IDLE = "Wil je meepraten? Tik /thema."


def _script(index: int) -> tuple[list[str], list[str], list[str]]:
    """A resident's 20 messages, the answers they should get, the notes they should keep."""
    first = [f"Buur {index}, idee {n}: een bankje & schaduw <3" for n in range(8)]
    second = [f"Buur {index}, later idee {n}" for n in range(8)]
    messages = ["/thema", *first, "/cancel", "Hallo?", "/thema", *second]
    where = [WHERE, *(QUICK.format(n=n) for n in range(2, 9))]
    answers = [OPENING, *where, CANCELLED, IDLE, OPENING, *where]
    return messages, answers, first + second


def _queue(playground: Playground, user_id: int, text: str) -> int:
    state = playground.state
    entities = []
    if text.startswith("/"):
        entities = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    message = state.new_message(
        user_id, from_bot=False, text=fix_formatted_text(text, [], allow_empty=False)
    )
    payload = state.message_json(message)
    if entities:
        payload["entities"] = entities
    return state.queue_update("message", payload)


async def test_one_hundred_residents_twenty_messages_each_interleaved(
    playground: Playground, make_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reads answer after a random little while, as over a network (PostgreSQL) or from a
    # busy disk: handlers then pause between looking at the chat's state and acting on it,
    # and without the per-chat order a later message would act on a state not yet written.
    select = SqliteCore._select
    jitter = random.Random(7)

    async def slow_select(self: SqliteCore, sql: str, params: Any = ()) -> Any:
        await asyncio.sleep(jitter.uniform(0, 0.003))
        return await select(self, sql, params)

    monkeypatch.setattr(SqliteCore, "_select", slow_select)
    # Residents writing this fast would get the slow-down notice; here every answer counts.
    bot: BotRunner = await make_bot(residents={"flood_messages": 100, "flood_seconds": 1})
    await add_theme(bot)
    people = [
        playground.state.add_resident(f"Buur {i}", language_code="nl").id for i in range(RESIDENTS)
    ]
    scripts = {user_id: _script(i) for i, user_id in enumerate(people)}
    # A random interleaving that keeps each resident's own order: one fetch of 100 updates
    # then holds several messages of the same resident, to be handled one after another.
    order = [user_id for user_id in people for _ in range(20)]
    random.Random(11).shuffle(order)
    turns = dict.fromkeys(people, 0)
    update_ids = []
    for user_id in order:
        update_ids.append(_queue(playground, user_id, scripts[user_id][0][turns[user_id]]))
        turns[user_id] += 1

    await asyncio.wait_for(asyncio.gather(*(bot.handled.wait(u) for u in update_ids)), timeout=120)

    for user_id in people:
        _messages, answers, notes = scripts[user_id]
        replies = [
            m.text.text if m.text is not None else ""
            for m in playground.state.history(user_id)
            if m.from_bot
        ]
        assert len(replies) == len(answers), (user_id, replies)
        for got, expected in zip(replies, answers, strict=True):
            assert got.startswith(expected), (user_id, got, expected)
        stored = await bot.repo.list_notes_by_author(user_id)
        # Newest first from storage; ids grow in the order the notes were stored.
        assert [n.text for n in reversed(stored)] == notes
        assert all(n.status == NoteStatus.DRAFT and n.quadrant is None for n in stored)
        state = await bot.repo.get_state(user_id)
        assert (state.flow, state.step) == ("talk", "write")
    assert await bot.repo.inbox_pending() == []
    assert playground.state.stats.errors_4xx == 0
