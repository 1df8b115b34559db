"""A resident's control over their data: what we keep, a download of it, erasure, no more news."""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes, pack
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say
from bot.chat.updates import user_id
from bot.core.i18n import Html, plain, t
from bot.render.my_data import JSON_FILE, portable, portable_json, summary
from storage.models import Consent, NewMessage

PREFIX = "fg"


class Action(StrEnum):
    """The answer an fg: button gives to "erase everything?"."""

    YES = "yes"
    NO = "no"


async def privacy_command(update: Update, context: BuurtContext) -> None:
    """Explain what is stored, why, for how long and who sees it."""
    municipality = context.services.config.municipality.name
    lang = context.lang
    # Contacts noted in person at the stand, and when they go (conversations/square).
    days = context.services.config.privacy.in_person_contacts_days
    text = t(lang, "privacy.text", municipality=municipality)
    await say(update, context, Html(f"{text}\n\n{t(lang, 'square.privacy.contacts', days=days)}"))


async def my_data_command(update: Update, context: BuurtContext) -> None:
    """Show what is kept about the resident, per purpose, and send it as a portable JSON file."""
    lang = context.lang
    stored = await context.services.repo.export_resident(user_id(update))
    data = portable(stored, context.services.config.municipality, lang)
    await say(update, context, summary(data, lang))
    assert update.effective_chat is not None
    await context.bot.send_document(
        update.effective_chat.id,
        portable_json(data),
        filename=JSON_FILE,
        caption=plain(lang, "data.caption"),
    )


async def forget_command(update: Update, context: BuurtContext) -> None:
    """Ask once whether the resident really wants everything erased."""
    lang = context.lang
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "forget.yes"), callback_data=pack(PREFIX, Action.YES)
                )
            ],
            [InlineKeyboardButton(plain(lang, "forget.no"), callback_data=pack(PREFIX, Action.NO))],
        ]
    )
    await say(update, context, t(lang, "forget.confirm"), keyboard)


async def on_forget(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Erase everything personal of the resident who pressed."""
    if args:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    lang = context.lang
    await drop_buttons(update)
    # The button only says who pressed it: the erasure is always of the presser's own data.
    # The confirmation goes through the outbox, queued in the erasing transaction: this
    # update is marked handled by the erasure itself, so a crash before a direct reply
    # would lose "Alles is gewist" for good.
    person = user_id(update)
    farewell = NewMessage(
        chat_id=person, text=str(t(lang, "forget.done")), due_at=context.services.clock.now()
    )
    await context.services.repo.erase_resident(person, farewell=farewell)
    context.services.outbox_changed()


async def stop_command(update: Update, context: BuurtContext) -> None:
    """Stop theme news for this resident."""
    await context.services.repo.set_consent(user_id(update), Consent.THEME_NEWS, False)
    await say(update, context, t(context.lang, "stop.done"))


async def on_keep(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Keep it all: the resident changed their mind."""
    if args:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await edit_or_send(update, context, t(context.lang, "forget.kept"))


ROUTES: dict[str, ButtonHandler] = {Action.YES: on_forget, Action.NO: on_keep}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the privacy commands."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("privacy", privacy_command, filters=private),
        CommandHandler("mijngegevens", my_data_command, filters=private),
        CommandHandler("vergeet", forget_command, filters=private),
        CommandHandler("stop", stop_command, filters=private),
        *button_routes(PREFIX, ROUTES),
    ]
