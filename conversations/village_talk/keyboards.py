"""The buttons of the village talk: the quadrants, what comes after a note, the invite."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.callbacks import pack
from bot.chat.codes import QUADRANT_CODES
from bot.core.i18n import plain
from conversations import board
from conversations.village_talk.actions import PREFIX, Action
from storage.models import Quadrant


def quadrant_pairs(lang: str, *prefix: str | int) -> list[list[tuple[str, str]]]:
    """The five quadrant buttons as (label, data), two by two, for say_with_buttons."""

    def button(q: Quadrant) -> tuple[str, str]:
        return plain(lang, f"quadrant.{q.value}"), pack(*prefix, QUADRANT_CODES.code(q))

    return [
        [button(Quadrant.WISH), button(Quadrant.EXAMPLE)],
        [button(Quadrant.POSSIBILITY), button(Quadrant.QUESTION)],
        [button(Quadrant.OTHER)],
    ]


def _quadrant_rows(lang: str, *prefix: str | int) -> list[list[InlineKeyboardButton]]:
    return [
        [InlineKeyboardButton(label, callback_data=data) for label, data in row]
        for row in quadrant_pairs(lang, *prefix)
    ]


def quadrant_keyboard(lang: str, note_id: int) -> InlineKeyboardMarkup:
    """The buttons that place (or move) one note."""
    return InlineKeyboardMarkup(_quadrant_rows(lang, PREFIX, Action.QUADRANT, note_id))


def preselect_keyboard(lang: str, theme_id: int) -> InlineKeyboardMarkup:
    """The four quadrants, to choose before writing."""
    return InlineKeyboardMarkup(_quadrant_rows(lang, PREFIX, Action.PRESELECT, theme_id)[:2])


def after_keyboard(lang: str, theme_id: int) -> InlineKeyboardMarkup:
    """After a placed note: look at the board, or end the talk."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "talk.see_board"),
                    callback_data=pack(board.PREFIX, board.Action.OPEN, theme_id),
                ),
                InlineKeyboardButton(
                    plain(lang, "talk.done"), callback_data=pack(PREFIX, Action.DONE, theme_id)
                ),
            ]
        ]
    )


def invite_keyboard(lang: str, theme_id: int) -> InlineKeyboardMarkup:
    """Yes or no to being invited to a table about this theme."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "common.yes_please"),
                    callback_data=pack(PREFIX, Action.INVITE, theme_id, 1),
                ),
                InlineKeyboardButton(
                    plain(lang, "common.no_thanks"),
                    callback_data=pack(PREFIX, Action.INVITE, theme_id, 0),
                ),
            ]
        ]
    )


def board_keyboard(lang: str, theme_id: int) -> InlineKeyboardMarkup:
    """The board of a theme that no longer takes notes."""
    data = pack(board.PREFIX, board.Action.OPEN, theme_id)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(plain(lang, "talk.see_board"), callback_data=data)]]
    )


def news_keyboard(lang: str) -> InlineKeyboardMarkup:
    """Ask for theme news, for a resident who came too early."""
    data = pack(PREFIX, Action.NEWS)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(plain(lang, "talk.news_yes"), callback_data=data)]]
    )


def follow_keyboard(lang: str) -> InlineKeyboardMarkup:
    """Yes or no to hearing what came of one's notes."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "common.yes_please"), callback_data=pack(PREFIX, Action.FOLLOW, 1)
                ),
                InlineKeyboardButton(
                    plain(lang, "common.no_thanks"), callback_data=pack(PREFIX, Action.FOLLOW, 0)
                ),
            ]
        ]
    )
