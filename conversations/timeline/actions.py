"""The timeline's names: its flow in chat_state, its buttons' prefix, actions and codes.

The action values are the short codes buttons already sent carry; they never change.
"""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton, Update

from bot.chat.callbacks import ButtonHandler, Codes, pack
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.core.i18n import plain
from storage.models import MomentKind

FLOW = "moment"
PREFIX = "tl"


class Action(StrEnum):
    """What a timeline button asks for."""

    THEME = "th"
    SCOPE = "sc"
    KIND = "k"
    SKIP_PLACE = "ps"
    WIDEN_NEW = "w"
    SAVE = "save"
    STOP = "stop"
    AGENDA_FILE = "all"
    OPEN = "m"
    COMING = "y"
    NOT_COMING = "n"
    CALENDAR = "ics"
    MOVE = "mv"
    MOVE_YES = "mvy"
    MOVE_NO = "mvn"
    CANCEL = "cx"
    CANCEL_YES = "cxy"
    CANCEL_NO = "cxn"
    WIDEN = "wd"
    ANNOUNCE = "ann"
    ANNOUNCE_YES = "anny"
    ANNOUNCE_NO = "annn"


KIND_CODES = Codes({MomentKind.MEETING: "m", MomentKind.ACTION: "a", MomentKind.CLOSING: "c"})


def data(action: Action, *args: str | int) -> str:
    """The callback data of a timeline button."""
    return pack(PREFIX, action, *args)


def button(
    lang: str, key: str, action: Action, *args: str | int, **values: object
) -> InlineKeyboardButton:
    """A timeline button labelled with a catalog text."""
    label = shorten(plain(lang, key, **values), BUTTON_LABEL_LIMIT)
    return InlineKeyboardButton(label, callback_data=data(action, *args))


def labelled(label: str, action: Action, *args: str | int) -> InlineKeyboardButton:
    """A timeline button labelled with a name someone typed (a table, a moment)."""
    return InlineKeyboardButton(
        shorten(label, BUTTON_LABEL_LIMIT), callback_data=data(action, *args)
    )


def for_ambassadors(handler: ButtonHandler) -> ButtonHandler:
    """Let only ambassadors press the button; others hear they may not."""

    async def press(update: Update, context: BuurtContext, args: list[str]) -> None:
        async def run(update: Update, context: BuurtContext) -> None:
            await handler(update, context, args)

        await ambassadors_only(run)(update, context)

    press.__doc__ = handler.__doc__
    press.__name__ = getattr(handler, "__name__", "press")
    return press
