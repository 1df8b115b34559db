"""The contact step: after a first note, ask once about a table invite and a phone number."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import plain, t
from conversations.village_talk.actions import FLOW, WRITE
from conversations.village_talk.keyboards import follow_keyboard, invite_keyboard
from storage.models import Consent, Theme

_ANSWERS = {"0": False, "1": True}


async def maybe_invite(update: Update, context: BuurtContext, theme: Theme) -> None:
    """After the first note of a talk, ask once whether they'd like to be invited to a table."""
    state = context.state
    if state.flow != FLOW or state.data.get("invited_for") == theme.id:
        return
    repo = context.services.repo
    uid = user_id(update)
    await repo.set_state(chat_id(update), FLOW, WRITE, dict(state.data, invited_for=theme.id))
    # Asked once per resident, whatever the answer; /mijn changes it later.
    if Consent.FOLLOW_UP not in await repo.answered_consents(uid):
        await say(update, context, t(context.lang, "follow.ask"), follow_keyboard(context.lang))
    if (await repo.get_consents(uid))[Consent.CONTACT]:
        return
    await say(
        update, context, t(context.lang, "invite.ask"), invite_keyboard(context.lang, theme.id)
    )


async def on_invite(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Record whether the resident wants to be invited, and offer to share a phone number."""
    wants = _ANSWERS.get(args[1]) if len(args) == 2 else None
    if wants is None:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    lang = context.lang
    await context.services.repo.set_consent(user_id(update), Consent.CONTACT, wants)
    if not wants:
        await say(update, context, t(lang, "invite.no"))
        return
    await say(update, context, t(lang, "invite.yes"))
    keyboard = ReplyKeyboardMarkup(
        [
            [KeyboardButton(plain(lang, "invite.share_phone"), request_contact=True)],
            [KeyboardButton(plain(lang, "invite.chat_only"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await say(update, context, t(lang, "invite.ask_phone"), keyboard)


async def on_contact(update: Update, context: BuurtContext) -> None:
    """Keep the resident's own phone number, shared with Telegram's contact button."""
    message = update.message
    assert message is not None and message.contact is not None
    uid = user_id(update)
    if message.contact.user_id != uid:
        await say(update, context, t(context.lang, "talk.contact_other"))
        return
    await context.services.repo.set_phone(uid, message.contact.phone_number)
    await say(update, context, t(context.lang, "invite.phone_saved"), ReplyKeyboardRemove())


async def on_chat_only(update: Update, context: BuurtContext) -> None:
    """Take away the phone-number keyboard when the resident prefers the chat."""
    await say(update, context, t(context.lang, "invite.phone_skipped"), ReplyKeyboardRemove())


async def on_follow(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Record whether the resident wants to hear what came of their notes."""
    wants = _ANSWERS.get(args[0]) if len(args) == 1 else None
    if wants is None:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    await context.services.repo.set_consent(user_id(update), Consent.FOLLOW_UP, wants)
    await say(update, context, t(context.lang, "follow.yes" if wants else "follow.no"))
