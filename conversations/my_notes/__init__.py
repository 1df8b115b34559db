"""/mijn: a resident's own notes (change, move, delete each) and their choices (change each).

The whole flow in one place: the EDIT step takes a note's new words, and every my: button is
routed by ROUTES below.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes
from bot.chat.context import BuurtContext
from bot.chat.steps import StepHandler
from conversations.my_notes.actions import EDIT, FLOW, PREFIX, Action
from conversations.my_notes.choices import on_consent, on_forget_phone, on_hide_name, on_place
from conversations.my_notes.notes import (
    mine_command,
    on_delete,
    on_delete_no,
    on_delete_yes,
    on_edit,
    on_list,
    on_move,
    on_new_text,
    on_note,
    on_page,
)

__all__ = ["FLOW", "STEPS", "handlers"]

STEPS: dict[str, StepHandler] = {EDIT: on_new_text}

ROUTES: dict[str, ButtonHandler] = {
    Action.CONSENT: on_consent,
    Action.FORGET_PHONE: on_forget_phone,
    Action.HIDE_NAME: on_hide_name,
    Action.PLACE: on_place,
    Action.PAGE: on_page,
    Action.LIST: on_list,
    Action.NOTE: on_note,
    Action.EDIT: on_edit,
    Action.MOVE: on_move,
    Action.DELETE: on_delete,
    Action.DELETE_YES: on_delete_yes,
    Action.DELETE_NO: on_delete_no,
}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of /mijn."""
    return [
        CommandHandler("mijn", mine_command, filters=filters.ChatType.PRIVATE),
        *button_routes(PREFIX, ROUTES),
    ]
