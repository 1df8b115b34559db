"""Updates of different chats run side by side; updates of one chat run in arrival order."""

from __future__ import annotations

import asyncio
import random

from telegram import Chat, Message, Update

from bot.ordering import ChatOrderedProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat))  # type: ignore[arg-type]


async def test_one_chat_in_order_many_chats_at_once() -> None:
    processor = ChatOrderedProcessor(limit=64)
    log: list[tuple[int, int]] = []
    running = 0
    most_at_once = 0

    async def handle(update: Update) -> None:
        nonlocal running, most_at_once
        running += 1
        most_at_once = max(most_at_once, running)
        # Later updates of a chat sleep less: without ordering they would overtake.
        await asyncio.sleep(random.uniform(0, 0.01) + (200 - update.update_id) * 0.0001)
        assert update.effective_chat is not None
        log.append((update.effective_chat.id, update.update_id))
        running -= 1

    updates = [_update(i, chat_id=i % 5) for i in range(200)]
    async with processor:
        await asyncio.gather(*(processor.process_update(u, handle(u)) for u in updates))
    for chat_id in range(5):
        seen = [update_id for chat, update_id in log if chat == chat_id]
        assert seen == sorted(seen)
        assert len(seen) == 40
    assert most_at_once > 1


async def test_the_limit_holds_and_hooks_run_after_each_update() -> None:
    processor = ChatOrderedProcessor(limit=3)
    running = 0
    most_at_once = 0
    done: list[int] = []

    async def handle() -> None:
        nonlocal running, most_at_once
        running += 1
        most_at_once = max(most_at_once, running)
        await asyncio.sleep(0.005)
        running -= 1

    async def after(update: object) -> None:
        assert isinstance(update, Update)
        done.append(update.update_id)

    processor.add_after_hook(after)
    updates = [_update(i, chat_id=i) for i in range(20)]
    async with processor:
        await asyncio.gather(*(processor.process_update(u, handle()) for u in updates))
    assert most_at_once == 3
    assert sorted(done) == list(range(20))
