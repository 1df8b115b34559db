"""The playground refuses what Telegram refuses, as python-telegram-bot sees it over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot as PtbBot
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    WebAppInfo,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)

from playground import Playground, PlaygroundClient
from playground.client import Person

TOKEN = "123456789:AAE" + "x" * 32
OTHER_TOKEN = "987654321:BBF" + "y" * 32
NOT_MODIFIED = (
    "Message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Query is too old and response timeout expired or query id is invalid"


def ptb_bot(url: str, token: str = TOKEN) -> PtbBot:
    return PtbBot(token, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot")


@pytest.fixture
async def playground() -> AsyncIterator[Playground]:
    pg = Playground(token=TOKEN)
    await pg.start()
    yield pg
    await pg.stop()


@pytest.fixture
async def bot(playground: Playground) -> AsyncIterator[PtbBot]:
    instance = ptb_bot(playground.url)
    await instance.initialize()
    yield instance
    await instance.shutdown()


@pytest.fixture
async def client(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    async with PlaygroundClient(playground.url) as pg:
        yield pg


@pytest.fixture
async def anna(client: PlaygroundClient) -> Person:
    person = await client.new_person("Anna")
    await person.send("/start")
    return person


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# PTB itself reads retry_after while building RetryAfter, which warns about its future type.
ignore_retry_after_type = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)


def retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seconds(exc.retry_after)


async def test_get_me_and_identity(bot: PtbBot) -> None:
    assert bot.username == "buurtbot_demo_bot"
    assert bot.id == 123456789


async def test_wrong_token_is_unauthorized(playground: Playground) -> None:
    other = ptb_bot(playground.url, OTHER_TOKEN)
    with pytest.raises(InvalidToken):
        await other.initialize()


async def test_raw_protocol(playground: Playground, anna: Person) -> None:
    base = f"{playground.url}/bot{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/getMe") as response:
            assert response.status == 200
            assert (await response.json())["result"]["is_bot"] is True
        body = {"chat_id": anna.id, "text": "via JSON", "reply_markup": {"remove_keyboard": True}}
        async with http.post(f"{base}/SENDMESSAGE", json=body) as response:
            assert (await response.json())["result"]["text"] == "via JSON"
        async with http.post(f"{base}/sendMessage", data={"chat_id": "1", "text": "x"}) as response:
            assert response.status == 400
            assert await response.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: chat not found",
            }
        async with http.get(f"{base}/sendTelepathy") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found: method not found"
        async with http.get(f"{playground.url}/bot{OTHER_TOKEN}/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"


async def test_unknown_method_is_not_found(bot: PtbBot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})


async def test_text_length_counts_code_points_after_entity_parsing(
    bot: PtbBot, anna: Person
) -> None:
    """telegram-rules.md: TDLib counts text and captions in Unicode code points after parsing."""
    await bot.send_message(anna.id, "a" * 4096)
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(anna.id, "a" * 4097)
    # 4103 characters as sent, 4096 once the tags are gone.
    message = await bot.send_message(anna.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert message.text is not None
    assert len(message.text) == 4096
    # An emoji outside the BMP is one code point, though two UTF-16 units.
    await bot.send_message(anna.id, "😀" * 4096)
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(anna.id, "😀" * 4096 + "a")


async def test_empty_text_is_refused(bot: PtbBot, anna: Person) -> None:
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(anna.id, "")
    with pytest.raises(BadRequest, match=r"^Message must be non-empty$"):
        await bot.send_message(anna.id, " \n ")
    with pytest.raises(BadRequest, match=r"^Message must be non-empty$"):
        await bot.send_message(anna.id, "<b></b>", parse_mode="HTML")


async def test_caption_length(bot: PtbBot, anna: Person) -> None:
    photo = b"\xff\xd8not really a jpeg"
    await bot.send_photo(anna.id, photo, caption="c" * 1024)
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_photo(anna.id, photo, caption="c" * 1025)
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_document(anna.id, b"data", filename="a.txt", caption="c" * 1025)


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<foo>x</foo>", 'Can\'t parse entities: unsupported start tag "foo" at byte offset 0'),
        (
            "Hart voor elkaar <3 & meer",
            'Can\'t parse entities: unsupported start tag "3" at byte offset 17',
        ),
        ("<b>vet", "Can't parse entities: can't find end tag corresponding to start tag \"b\""),
        (
            "<b><i>x</b></i>",
            'Can\'t parse entities: unmatched end tag at byte offset 7, expected "</i>", '
            'found "</b>"',
        ),
        ("x</b>", "Can't parse entities: unexpected end tag at byte offset 1"),
        (
            "a & b",
            'Can\'t parse entities: character "&" at byte offset 2 must be escaped as "&amp;"',
        ),
        (
            "1 > 0",
            'Can\'t parse entities: character ">" at byte offset 2 must be escaped as "&gt;"',
        ),
        ("<b", "Can't parse entities: unclosed start tag at byte offset 0"),
        (
            "<span>x</span>",
            'Can\'t parse entities: tag "span" must have class "tg-spoiler" at byte offset 0',
        ),
    ],
)
async def test_bad_html_is_refused(bot: PtbBot, anna: Person, html: str, message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(anna.id, html, parse_mode="HTML")
    assert caught.value.message == message


async def test_escaped_html_passes_and_is_stored_as_plain_text(bot: PtbBot, anna: Person) -> None:
    sent = await bot.send_message(
        anna.id, "<b>Hart</b> voor elkaar &lt;3 &amp; meer", parse_mode="HTML"
    )
    assert sent.text == "Hart voor elkaar <3 & meer"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 4)]
    shown = await anna.last_bot_message()
    assert shown.html == "<b>Hart</b> voor elkaar &lt;3 &amp; meer"
    assert shown.text == "Hart voor elkaar <3 & meer"


async def test_telegram_finds_links_but_not_commands_in_bot_messages(
    bot: PtbBot, anna: Person
) -> None:
    sent = await bot.send_message(anna.id, "Typ /help of kijk op https://gemeente.nl/afval.")
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("url", 21, 25)]
    trimmed = await bot.send_message(anna.id, "\n  <i> ingesprongen</i>  \n", parse_mode="HTML")
    assert trimmed.text == "ingesprongen"
    assert [(e.type, e.offset, e.length) for e in trimmed.entities] == [("italic", 0, 12)]


async def test_lenient_html_like_telegram_when_asked() -> None:
    async with Playground(token=TOKEN, strict_html=False) as lenient:
        async with PlaygroundClient(lenient.url) as pg:
            bram = await pg.new_person("Bram")
        async with ptb_bot(lenient.url) as bot:
            sent = await bot.send_message(bram.id, "a & b > c", parse_mode="HTML")
            assert sent.text == "a & b > c"


async def test_markdown_v2_reserved_characters(bot: PtbBot, anna: Person) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(anna.id, "Klaar.", parse_mode="MarkdownV2")
    assert caught.value.message == (
        "Can't parse entities: character '.' is reserved and must be escaped with the "
        "preceding '\\'"
    )
    sent = await bot.send_message(anna.id, "*Klaar*\\!", parse_mode="MarkdownV2")
    assert sent.text == "Klaar!"
    assert sent.entities[0].type == "bold"


async def test_unsupported_parse_mode(bot: PtbBot, anna: Person) -> None:
    with pytest.raises(BadRequest, match=r"^Unsupported parse_mode$"):
        await bot.send_message(anna.id, "x", parse_mode="Textile")


async def test_callback_data_is_limited_to_64_bytes(bot: PtbBot, anna: Person) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])
    await bot.send_message(anna.id, "64 bytes", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("te lang", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(anna.id, "66 bytes", reply_markup=too_long)


async def test_inline_keyboard_holds_at_most_100_buttons(bot: PtbBot, anna: Person) -> None:
    def keyboard(count: int) -> InlineKeyboardMarkup:
        buttons = [InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(count)]
        return InlineKeyboardMarkup([buttons[i : i + 5] for i in range(0, count, 5)])

    await bot.send_message(anna.id, "100", reply_markup=keyboard(100))
    with pytest.raises(BadRequest, match=r"^Reply markup is too long$"):
        await bot.send_message(anna.id, "101", reply_markup=keyboard(101))


async def test_inline_buttons_need_text_and_one_action(bot: PtbBot, anna: Person) -> None:
    bare = InlineKeyboardMarkup([[InlineKeyboardButton("alleen tekst")]])
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(anna.id, "x", reply_markup=bare)
    assert caught.value.message == (
        "Can't parse inline keyboard button: text buttons are unallowed in the inline keyboard"
    )
    two = InlineKeyboardMarkup(
        [[InlineKeyboardButton("twee", callback_data="a", switch_inline_query="b")]]
    )
    with pytest.raises(BadRequest, match=r"^Can't parse inline keyboard button: exactly one"):
        await bot.send_message(anna.id, "x", reply_markup=two)
    empty = InlineKeyboardMarkup([[InlineKeyboardButton("", callback_data="a")]])
    with pytest.raises(BadRequest, match=r"^Button_text_invalid$"):
        await bot.send_message(anna.id, "x", reply_markup=empty)


async def test_reply_keyboards_are_accepted(bot: PtbBot, anna: Person) -> None:
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Deel nummer", request_contact=True)], ["Annuleer"]],
        one_time_keyboard=True,
    )
    sent = await bot.send_message(anna.id, "Je nummer?", reply_markup=keyboard)
    # Telegram only echoes inline keyboards in the Message.
    assert sent.reply_markup is None
    shown = await anna.last_bot_message()
    assert shown.keyboard_labels == ["Deel nummer", "Annuleer"]
    assert shown.keyboard is not None
    assert shown.keyboard[0][0].request_contact


async def test_unknown_chat(bot: PtbBot) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(424242, "hallo?")


async def test_blocked_and_deactivated_users(bot: PtbBot, client: PlaygroundClient) -> None:
    bram = await client.new_person("Bram")
    await bram.block()
    with pytest.raises(Forbidden) as caught:
        await bot.send_message(bram.id, "hallo")
    assert caught.value.message == "Forbidden: bot was blocked by the user"
    await bram.unblock()
    await bot.send_message(bram.id, "welkom terug")

    await bram.deactivate()
    with pytest.raises(Forbidden) as caught:
        await bot.send_message(bram.id, "hallo")
    assert caught.value.message == "Forbidden: user is deactivated"


async def test_user_who_never_started_cannot_be_messaged(
    bot: PtbBot, client: PlaygroundClient
) -> None:
    user = await client.create_user("Cas", started=False)
    with pytest.raises(Forbidden, match=r"can't initiate conversation"):
        await bot.send_message(user.id, "hallo")
    await client.send_message(user.id, text="/start")
    await bot.send_message(user.id, "hallo")


async def test_edits(bot: PtbBot, anna: Person) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="ja")]])
    sent = await bot.send_message(anna.id, "<b>Vraag</b>", parse_mode="HTML", reply_markup=keyboard)
    with pytest.raises(BadRequest) as caught:
        await bot.edit_message_text(
            "<b>Vraag</b>",
            chat_id=anna.id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard,
        )
    assert caught.value.message == NOT_MODIFIED
    with pytest.raises(BadRequest) as caught:
        await bot.edit_message_reply_markup(anna.id, sent.message_id, reply_markup=keyboard)
    assert caught.value.message == NOT_MODIFIED

    # Same text without the keyboard is a change: the keyboard goes.
    edited = await bot.edit_message_text(
        "<b>Vraag</b>", chat_id=anna.id, message_id=sent.message_id, parse_mode="HTML"
    )
    assert not isinstance(edited, bool)
    assert edited.edit_date is not None
    assert edited.reply_markup is None
    shown = await anna.message(sent.message_id)
    assert shown.edited
    assert shown.buttons == []


async def test_edit_and_delete_of_unknown_messages(bot: PtbBot, anna: Person) -> None:
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", chat_id=anna.id, message_id=9999)
    assert anna.last_message_id is not None
    # The resident's own message is not the bot's to edit.
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", chat_id=anna.id, message_id=anna.last_message_id)
    sent = await bot.send_message(anna.id, "weg ermee")
    assert await bot.delete_message(anna.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(anna.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", chat_id=anna.id, message_id=sent.message_id)
    assert (await anna.message(sent.message_id)).deleted


async def test_edit_caption(bot: PtbBot, anna: Person) -> None:
    sent = await bot.send_photo(anna.id, b"\x89PNG not really", caption="eerst")
    edited = await bot.edit_message_caption(anna.id, sent.message_id, caption="daarna")
    assert not isinstance(edited, bool)
    assert edited.caption == "daarna"
    text = await bot.send_message(anna.id, "tekst")
    with pytest.raises(BadRequest, match=r"^There is no caption in the message to edit$"):
        await bot.edit_message_caption(anna.id, text.message_id, caption="x")


async def test_callback_answers(
    bot: PtbBot, anna: Person, playground: Playground, client: PlaygroundClient
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="ja")]])
    await bot.send_message(anna.id, "Klopt het?", reply_markup=keyboard)
    await anna.press("Ja")
    query_id = anna.last_callback_query_id
    assert query_id is not None
    with pytest.raises(BadRequest, match=r"^Message_too_long$"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="Genoteerd")
    answer = await anna.callback_answer()
    assert answer is not None
    assert answer.text == "Genoteerd"
    with pytest.raises(BadRequest) as caught:
        await bot.answer_callback_query(query_id)
    assert caught.value.message == QUERY_TOO_OLD
    with pytest.raises(BadRequest) as caught:
        await bot.answer_callback_query("12345")
    assert caught.value.message == QUERY_TOO_OLD

    await client.set_limits(callback_timeout=0.2)
    await anna.press("Ja")
    stale = anna.last_callback_query_id
    assert stale is not None
    await asyncio.sleep(0.3)
    with pytest.raises(BadRequest) as caught:
        await bot.answer_callback_query(stale)
    assert caught.value.message == QUERY_TOO_OLD
    assert await anna.callback_answer() is None


@pytest.mark.parametrize(
    "commands",
    [
        [BotCommand("Start", "Hoofdletter")],
        [BotCommand("a" * 33, "te lang")],
        [BotCommand("meld-iets", "streepje")],
        [BotCommand("leeg", "")],
        [BotCommand("lang", "d" * 257)],
        [BotCommand(f"c{i}", "veel") for i in range(101)],
    ],
)
async def test_bad_bot_commands(bot: PtbBot, commands: list[BotCommand]) -> None:
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await bot.set_my_commands(commands)


async def test_commands_are_stored_per_scope_and_language(
    bot: PtbBot, anna: Person, client: PlaygroundClient
) -> None:
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("help", "Hulp")])
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    await bot.set_my_commands([BotCommand("beheer", "Beheer")], scope=BotCommandScopeChat(anna.id))
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    stored = await client.commands()
    assert len(stored) == 3
    chat_scope = next(c for c in stored if c["scope"]["type"] == "chat")
    assert chat_scope["scope"]["chat_id"] == anna.id
    assert await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.set_my_commands([BotCommand("x", "y")], scope=BotCommandScopeChat(5))


@ignore_retry_after_type
async def test_flood_control_and_violations(
    bot: PtbBot, client: PlaygroundClient, anna: Person
) -> None:
    await client.set_limits(chat_burst=2, chat_rate=1.0, retry_after=1)
    await bot.send_message(anna.id, "1")
    await bot.send_message(anna.id, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna.id, "3")
    assert retry_after(caught.value) == 1
    stats = await client.stats()
    assert stats.too_many_requests == 1
    assert stats.violations == 0

    # Any call before the ban has passed is a violation, and refused again.
    with pytest.raises(RetryAfter):
        await bot.send_chat_action(anna.id, "typing")
    stats = await client.stats()
    assert stats.violations == 1
    assert stats.too_many_requests == 2

    await asyncio.sleep(1.05)
    await bot.send_message(anna.id, "na de ban")
    stats = await client.stats()
    assert stats.violations == 1
    assert stats.calls["sendMessage"] == 4
    assert "Too Many Requests: retry after 1" in stats.error_descriptions


@ignore_retry_after_type
async def test_a_chat_over_its_pace_is_banned_alone(
    bot: PtbBot, client: PlaygroundClient, anna: Person
) -> None:
    """telegram-rules: about one message a second per chat; a 429 there holds that chat only."""
    bram = await client.new_person("Bram")
    await client.set_limits(chat_burst=2, chat_rate=1.0, retry_after=5)
    await bot.send_message(anna.id, "1")
    await bot.send_message(anna.id, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna.id, "3")
    assert retry_after(caught.value) == 5
    # Another chat goes on as if nothing happened, and that is no violation.
    await bot.send_message(bram.id, "voor Bram")
    await bot.send_chat_action(bram.id, "typing")
    stats = await client.stats()
    assert (stats.violations, stats.chat_bans, stats.ban_remaining) == (0, 1, 0.0)
    # A call for the banned chat during its ban is one, whatever the method.
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("x", chat_id=anna.id, message_id=1)
    stats = await client.stats()
    assert (stats.violations, stats.too_many_requests) == (1, 2)


@ignore_retry_after_type
async def test_global_flood_limit_spans_chats(
    bot: PtbBot, client: PlaygroundClient, playground: Playground
) -> None:
    people = [await client.new_person(f"P{i}") for i in range(3)]
    playground.set_limits(global_burst=2, global_rate=0.5, retry_after=2)
    await bot.send_message(people[0].id, "a")
    await bot.send_message(people[1].id, "b")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(people[2].id, "c")
    assert retry_after(caught.value) == 2
    # Edits count as sends too, and the ban covers them.
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("x", chat_id=people[0].id, message_id=1)
    assert playground.stats()["violations"] == 1


@ignore_retry_after_type
async def test_paid_broadcast_counts_against_its_own_bucket(
    bot: PtbBot, client: PlaygroundClient, playground: Playground
) -> None:
    """allow_paid_broadcast passes the spent bulk limit, meets the paid one, and costs Stars."""
    people = [await client.new_person(f"P{i}") for i in range(4)]
    playground.set_limits(
        global_burst=1, global_rate=0.01, paid_burst=2, paid_rate=0.01, retry_after=2
    )
    await bot.send_message(people[0].id, "bulk")
    await bot.send_message(people[1].id, "paid", allow_paid_broadcast=True)
    await bot.send_message(people[2].id, "paid", allow_paid_broadcast=True)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(people[3].id, "paid", allow_paid_broadcast=True)
    assert retry_after(caught.value) == 2
    stats = await client.stats()
    assert stats.paid_messages == 2
    assert stats.stars_spent == pytest.approx(0.2)
    assert stats.limits["paid_rate"] == 0.01


async def test_two_polls_conflict(bot: PtbBot, playground: Playground) -> None:
    # PTB polls through a pool of one connection, so the rival is a second bot instance.
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    async with ptb_bot(playground.url) as rival:
        await rival.get_updates(timeout=0)
    with pytest.raises(Conflict) as caught:
        await first
    assert caught.value.message == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running"
    )


async def test_polling_while_webhook_is_set(bot: PtbBot) -> None:
    with pytest.raises(BadRequest, match=r"^Bad webhook: an https url must be provided"):
        await bot.set_webhook("http://example.org/hook")
    assert await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict) as caught:
        await bot.get_updates()
    assert caught.value.message == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first"
    )
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_long_poll_returns_when_an_update_arrives(
    bot: PtbBot, client: PlaygroundClient
) -> None:
    bram = await client.new_person("Bram")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.1)
    await bram.send("hallo")
    updates = await poll
    assert time.monotonic() - started < 2
    assert [u.message.text for u in updates if u.message] == ["hallo"]

    await bram.send("twee")
    await bram.send("drie")
    first = await bot.get_updates(offset=updates[-1].update_id + 1, limit=1)
    assert [u.message.text for u in first if u.message] == ["twee"]
    assert await client.pending_updates() == 2
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["drie"]
    await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0)
    assert await client.pending_updates() == 0


async def test_files_up_and_down(bot: PtbBot, anna: Person, client: PlaygroundClient) -> None:
    document = await bot.send_document(anna.id, b"regel 1\n", filename="notulen.txt")
    assert document.document is not None
    assert document.document.file_name == "notulen.txt"
    assert document.document.mime_type == "text/plain"
    file = await bot.get_file(document.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"regel 1\n"
    assert await client.file_bytes(document.document.file_id) == b"regel 1\n"
    again = await bot.send_document(anna.id, document.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == document.document.file_unique_id
    with pytest.raises(BadRequest, match=r"^Wrong file identifier/http url specified$"):
        await bot.send_photo(anna.id, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"^Wrong file_id or the file is temporarily"):
        await bot.get_file("no-such-file-id")


async def test_photo_sizes_are_read(bot: PtbBot, anna: Person, client: PlaygroundClient) -> None:
    await anna.send_photo(width=1280, height=960)
    resident_photo = (await anna.messages())[-1].photo
    assert resident_photo is not None
    data = await client.file_bytes(resident_photo.file_id)
    sent = await bot.send_photo(anna.id, data)
    assert (sent.photo[-1].width, sent.photo[-1].height) == (1280, 960)
    assert [p.width for p in sent.photo] == [90, 320, 800, 1280]


async def test_too_big_files(bot: PtbBot, anna: Person) -> None:
    with pytest.raises(BadRequest, match=r"^File is too big$"):
        await bot.send_photo(anna.id, b"\0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(BadRequest, match=r"^File is too big$"):
        await bot.send_document(anna.id, b"\0" * (50 * 1024 * 1024 + 1), filename="groot.bin")


async def test_chat_action_and_close(bot: PtbBot, anna: Person, client: PlaygroundClient) -> None:
    assert await bot.send_chat_action(anna.id, "typing")
    assert (await client.chat(anna.id))["last_action"] == "typing"
    with pytest.raises(BadRequest, match=r"^Wrong parameter action in request$"):
        await bot.send_chat_action(anna.id, "dancing")
    assert await bot.close()
    assert await bot.log_out()


async def test_errors_are_logged_with_method_and_params(
    bot: PtbBot, client: PlaygroundClient
) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(31337, "niemand")
    stats = await client.stats()
    assert stats.errors_4xx == 1
    error = stats.errors[-1]
    assert error["method"] == "sendMessage"
    assert error["description"] == "Bad Request: chat not found"
    assert error["params"]["chat_id"] == "31337"
    await client.reset_stats()
    assert (await client.stats()).errors == []


# What telegram-rules.md says under "Checked against Bot API 10.0": the playground follows it
# both ways, refusing what Telegram refuses and accepting what it accepts.


async def _raw(playground: Playground, method: str, body: dict[str, Any]) -> dict[str, Any]:
    """A Bot API call with a JSON body, for values python-telegram-bot would not send."""
    url = f"{playground.url}/bot{TOKEN}/{method}"
    async with aiohttp.ClientSession() as http, http.post(url, json=body) as response:
        answer: dict[str, Any] = await response.json()
        return answer


async def test_link_preview_options_must_be_an_object_and_is_disabled_a_boolean(
    bot: PtbBot, playground: Playground, anna: Person
) -> None:
    quiet = LinkPreviewOptions(is_disabled=True)
    sent = await bot.send_message(anna.id, "https://gemeente.nl", link_preview_options=quiet)
    await bot.edit_message_text(
        "https://gemeente.nl/afval", anna.id, sent.message_id, link_preview_options=quiet
    )
    for options, description in [
        ("true", "Bad Request: Object expected as link preview options"),
        ([True], "Bad Request: Object expected as link preview options"),
        ({"is_disabled": "true"}, 'Bad Request: Field "is_disabled" must be of type Boolean'),
        ({"is_disabled": 1}, 'Bad Request: Field "is_disabled" must be of type Boolean'),
    ]:
        body = {"chat_id": anna.id, "text": "x", "link_preview_options": options}
        answer = await _raw(playground, "sendMessage", body)
        assert (answer["error_code"], answer["description"]) == (400, description), options
        edit = {**body, "message_id": sent.message_id}
        answer = await _raw(playground, "editMessageText", edit)
        assert (answer["error_code"], answer["description"]) == (400, description), options


async def test_inline_button_style_web_app_and_copy_text_are_checked(
    bot: PtbBot, anna: Person
) -> None:
    """An unknown style is refused; web_app needs url; copy_text needs text."""
    good = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Ja", callback_data="y", style="success")],
            [InlineKeyboardButton("Kopieer", copy_text=CopyTextButton("ABC123"))],
            [InlineKeyboardButton("Open", web_app=WebAppInfo("https://gemeente.nl/app"))],
        ]
    )
    sent = await bot.send_message(anna.id, "knoppen", reply_markup=good)
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].style == "success"
    bad_buttons = [
        (
            InlineKeyboardButton("Let op", callback_data="w", style="warning"),
            "can't parse inline keyboard button: invalid button style specified",
        ),
        (
            InlineKeyboardButton("Lijst", callback_data="l", api_kwargs={"style": ["danger"]}),
            "can't parse inline keyboard button: invalid button style specified",
        ),
        (
            InlineKeyboardButton("Open", api_kwargs={"web_app": {}}),
            "can't parse inline keyboard button: can't find field \"url\"",
        ),
        (
            InlineKeyboardButton("Kopieer", api_kwargs={"copy_text": {"copy": "x"}}),
            "can't parse inline keyboard button: can't find field \"text\"",
        ),
    ]
    for button, message in bad_buttons:
        with pytest.raises(BadRequest) as caught:
            await bot.send_message(anna.id, "x", reply_markup=InlineKeyboardMarkup([[button]]))
        assert caught.value.message.lower() == message


async def test_a_button_with_url_and_callback_data_is_taken_as_a_url_button(
    bot: PtbBot, anna: Person
) -> None:
    both = InlineKeyboardMarkup(
        [[InlineKeyboardButton("twee", callback_data="a", url="https://gemeente.nl")]]
    )
    sent = await bot.send_message(anna.id, "x", reply_markup=both)
    assert sent.reply_markup is not None
    button = sent.reply_markup.inline_keyboard[0][0]
    assert (button.url, button.callback_data) == ("https://gemeente.nl", None)


async def test_numbers_are_accepted_as_button_text(playground: Playground, anna: Person) -> None:
    markup = {"inline_keyboard": [[{"text": 5, "callback_data": "vijf"}]]}
    answer = await _raw(
        playground, "sendMessage", {"chat_id": anna.id, "text": "x", "reply_markup": markup}
    )
    assert answer["ok"], answer
    assert answer["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "5"
    reply = {"keyboard": [[{"text": 7}]]}
    answer = await _raw(
        playground, "sendMessage", {"chat_id": anna.id, "text": "x", "reply_markup": reply}
    )
    assert answer["ok"], answer


async def test_command_scopes_need_their_chat_id_and_user_id(
    bot: PtbBot, playground: Playground, anna: Person
) -> None:
    """chat and chat_administrators need chat_id; chat_member needs chat_id and user_id."""
    commands = [{"command": "start", "description": "Begin"}]
    for scope, field in [
        ({"type": "chat"}, "chat_id"),
        ({"type": "chat_administrators"}, "chat_id"),
        ({"type": "chat_member", "user_id": anna.id}, "chat_id"),
        ({"type": "chat_member", "chat_id": anna.id}, "user_id"),
    ]:
        answer = await _raw(playground, "setMyCommands", {"commands": commands, "scope": scope})
        assert answer["description"] == (
            f"Bad Request: can't parse BotCommandScope: Can't find field \"{field}\""
        ), scope
    member = {"type": "chat_member", "chat_id": anna.id, "user_id": anna.id}
    answer = await _raw(playground, "setMyCommands", {"commands": commands, "scope": member})
    assert answer["ok"], answer


async def test_set_my_commands_without_commands_clears_the_menu(
    bot: PtbBot, playground: Playground
) -> None:
    await bot.set_my_commands([BotCommand("start", "Begin")])
    answer = await _raw(playground, "setMyCommands", {})
    assert answer == {"ok": True, "result": True}
    assert await bot.get_my_commands() == ()


async def test_a_leading_slash_in_a_command_is_stripped(bot: PtbBot) -> None:
    await bot.set_my_commands([BotCommand("/start", "Begin"), BotCommand("help", "Hulp")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await bot.set_my_commands([BotCommand("/", "Alleen een streep")])


async def test_tg_time_is_valid_html_since_bot_api_9_5(bot: PtbBot, anna: Person) -> None:
    sent = await bot.send_message(
        anna.id,
        'Bijeenkomst <tg-time unix="1767362400" format="wDT">vrijdag 15:00</tg-time>',
        parse_mode="HTML",
    )
    assert sent.text == "Bijeenkomst vrijdag 15:00"
    entity = sent.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("date_time", 12, 13)
    assert entity.unix_time == dtm.datetime.fromtimestamp(1767362400, dtm.UTC)
    assert entity.date_time_format == "wDT"


async def test_a_valueless_attribute_is_ignored(bot: PtbBot, anna: Person) -> None:
    sent = await bot.send_message(
        anna.id, '<a href="https://gemeente.nl" target>site</a>', parse_mode="HTML"
    )
    assert [(e.type, e.url) for e in sent.entities] == [("text_link", "https://gemeente.nl/")]


async def test_caption_length_counts_code_points(bot: PtbBot, anna: Person) -> None:
    """telegram-rules.md: TDLib counts captions in Unicode code points after parsing."""
    photo = b"\xff\xd8not really a jpeg"
    await bot.send_photo(anna.id, photo, caption="😀" * 1024)
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_photo(anna.id, photo, caption="😀" * 1025)


async def test_send_voice_by_file_id_and_upload(
    bot: PtbBot, anna: Person, client: PlaygroundClient
) -> None:
    await anna.send_voice(7)
    spoken = (await anna.messages())[-1].voice
    assert spoken is not None and spoken.duration == 7
    # By file id: the same voice note, with the length Telegram knows, and a caption.
    again = await bot.send_voice(
        anna.id, spoken.file_id, caption="<b>Luister</b>", parse_mode="HTML"
    )
    assert again.voice is not None
    assert again.voice.file_unique_id == spoken.file_unique_id
    assert again.voice.to_dict()["duration"] == 7
    seen = await anna.message(again.message_id)
    assert seen.voice is not None and seen.voice.duration == 7
    assert seen.document is None and seen.caption == "Luister"
    edited = await bot.edit_message_caption(anna.id, again.message_id, caption="Gehoord")
    assert not isinstance(edited, bool) and edited.caption == "Gehoord"
    # Uploaded: a new file, the duration as given (negative clamped to 0, as TDLib does).
    uploaded = await bot.send_voice(anna.id, b"OggS\x00\x02 sound", duration=3)
    assert uploaded.voice is not None and uploaded.voice.to_dict()["duration"] == 3
    assert await client.file_bytes(uploaded.voice.file_id) == b"OggS\x00\x02 sound"
    clamped = await bot.send_voice(anna.id, b"OggS\x00\x02 more", duration=-5)
    assert clamped.voice is not None and clamped.voice.to_dict()["duration"] == 0


async def test_send_voice_refuses_what_telegram_refuses(bot: PtbBot, anna: Person) -> None:
    await anna.send_voice(2)
    spoken = (await anna.messages())[-1].voice
    assert spoken is not None
    await bot.send_voice(anna.id, spoken.file_id, caption="c" * 1024)
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_voice(anna.id, spoken.file_id, caption="c" * 1025)
    document = await bot.send_document(anna.id, b"data", filename="briefje.ogg")
    assert document.document is not None
    with pytest.raises(BadRequest, match=r"^Type of file mismatch$"):
        await bot.send_voice(anna.id, document.document.file_id)
    with pytest.raises(BadRequest, match=r"^Wrong file identifier/http url specified$"):
        await bot.send_voice(anna.id, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"^File is too big$"):
        await bot.send_voice(anna.id, b"\0" * (50 * 1024 * 1024 + 1))


async def test_send_voice_to_someone_who_forbids_voice_messages(
    bot: PtbBot, anna: Person, client: PlaygroundClient
) -> None:
    await anna.send_voice(2)
    spoken = (await anna.messages())[-1].voice
    assert spoken is not None
    await client.set_voice_messages(anna.id, allowed=False)
    with pytest.raises(BadRequest, match=r"^Voice_messages_forbidden$"):
        await bot.send_voice(anna.id, spoken.file_id)
    await client.set_voice_messages(anna.id, allowed=True)
    assert (await bot.send_voice(anna.id, spoken.file_id)).voice is not None
