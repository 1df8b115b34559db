"""Moderators, admins and their bots for end-to-end tests of moderation, roles and exports."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from bot.runner import BotRunner
from playground.client import Person, PlaygroundClient, SentMessage
from tests.conftest import ADMIN_ID, MODERATOR_ID, BotFactory, repo_of

SECOND_MODERATOR = 900005


async def start_bot(pg: PlaygroundClient, make_bot: BotFactory, **sections: Any) -> BotRunner:
    """A bot whose handled updates the client waits for."""
    runner = await make_bot(**sections)
    pg.waiter = lambda update_id: asyncio.wait_for(runner.handled.wait(update_id), 20)
    return runner


async def staff(pg: PlaygroundClient, name: str, user_id: int) -> Person:
    """A role holder who opened the chat (so the bot may write to them)."""
    person = await pg.new_person(first_name=name, user_id=user_id)
    await person.send("/start")
    return person


async def moderator(pg: PlaygroundClient, user_id: int = MODERATOR_ID, name: str = "Mo") -> Person:
    return await staff(pg, name, user_id)


async def admin(pg: PlaygroundClient) -> Person:
    return await staff(pg, "Ada", ADMIN_ID)


async def write_note(person: Person, text: str, quadrant: str) -> None:
    """Write one note in the theme that is open (opens the only theme first)."""
    await person.send("/thema")
    await person.send(text)
    await person.press(quadrant)


async def cards(person: Person, after: int = 0) -> list[SentMessage]:
    """The moderation cards in a chat (messages with an approve button), oldest first."""
    return [m for m in await person.bot_messages(after) if "✅ Goedkeuren" in m.button_labels]


def card_for(messages: list[SentMessage], words: str) -> SentMessage:
    for message in reversed(messages):
        if words in message.content:
            return message
    raise AssertionError(f"no card with {words!r}: {[m.content[:40] for m in messages]}")


async def delivered(bot: BotRunner) -> None:
    """Wait until the outbox has nothing left to send, nor a message on its way."""
    for _ in range(400):
        if await bot.repo.next_due_at() is None and not any(
            row["status"] == "sending" for row in await repo_of(bot).dump_table("outbox")
        ):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not empty")


async def documents(pg: PlaygroundClient, messages: list[SentMessage]) -> dict[str, bytes]:
    """The files among these messages, by file name."""
    found: dict[str, bytes] = {}
    for message in messages:
        if message.document is not None and message.document.file_name:
            found[message.document.file_name] = await pg.file_bytes(message.document.file_id)
    return found


def readable_text(name: str, data: bytes) -> str:
    """What a person could read in an export file, to scan for names and ids."""
    # Only what can hold words: the compressed bytes of a page or of pixels are noise, in
    # which four given letters (or an id's digits) turn up by chance now and then.
    if name.endswith(".pdf"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = "\n".join(page.extract_text() for page in reader.pages)
        return pages + "\n" + repr(dict(reader.metadata or {}))
    if name.endswith(".png"):
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return repr(image.info) + repr(getattr(image, "text", {}))
    return data.decode("utf-8-sig")
