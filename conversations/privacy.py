"""A resident's control over their data: what we keep, a download of it, erasure, no more news."""

from __future__ import annotations

import json

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat.callbacks import pack
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say
from bot.chat.updates import user_id
from bot.core.i18n import plain, t
from storage.models import Consent


async def privacy_command(update: Update, context: BuurtContext) -> None:
    """Explain what is stored, why, for how long and who sees it."""
    municipality = context.services.config.municipality.name
    await say(update, context, t(context.lang, "privacy.text", municipality=municipality))


async def my_data_command(update: Update, context: BuurtContext) -> None:
    """Send everything stored about the resident as a JSON file."""
    data = await context.services.repo.export_resident(user_id(update))
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    assert update.effective_chat is not None
    await context.bot.send_document(
        update.effective_chat.id,
        body,
        filename="buurtbot-mijn-gegevens.json",
        caption=plain(context.lang, "data.caption"),
    )


async def forget_command(update: Update, context: BuurtContext) -> None:
    """Ask once whether the resident really wants everything erased."""
    lang = context.lang
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(plain(lang, "forget.yes"), callback_data=pack("fg", "yes"))],
            [InlineKeyboardButton(plain(lang, "forget.no"), callback_data=pack("fg", "no"))],
        ]
    )
    await say(update, context, t(lang, "forget.confirm"), keyboard)


async def on_forget(update: Update, context: BuurtContext) -> None:
    """Erase everything personal of the resident who pressed, or keep it all."""
    query = update.callback_query
    if query is None or query.data not in ("fg:yes", "fg:no"):
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    if query.data == "fg:no":
        await edit_or_send(update, context, t(context.lang, "forget.kept"))
        return
    lang = context.lang
    await drop_buttons(update)
    # The button only says who pressed it: the erasure is always of the presser's own data.
    await context.services.repo.erase_resident(user_id(update))
    await say(update, context, t(lang, "forget.done"))


async def stop_command(update: Update, context: BuurtContext) -> None:
    """Stop theme news for this resident."""
    await context.services.repo.set_consent(user_id(update), Consent.THEME_NEWS, False)
    await say(update, context, t(context.lang, "stop.done"))


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the privacy commands."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("privacy", privacy_command, filters=private),
        CommandHandler("mijngegevens", my_data_command, filters=private),
        CommandHandler("vergeet", forget_command, filters=private),
        CommandHandler("stop", stop_command, filters=private),
        CallbackQueryHandler(on_forget, pattern=r"^fg:"),
    ]
