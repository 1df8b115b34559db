"""Fuzzing: random updates through the real handlers, over HTTP, against the strict playground.

What residents can send, drawn by hypothesis: text in every Unicode plane (emoji, right to
left, combining marks, zero-width characters), up to Telegram's 4,096 and beyond it, with
entities of every kind; commands with odd arguments; edits of earlier messages; photos,
voice notes, stickers, locations, contacts, documents; presses of real buttons and forged
callback data of any characters and any length. After every example:

* nothing went unhandled: no update ended in the error handler;
* the playground accepted every call the bot made (it refuses what Telegram refuses);
* a bystander's notes are exactly as they were, and every note a fuzzing resident has is a
  text that resident sent, unaltered.

In CI the examples are fixed (derandomized) so that a run can be repeated; locally each run
explores new ones (FUZZ_EXAMPLES=500 for a longer run).
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.runner import BotRunner
from conversations.village_talk.writing import CLIENT_SPLIT
from playground.client import Person, PlaygroundClient
from playground.entities import Entity, utf16_len
from playground.formatting import FormattedText, FormattingError, fix_formatted_text
from playground.server import Playground
from storage.models import Note
from tests.conftest import HANDLED_TIMEOUT, add_theme

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
IN_CI = bool(os.environ.get("CI"))

COMMANDS = [
    "start",
    "thema",
    "bord",
    "mijn",
    "help",
    "taal",
    "language",
    "privacy",
    "mijngegevens",
    "stop",
    "cancel",
    "agenda",
    "tafels",
    "nieuwetafel",
    "themas",
    "nieuwthema",
    "bericht",
    "poster",
    "voortgang",
    "afsluiten",
    "moment",
    "moderatie",
    "export",
    "audit",
    "rol",
    "onbekend",
]
PREFIXES = [
    "vt:q:",
    "vt:pre:",
    "vt:open:",
    "vt:done:",
    "vt:inv:",
    "bd:open:",
    "bd:p:",
    "my:",
    "ob:v:",
    "ob:n:",
    "ob:news:",
    "lang:",
    "th:",
    "tl:",
    "tt:",
    "tf:",
    "md:",
    "mr:n:",
    "mr:p:",
    "mr:r:",
    "mr:x:",
    "ex:f:",
    "ex:t:",
    "fg:",
    "ro:",
    "au:",
    "bc:",
]
ENTITY_TYPES = [
    "mention",
    "hashtag",
    "cashtag",
    "bot_command",
    "url",
    "email",
    "phone_number",
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
    "blockquote",
    "code",
    "pre",
    "text_link",
    "custom_emoji",
]

# Every plane; surrogates cannot travel in UTF-8 JSON.
any_char = st.characters(blacklist_categories=["Cs"])
short_text = st.text(any_char, min_size=1, max_size=40)
# Long texts by repetition: up to Telegram's limit and past it.
long_text = st.builds(
    lambda piece, size: (piece * (size // len(piece) + 1))[:size],
    st.text(any_char, min_size=1, max_size=12),
    st.sampled_from([1000, 4095, 4096, 4097, 5000]),
)
texts = st.one_of(short_text, short_text, short_text, long_text)
callback_data = st.one_of(
    st.text(any_char, min_size=0, max_size=80),
    st.builds(
        lambda prefix, tail: prefix + tail,
        st.sampled_from(PREFIXES),
        st.one_of(
            st.integers(-(10**20), 10**20).map(str),
            st.text(any_char, max_size=30),
            st.builds(lambda a, b: f"{a}:{b}", st.integers(0, 10**6), st.text(max_size=3)),
        ),
    ),
)


@st.composite
def entities_for(draw: st.DrawFn, text: str) -> list[Entity]:
    length = utf16_len(text)
    result = []
    for _ in range(draw(st.integers(0, 3))):
        if length == 0:
            break
        offset = draw(st.integers(0, length - 1))
        size = draw(st.integers(1, length - offset))
        kind = draw(st.sampled_from(ENTITY_TYPES))
        extra: dict[str, Any] = {}
        if kind == "text_link":
            extra["url"] = "https://example.org/" + draw(st.text("abc/?=&", max_size=10))
        if kind == "custom_emoji":
            extra["custom_emoji_id"] = str(draw(st.integers(1, 10**18)))
        if kind == "pre" and draw(st.booleans()):
            extra["language"] = "python"
        result.append(Entity(kind, offset, size, **extra))
    return result


@st.composite
def actions(draw: st.DrawFn) -> tuple[str, ...] | tuple[Any, ...]:
    kind = draw(
        st.sampled_from(
            ["text", "text", "text", "raw", "command", "press", "press", "forge", "edit", "media"]
        )
    )
    who = draw(st.integers(0, 1))
    if kind in ("text", "raw"):
        text = draw(texts)
        return (kind, who, text, draw(entities_for(text)))
    if kind == "command":
        name = draw(st.sampled_from(COMMANDS))
        args = draw(st.one_of(st.just(""), short_text.map(lambda a: " " + a)))
        return (kind, who, f"/{name}{args}")
    if kind == "press":
        return (kind, who, draw(st.integers(0, 10**6)))
    if kind == "forge":
        return (kind, who, draw(callback_data), draw(st.integers(0, 10**6)))
    if kind == "edit":
        return (kind, who, draw(short_text), draw(st.integers(0, 10**6)))
    media = draw(st.sampled_from(["photo", "voice", "sticker", "location", "contact", "document"]))
    return (kind, who, media, draw(st.one_of(st.none(), short_text)))


@dataclass
class World:
    playground: Playground
    bot: BotRunner
    pg: PlaygroundClient
    fuzzers: list[Person]
    bystander: Person
    bystander_notes: list[Note]
    sent: dict[int, set[str]] = field(default_factory=dict)


@pytest.fixture
async def world(playground: Playground, bot: BotRunner, pg: PlaygroundClient) -> World:
    await add_theme(bot)
    # Fuzzing residents write far faster than people: no flood control for them here.
    playground.set_limits(chat_rate=10_000, chat_burst=10_000)
    bystander = await pg.new_person(first_name="Bea")
    await bystander.send("/thema")
    for text in ("Een bankje bij de kerk", "Meer groen <b>graag</b> & snel"):
        await bystander.send(text)
        await bystander.press("Wens")
    fuzzers = [
        await pg.new_person(first_name="Fuzz", language_code="nl"),
        await pg.new_person(first_name="Zzuf", language_code="en"),
    ]
    notes = await bot.repo.list_notes_by_author(bystander.id)
    return World(playground, bot, pg, fuzzers, bystander, notes)


async def _handled(world: World, update_id: int) -> None:
    await asyncio.wait_for(world.bot.handled.wait(update_id), HANDLED_TIMEOUT)


def _clean(text: str, entities: list[Entity]) -> FormattedText | None:
    """What Telegram delivers of what a resident typed (None: it delivers nothing)."""
    try:
        formatted = fix_formatted_text(text, entities, allow_empty=False)
    except FormattingError:
        return None
    return formatted if formatted.length <= 4096 else None


async def _act(world: World, action: tuple[Any, ...]) -> None:
    kind, who = action[0], action[1]
    person = world.fuzzers[who]
    state = world.playground.state
    sent = world.sent.setdefault(person.id, set())
    if kind in ("text", "raw"):
        text, entities = action[2], action[3]
        formatted = (
            FormattedText(text, tuple(entities)) if kind == "raw" else _clean(text, entities)
        )
        if formatted is None:
            return
        # Straight into Telegram's queue: a raw text may be longer than Telegram allows.
        message = state.new_message(person.id, from_bot=False, text=formatted)
        sent.add(formatted.text)
        await _handled(world, state.queue_update("message", state.message_json(message)))
    elif kind == "command":
        formatted = _clean(action[2], [])
        if formatted is None or not formatted.text.startswith("/"):
            return
        sent.add(formatted.text)
        await person.send(formatted.text)
    elif kind in ("press", "forge"):
        own = [m for m in state.history(person.id) if m.from_bot and m.inline is not None]
        if not own:
            return
        message = own[action[-1] % len(own)]
        if kind == "press":
            buttons = [b for row in message.inline.rows for b in row if "callback_data" in b]
            if not buttons:
                return
            data = str(buttons[action[2] % len(buttons)]["callback_data"])
        else:
            data = action[2]
        query = state.new_callback(person.id, message.message_id, data)
        update_id = state.queue_update(
            "callback_query",
            {
                "id": query.id,
                "from": state.residents[person.id].user_json(),
                "message": state.message_json(message),
                "chat_instance": state.chat_instance(person.id),
                "data": data,
            },
        )
        await _handled(world, update_id)
    elif kind == "edit":
        mine = [m for m in state.history(person.id) if not m.from_bot and m.text is not None]
        formatted = _clean(action[2], [])
        if not mine or formatted is None:
            return
        message = mine[action[3] % len(mine)]
        if formatted == message.text:
            return
        message.text = formatted
        message.edit_date = state.unix()
        state.touch(message)
        sent.add(formatted.text)
        await _handled(world, state.queue_update("edited_message", state.message_json(message)))
    else:
        media, caption = action[2], action[3]
        if caption is not None:
            formatted = _clean(caption, [])
            caption = None if formatted is None or formatted.length > 1024 else formatted.text
        if caption is not None:
            sent.add(caption)
        send = {
            "photo": lambda: person.send_photo(caption),
            "voice": lambda: person.send_voice(caption=caption),
            "sticker": person.send_sticker,
            "location": person.send_location,
            "contact": person.send_contact,
            "document": lambda: person.send_document(caption=caption),
        }[media]
        await send()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=IN_CI,
    database=None if IN_CI else settings.default.database,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(actions(), min_size=1, max_size=6))
async def test_random_updates_through_the_real_handlers(
    world: World, steps: list[tuple[Any, ...]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        for action in steps:
            await _act(world, action)
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [], failures
    stats = world.playground.state.stats
    assert stats.errors_4xx == 0, [e["description"] for e in stats.errors]
    assert await world.bot.repo.list_notes_by_author(world.bystander.id) == world.bystander_notes
    for person in world.fuzzers:
        sent = world.sent.get(person.id, set())
        # A text Telegram would have cut (4,000+ characters) joins the part after it.
        cut = [text for text in sent if len(text) >= CLIENT_SPLIT]
        for note in await world.bot.repo.list_notes_by_author(person.id):
            if note.text:
                assert note.text in sent or any(note.text.startswith(c) for c in cut), note
