"""Ambassadors name a theme (/nieuwthema) and look after their themes (/themas).

The whole flow in one place: the set-up wizard's steps are declared in setup.SETUP (title,
invitation, question, place, start, end, quadrants_ask, quadrant, preview); the buttons
outside the wizard are routed by ROUTES below.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler
from bot.chat.context import BuurtContext
from bot.chat.steps import StepHandler
from conversations.themes.actions import FLOW, PREFIX, Action, ambassador_routes
from conversations.themes.listing import deep_link, list_themes, on_card, on_edit, on_publish
from conversations.themes.preview import on_noop
from conversations.themes.publish import on_publish_answer
from conversations.themes.setup import SETUP, new_theme, on_field

__all__ = ["FLOW", "STEPS", "deep_link", "handlers"]

STEPS: dict[str, StepHandler] = SETUP.steps()

ROUTES: dict[str, ButtonHandler] = {
    Action.NOOP: on_noop,
    Action.FIELD: on_field,
    Action.PUBLISH_ANSWER: on_publish_answer,
    Action.CARD: on_card,
    Action.EDIT: on_edit,
    Action.PUBLISH: on_publish,
}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the theme editor."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("nieuwthema", new_theme, filters=private),
        CommandHandler("themas", list_themes, filters=private),
        *SETUP.handlers(),
        *ambassador_routes(PREFIX, ROUTES),
    ]
