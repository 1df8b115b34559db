"""The village talk: pick a theme, write notes, place each on the board, finish with thanks.

The whole flow in one place: a free message in the WRITE step becomes a note (writing), the
buttons are routed by ROUTES below, and the contact step answers Telegram's contact button
and the "chat only" reply.

    message ── note ── (like a note on the board?) ── vt:ay "Ja, ik ook" ── kept in /mijn
                                                    └─ vt:an "Nee, anders" ── placed / vt:q
            └─ (not alike) ── vt:q:<quadrant> ── placed ── vt:done
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes
from bot.chat.context import BuurtContext
from bot.chat.steps import StepHandler
from bot.core.i18n import LANGUAGES, plain
from conversations.village_talk.actions import FLOW, PREFIX, WRITE, Action
from conversations.village_talk.alike import on_alike_no, on_alike_yes
from conversations.village_talk.contact import on_chat_only, on_contact, on_follow, on_invite
from conversations.village_talk.keyboards import (
    board_keyboard,
    preselect_keyboard,
    quadrant_keyboard,
)
from conversations.village_talk.opening import (
    on_done,
    on_news,
    on_open,
    on_preselect,
    open_by_code,
    opening_text,
    themes_command,
)
from conversations.village_talk.placing import on_keep, on_quadrant, on_strip
from conversations.village_talk.writing import on_edited, on_message

__all__ = [
    "FLOW",
    "KEEPS",
    "STEPS",
    "board_keyboard",
    "handlers",
    "open_by_code",
    "opening_text",
    "preselect_keyboard",
    "quadrant_keyboard",
]

STEPS: dict[str, StepHandler] = {WRITE: on_message}
# A message in the WRITE step becomes a note: a flood's are still stored (quietly).
KEEPS = (WRITE,)

ROUTES: dict[str, ButtonHandler] = {
    Action.OPEN: on_open,
    Action.PRESELECT: on_preselect,
    Action.QUADRANT: on_quadrant,
    Action.DONE: on_done,
    Action.INVITE: on_invite,
    Action.FOLLOW: on_follow,
    Action.NEWS: on_news,
    Action.ALIKE_YES: on_alike_yes,
    Action.ALIKE_NO: on_alike_no,
    Action.KEEP: on_keep,
    Action.STRIP: on_strip,
}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the village talk."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("thema", themes_command, filters=private),
        *button_routes(PREFIX, ROUTES),
        MessageHandler(filters.UpdateType.MESSAGE & private & filters.CONTACT, on_contact),
        MessageHandler(
            filters.UpdateType.MESSAGE
            & private
            & filters.Text([plain(lang, "invite.chat_only") for lang in LANGUAGES]),
            on_chat_only,
        ),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, on_edited),
    ]
