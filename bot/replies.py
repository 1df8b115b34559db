"""Sending what the catalogs say: one place that splits, escapes and answers buttons."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import BuurtContext
from bot.i18n import Html, plain
from bot.text_limits import CALLBACK_ANSWER_LIMIT, shorten, split_html

_log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


async def say(
    update: Update, context: BuurtContext, text: Html, markup: Markup | None = None
) -> Message | None:
    """Send text to the update's chat, split to fit; buttons go on the last part."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await send(context, chat.id, text, markup)


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


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press once; a press that is too old to answer is not an error."""
    query = update.callback_query
    if query is None:
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
