"""The names of the tables flow: its steps, the short codes its buttons carry, its bounds.

Buttons read tf:<action>[:<arg>...]. The codes are in buttons already sent, so they never
change; a new action gets a new code.
"""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton

from bot.chat.callbacks import Codes, pack
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.core.i18n import plain
from storage.models import CardField, Commitment

FLOW = "table"
PREFIX = "tf"


class Step(StrEnum):
    """Where a chat is in the tables flow (kept in chat_state)."""

    # Setting up a table (/nieuwetafel).
    TITLE = "title"
    INITIATOR = "initiator"
    CAPACITY = "capacity"
    WHAT = "what"
    AMBITIONS = "ambitions"
    AGREEMENTS = "agreements"
    WORKING = "working"
    ORIGIN = "origin"
    PREVIEW = "preview"
    # Joining a table.
    HOW = "how"
    NAME = "name"
    # Changing one field of a card.
    EDIT = "edit"
    # Changing which notes a table grew from: picking, then the read-back before saving.
    LINK = "link"
    LINKED = "linked"


class Action(StrEnum):
    """What a tf: button asks for."""

    # Setting up a table.
    THEME = "th"
    NO_MAXIMUM = "cap"
    SKIP = "skip"
    SAVE = "save"
    STOP = "stop"
    # A card and joining it.
    OPEN = "o"
    JOIN = "j"
    SKIP_HOW = "hs"
    SHOW_NAME = "sn"
    NAME = "nm"
    LEAVE = "lv"
    LEAVE_YES = "lvy"
    LEAVE_NO = "lvn"
    # Changing a card.
    EDIT = "ed"
    FIELD = "f"
    NO_CAPACITY = "nocap"
    # Which notes a table grew from: the picker (set-up and card), saving from the card.
    ORIGIN = "og"
    NOTES = "nts"
    NOTES_SAVE = "nsv"
    NOTES_BACK = "nbk"
    # What the table's ambassador does.
    INVITE = "inv"
    INVITE_YES = "invy"
    INVITE_NO = "invn"
    LINK = "lnk"


KIND_CODES = Codes({Commitment.THINK: "t", Commitment.TAKE_PART: "p", Commitment.CONNECT: "c"})
FIELD_CODES = Codes(
    {
        CardField.TITLE: "ti",
        CardField.INITIATOR: "in",
        CardField.WHAT: "wh",
        CardField.AMBITIONS: "am",
        CardField.AGREEMENTS: "ag",
        CardField.WORKING: "wo",
        CardField.CAPACITY: "ca",
    }
)
YES, NO = "1", "0"

# How long a card's fields, and a member's line on how they take part, may be.
MAX_TITLE, MAX_NAME, MAX_FIELD, MAX_HOW, MAX_CAPACITY = 80, 80, 400, 150, 500


def button(
    lang: str, key: str, action: Action, *args: str | int, **values: object
) -> InlineKeyboardButton:
    """A tf: button with its label from the catalog."""
    return InlineKeyboardButton(
        shorten(plain(lang, key, **values), BUTTON_LABEL_LIMIT),
        callback_data=pack(PREFIX, action, *args),
    )


def read_capacity(value: str) -> int | None:
    """The number of places typed, or None when it is no number of places we allow."""
    # isdigit() also takes "²" and "①", which int() refuses: only 0-9 make a number here.
    typed = value.strip()
    capacity = int(typed) if typed.isascii() and typed.isdigit() else 0
    return capacity if 1 <= capacity <= MAX_CAPACITY else None
