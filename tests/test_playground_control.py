"""The control API and its client: residents act only as a person in Telegram can."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator

import pytest
from PIL import Image
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from playground import Playground, PlaygroundClient
from playground.client import PlaygroundError

TOKEN = "123456789:AAE" + "x" * 32
KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Ja", callback_data="answer:yes")],
        [InlineKeyboardButton("Nee", callback_data="answer:no")],
        [InlineKeyboardButton("Website", url="https://www.example.org/")],
    ]
)


@pytest.fixture
async def playground() -> AsyncIterator[Playground]:
    async with Playground(token=TOKEN) as pg:
        yield pg


@pytest.fixture
async def bot(playground: Playground) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN, base_url=f"{playground.url}/bot", base_file_url=f"{playground.url}/file/bot"
    ) as instance:
        yield instance


@pytest.fixture
async def client(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    async with PlaygroundClient(playground.url) as pg:
        yield pg


async def next_updates(bot: Bot, count: int = 1) -> list[Update]:
    """Fetch and confirm the next ``count`` updates."""
    updates = list(await bot.get_updates(timeout=2))
    assert len(updates) == count, updates
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates


async def test_users_get_ids_from_1000001(client: PlaygroundClient) -> None:
    first = await client.create_user("Anna", language_code="nl")
    second = await client.create_user("Bram", last_name="de Vries", username="bramdv")
    assert (first.id, second.id) == (1_000_001, 1_000_002)
    chosen = await client.create_user("Cas", user_id=42)
    assert chosen.id == 42
    with pytest.raises(PlaygroundError) as caught:
        await client.create_user("Dirk", user_id=42)
    assert caught.value.status == 409
    with pytest.raises(PlaygroundError):
        await client.create_user("")
    assert (await client.user(second.id)).username == "bramdv"


async def test_commands_get_a_bot_command_entity(bot: Bot, client: PlaygroundClient) -> None:
    anna = await client.new_person("Anna")
    await anna.send("/start@buurtbot_demo_bot hallo")
    await anna.send("Stuur /help voor hulp")
    first, second = await next_updates(bot, 2)
    assert first.message is not None and second.message is not None
    assert first.message.text == "/start@buurtbot_demo_bot hallo"
    assert [(e.type, e.offset, e.length) for e in first.message.entities] == [
        ("bot_command", 0, 24)
    ]
    assert first.message.from_user is not None
    assert first.message.from_user.language_code == "nl"
    assert first.message.chat.type == "private"
    assert [(e.type, e.offset) for e in second.message.entities] == [("bot_command", 6)]


async def test_pressing_only_what_the_bot_shows(bot: Bot, client: PlaygroundClient) -> None:
    anna = await client.new_person("Anna")
    sent = await bot.send_message(anna.id, "Doe je mee?", reply_markup=KEYBOARD)

    with pytest.raises(PlaygroundError) as caught:
        await client.press_button(anna.id, sent.message_id, label="Misschien")
    assert "'Ja', 'Nee', 'Website'" in caught.value.message
    with pytest.raises(PlaygroundError):
        await client.press_button(anna.id, sent.message_id, data="answer:maybe")
    with pytest.raises(AssertionError, match=r"sees no button 'Misschien'.*'Ja', 'Nee'"):
        await anna.press("Misschien")
    with pytest.raises(AssertionError, match=r"opens https://www.example.org/"):
        await anna.press("Website")

    await anna.press("nee")  # labels match case-insensitively as a fallback
    (update,) = await next_updates(bot)
    query = update.callback_query
    assert query is not None
    assert query.data == "answer:no"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert query.from_user.id == anna.id
    assert query.chat_instance

    # Once the keyboard is gone, its buttons cannot be pressed.
    await bot.edit_message_reply_markup(anna.id, sent.message_id)
    with pytest.raises(PlaygroundError, match=r"no inline keyboard"):
        await client.press_button(anna.id, sent.message_id, label="Ja")


async def test_forged_press_sends_any_data(bot: Bot, client: PlaygroundClient) -> None:
    anna = await client.new_person("Anna")
    sent = await bot.send_message(anna.id, "Geen knoppen")
    await anna.press_data("admin:wipe", sent.message_id)
    (update,) = await next_updates(bot)
    assert update.callback_query is not None
    assert update.callback_query.data == "admin:wipe"


async def test_resident_media_can_be_fetched(bot: Bot, client: PlaygroundClient) -> None:
    anna = await client.new_person("Anna")
    await anna.send_photo("De kapotte lantaarnpaal")
    await anna.send_voice(duration=4)
    await anna.send_sticker("🎉")
    await anna.send_document("klacht.pdf", "application/pdf")
    photo, voice, sticker, document = await next_updates(bot, 4)

    assert photo.message is not None
    assert photo.message.caption == "De kapotte lantaarnpaal"
    largest = photo.message.photo[-1]
    assert (largest.width, largest.height) == (800, 600)
    file = await largest.get_file()
    data = bytes(await file.download_as_bytearray())
    assert data == await client.file_bytes(largest.file_id)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (800, 600)

    assert voice.message is not None and voice.message.voice is not None
    assert voice.message.voice.to_dict()["duration"] == 4
    voice_file = await voice.message.voice.get_file()
    assert (await voice_file.download_as_bytearray()).startswith(b"OggS")
    assert sticker.message is not None and sticker.message.sticker is not None
    assert sticker.message.sticker.emoji == "🎉"
    assert document.message is not None and document.message.document is not None
    assert document.message.document.file_name == "klacht.pdf"
    pdf = await document.message.document.get_file()
    assert (await pdf.download_as_bytearray()).startswith(b"%PDF")


async def test_location_and_contact(bot: Bot, client: PlaygroundClient) -> None:
    anna = await client.new_person("Anna", last_name="Jansen")
    await anna.send_location(53.2, 6.56)
    await anna.send_contact("+31611112222")
    location, contact = await next_updates(bot, 2)
    assert location.message is not None and location.message.location is not None
    assert location.message.location.latitude == pytest.approx(53.2)
    assert contact.message is not None and contact.message.contact is not None
    assert contact.message.contact.user_id == anna.id
    assert contact.message.contact.phone_number == "+31611112222"
    assert contact.message.contact.last_name == "Jansen"


async def test_edited_message_updates(bot: Bot, client: PlaygroundClient) -> None:
    anna = await client.new_person("Anna")
    await anna.send("De lamp is stuk")
    assert anna.last_message_id is not None
    await anna.edit(anna.last_message_id, "De lamp in de Dorpsstraat is stuk")
    original, edited = await next_updates(bot, 2)
    assert edited.edited_message is not None
    assert edited.edited_message.message_id == anna.last_message_id
    assert edited.edited_message.text == "De lamp in de Dorpsstraat is stuk"
    assert edited.edited_message.edit_date is not None
    assert original.message is not None

    with pytest.raises(PlaygroundError, match=r"already has this text"):
        await anna.edit(anna.last_message_id, "De lamp in de Dorpsstraat is stuk")
    reply = await bot.send_message(anna.id, "Dank je")
    with pytest.raises(PlaygroundError, match=r"the bot's"):
        await anna.edit(reply.message_id, "gehackt")


async def test_block_queues_my_chat_member(bot: Bot, client: PlaygroundClient) -> None:
    anna = await client.new_person("Anna")
    await anna.block()
    with pytest.raises(PlaygroundError, match=r"has blocked the bot"):
        await anna.send("hallo?")
    await anna.unblock()
    blocked, unblocked = await next_updates(bot, 2)
    assert blocked.my_chat_member is not None
    assert blocked.my_chat_member.old_chat_member.status == "member"
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    assert blocked.my_chat_member.new_chat_member.user.id == bot.id
    assert unblocked.my_chat_member is not None
    assert unblocked.my_chat_member.new_chat_member.status == "member"
    # Blocking twice changes nothing and queues nothing.
    await anna.block()
    assert await client.set_blocked(anna.id, True) is None


async def test_chat_view(bot: Bot, client: PlaygroundClient) -> None:
    anna = await client.new_person("Anna")
    await anna.send("hoi")
    mark = await anna.mark()
    sent = await bot.send_message(
        anna.id, "<i>Kies</i> &amp; klaar", parse_mode="HTML", reply_markup=KEYBOARD
    )
    await bot.delete_message(anna.id, sent.message_id)
    second = await bot.send_message(anna.id, "Nog eens", reply_markup=KEYBOARD)
    replies = await anna.replies_since(mark)
    assert [m.message_id for m in replies] == [second.message_id]
    everything = await anna.messages()
    assert [m.from_bot for m in everything] == [False, True, True]
    first = everything[1]
    assert first.deleted
    assert first.html == "<i>Kies</i> &amp; klaar"
    assert first.text == "Kies & klaar"
    assert first.entities == [{"offset": 0, "length": 4, "type": "italic"}]
    assert second.message_id == (await anna.last_bot_message()).message_id
    shown = await anna.last_bot_message()
    assert shown.button_labels == ["Ja", "Nee", "Website"]
    assert shown.button("Website").url == "https://www.example.org/"
    assert shown.button("Ja").callback_data == "answer:yes"


async def test_wait_for_reply_polls(bot: Bot, client: PlaygroundClient) -> None:
    anna = await client.new_person("Anna")
    mark = await anna.mark()

    async def reply_later() -> None:
        await asyncio.sleep(0.1)
        sent = await bot.send_message(anna.id, "Een", reply_markup=KEYBOARD)
        await bot.send_message(anna.id, "Twee")
        await asyncio.sleep(0.1)
        await bot.edit_message_text("Een!", chat_id=anna.id, message_id=sent.message_id)

    task = asyncio.create_task(reply_later())
    replies = await anna.wait_for_reply(after=mark, count=2, timeout=5)
    assert [m.text for m in replies] == ["Een", "Twee"]
    await task

    mark = await anna.mark()
    await bot.edit_message_text("Een!!", chat_id=anna.id, message_id=replies[0].message_id)
    edited = await anna.wait_for_reply(timeout=2)
    assert [m.text for m in edited] == ["Een!!"]

    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"waited 0.2 s for 1 bot message"):
        await anna.wait_for_reply(after=await anna.mark(), timeout=0.2)
    assert time.monotonic() - started < 1


async def test_waiter_is_awaited_for_each_update(playground: Playground) -> None:
    seen: list[int] = []

    async def waiter(update_id: int) -> None:
        seen.append(update_id)

    async with PlaygroundClient(playground.url, waiter=waiter) as pg:
        anna = await pg.new_person("Anna")
        first = await anna.send("een")
        second = await anna.send_location()
    assert seen == [first, second]


async def test_pending_updates(bot: Bot, client: PlaygroundClient) -> None:
    anna = await client.new_person("Anna")
    await anna.send("een")
    await anna.send("twee")
    assert await client.pending_updates() == 2
    with pytest.raises(TimeoutError):
        await client.wait_until_delivered(timeout=0.1)
    await next_updates(bot, 2)
    await client.wait_until_delivered(timeout=1)


async def test_limits_are_validated(client: PlaygroundClient) -> None:
    limits = await client.set_limits(chat_rate=5, chat_burst=3)
    assert limits["chat_burst"] == 3
    with pytest.raises(PlaygroundError, match=r"unknown limits"):
        await client.set_limits(speed=3)
    with pytest.raises(PlaygroundError, match=r"whole number"):
        await client.set_limits(chat_burst=0)


async def test_ptb_application_round_trip(playground: Playground) -> None:
    """A real PTB Application with its own Updater talks to the playground."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, "Welkom! Doe je mee?", reply_markup=KEYBOARD
        )

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Top")
        await query.edit_message_text(f"Je koos {query.data}")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{playground.url}/bot")
        .base_file_url(f"{playground.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(answer))
    async with app, PlaygroundClient(playground.url) as pg:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        await app.start()
        anna = await pg.new_person("Anna")
        mark = await anna.mark()
        await anna.send("/start")
        (welcome,) = await anna.wait_for_reply(after=mark)
        assert welcome.button_labels == ["Ja", "Nee", "Website"]
        mark = await anna.mark()
        await anna.press("Ja")
        (edited,) = await anna.wait_for_reply(after=mark)
        assert edited.text == "Je koos answer:yes"
        assert edited.buttons == []
        answer_given = await anna.callback_answer()
        assert answer_given is not None and answer_given.text == "Top"
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
        assert time.monotonic() - started < 3
    stats = playground.stats()
    assert stats["violations"] == 0
    assert stats["errors_4xx"] == 0, stats["errors"]
