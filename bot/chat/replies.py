"""Sending what the catalogs say: one place that splits, escapes and answers buttons."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.chat.context import BuurtContext
from bot.chat.text_limits import CALLBACK_ANSWER_LIMIT, shorten, split_html
from bot.chat.typed_buttons import button_pairs, is_typed, remember
from bot.core import raw_api
from bot.core.i18n import Html, plain

_log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


async def say(
    update: Update, context: BuurtContext, text: Html, markup: Markup | None = None
) -> Message | None:
    """Send text to the update's chat, split to fit; buttons go on the last part."""
    chat = update.effective_chat
    if chat is None:
        return None
    message = await send(context, chat.id, text, markup)
    if isinstance(markup, InlineKeyboardMarkup):
        await remember(context, chat.id, message.message_id, button_pairs(markup))
    return message


async def send(
    context: BuurtContext, chat_id: int, text: Html, markup: Markup | None = None
) -> Message:
    """Send text to a chat, split to fit; buttons go on the last part."""
    parts = split_html(text)
    message: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        message = await context.bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if last else None,
            disable_web_page_preview=True,
        )
    assert message is not None
    return message


ButtonRows = Sequence[Sequence[tuple[str, str]]]
"""Inline buttons as rows of (label, callback data) pairs."""


async def say_with_buttons(
    update: Update,
    context: BuurtContext,
    text: Html,
    rows: ButtonRows,
    *,
    keep: Mapping[str, Any] | None = None,
) -> int | None:
    """Send text with inline buttons to the update's chat; return the new message's id.

    For the busiest replies (every note a resident writes gets one): the buttons go out as
    plain JSON and Telegram's answer is not parsed back into a PTB Message. Building those
    objects and parsing that answer cost as much as the rest of handling a note (see
    bot/core/raw_api.py). Otherwise it is the same call through the same Bot: the same rate
    limiter, retries and errors as say(). ``keep``: more of the chat's state, stored in the
    same write as the buttons shown.
    """
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_html(text)
    if len(parts) > 1:
        markup = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                for row in rows
            ]
        )
        message_id = (await send(context, chat.id, text, markup)).message_id
    else:
        keyboard = [[{"text": label, "callback_data": data} for label, data in row] for row in rows]
        message_id = await raw_api.send_message(
            context.bot, chat.id, parts[0], parse_mode=ParseMode.HTML, inline_keyboard=keyboard
        )
    await remember(context, chat.id, message_id, [pair for row in rows for pair in row], keep)
    return message_id


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press once; a press that is too old to answer is not an error."""
    query = update.callback_query
    if query is None:
        return
    if is_typed(query):
        # A typed press has no query to answer: what it would have said is said in the chat.
        if text and isinstance(query.message, Message):
            await query.get_bot().send_message(query.message.chat.id, text)
        return
    try:
        await query.answer(shorten(text, CALLBACK_ANSWER_LIMIT) if text else None, show_alert=alert)
    except BadRequest as exc:
        _log.info("could not answer callback query: %s", exc.message)


async def answer_key(
    update: Update, context: BuurtContext, key: str, *, alert: bool = False
) -> None:
    """Answer a button press with a catalog text."""
    await answer(update, plain(context.lang, key), alert=alert)


async def edit_or_send(
    update: Update, context: BuurtContext, text: Html, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the message whose button was pressed; send anew when it can't be edited."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message) and len(split_html(text)) == 1:
        try:
            await query.message.edit_text(
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_web_page_preview=True,
            )
            if markup is not None:
                chat_id = query.message.chat.id
                await remember(context, chat_id, query.message.message_id, button_pairs(markup))
            return
        except BadRequest as exc:
            if "not modified" in exc.message:
                return
            _log.info("edit failed, sending anew: %s", exc.message)
    await say(update, context, text, markup)


async def drop_buttons(update: Update) -> None:
    """Remove the buttons of the pressed message, so they cannot be pressed again."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    if query.message.reply_markup is None:
        return
    try:
        await query.message.edit_reply_markup(reply_markup=None)
    except BadRequest as exc:
        _log.info("could not remove buttons: %s", exc.message)
