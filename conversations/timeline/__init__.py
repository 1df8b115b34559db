"""The shared timeline (tijdlijn): ambassadors plan meeting and action moments, everyone sees
their agenda, says "ik kom" or "ik kom niet", and takes a moment into their own calendar.

/moment walks the ambassador through a moment (theme or table, kind, title, a typed Dutch
date and time in the municipality's time zone, place); /agenda shows upcoming moments.
Moving or cancelling a moment replaces its reminders and tells who said they come.

This module is the flow's whole graph: its steps for typed text and its button routes.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only
from bot.chat.steps import StepHandler, use_buttons
from conversations.timeline import agenda, card, manage, move, setup
from conversations.timeline.actions import FLOW, PREFIX, Action

__all__ = ["FLOW", "STEPS", "handlers"]


STEPS: dict[str, StepHandler] = {
    # The kind is chosen with a button; typed text is not a kind.
    setup.KIND: ambassadors_only(use_buttons),
    **setup.SETUP.steps(),
    **move.MOVE.steps(),
}

ROUTES: dict[str, ButtonHandler] = {
    # /moment, before the wizard: which theme, which table, which kind.
    Action.THEME: setup.on_theme,
    Action.SCOPE: setup.on_scope,
    Action.KIND: setup.on_kind,
    **setup.OLD_BUTTONS,
    # Everyone: the agenda and a moment's card.
    Action.AGENDA_FILE: agenda.on_agenda_file,
    Action.OPEN: card.on_open,
    Action.COMING: card.on_coming,
    Action.NOT_COMING: card.on_not_coming,
    Action.CALENDAR: card.on_calendar,
    # The moment's ambassador.
    Action.MOVE: move.on_move,
    Action.MOVE_YES: move.on_move_yes,
    Action.MOVE_NO: move.on_move_no,
    Action.CANCEL: manage.on_cancel,
    Action.CANCEL_YES: manage.on_cancel_yes,
    Action.CANCEL_NO: manage.on_cancel_no,
    Action.WIDEN: manage.on_widen,
    Action.ANNOUNCE: manage.on_announce,
    Action.ANNOUNCE_YES: manage.on_announce_yes,
    Action.ANNOUNCE_NO: manage.on_announce_no,
}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the timeline."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("moment", setup.moment_command, filters=private),
        CommandHandler("agenda", agenda.agenda_command, filters=private),
        # The wizards' tl:w:<step>:<code>: each pattern names its own steps, so the old preview
        # button tl:w and widen's tl:w:<id> still reach the routes below.
        *setup.SETUP.handlers(),
        *move.MOVE.handlers(),
        *button_routes(PREFIX, ROUTES),
    ]
