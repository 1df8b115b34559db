"""The names of the review queue's buttons and the shapes of their callback data.

The action values are the short codes on buttons already sent to moderators, so they never
change. Note buttons read md:<action>:<note>:<round>[:<choice>]; the round is the number of
decisions made on the note before, so a card shown for an older round is stale.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from telegram import Update

from bot.chat.callbacks import MAX_BYTES, ButtonHandler, pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.replies import answer_key
from bot.core.config import ModerationMode
from storage.models import QueueItem

FLOW = "moderation"
REDACT = "redact"
PREFIX = "md"
PAGE_SIZE = 5


class Action(StrEnum):
    """What a button of the review queue asks for."""

    QUEUE = "q"
    MORE = "more"
    APPROVE_ALL = "all"
    APPROVE = "ok"
    BACK = "b"
    HIDE = "h"
    MOVE = "m"
    DUPLICATE = "d"
    REDACT = "r"
    REDACT_PIECE = "rc"
    REDACT_SAVE = "rok"
    REDACT_STOP = "rx"


def mode(context: BuurtContext) -> ModerationMode:
    """Pre- or post-moderation, as configured: it decides which notes wait."""
    return context.services.config.moderation.mode


def button_data(action: Action, *parts: str | int) -> str:
    """Callback data for one button of the queue."""
    return pack(PREFIX, action, *parts)


def note_data(action: Action, item: QueueItem, *choice: str | int) -> str:
    """Callback data for a button about one note in the round its card shows."""
    return button_data(action, item.note.id, item.round, *choice)


@dataclass(frozen=True)
class NotePress:
    """A press on a note's button: the note, the round the card was shown for, a choice."""

    note_id: int
    round: int
    choice: str | None


NoteHandler = Callable[[Update, BuurtContext, NotePress], Awaitable[None]]


def note_button(handler: NoteHandler) -> ButtonHandler:
    """Read the note and round a button names; forged or malformed data hears stale."""

    async def on_press(update: Update, context: BuurtContext, args: list[str]) -> None:
        if len(args) not in (2, 3):
            await answer_key(update, context, "common.stale_button")
            return
        note_id, round_ = unpack_int(args[0]), unpack_int(args[1])
        if note_id is None or round_ is None:
            await answer_key(update, context, "common.stale_button")
            return
        choice = args[2] if len(args) == 3 else None
        await handler(update, context, NotePress(note_id, round_, choice))

    on_press.__doc__ = handler.__doc__
    on_press.__name__ = handler.__name__
    return on_press


BareHandler = Callable[[Update, BuurtContext], Awaitable[None]]


def bare_button(handler: BareHandler) -> ButtonHandler:
    """A button that carries nothing after its action; anything more is forged or stale."""

    async def on_press(update: Update, context: BuurtContext, args: list[str]) -> None:
        if args:
            await answer_key(update, context, "common.stale_button")
            return
        await handler(update, context)

    on_press.__doc__ = handler.__doc__
    on_press.__name__ = handler.__name__
    return on_press


# -- approve all: md:all:<note>.<round>-<note>.<round>... in base 36 ----------------------------

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_PAIR = "."
_NEXT = "-"


def _b36(value: int) -> str:
    out = ""
    while True:
        value, rest = divmod(value, 36)
        out = _DIGITS[rest] + out
        if value == 0:
            return out


def approve_all_data(items: list[QueueItem]) -> str:
    """The notes a page showed, with their rounds, as many as fit in Telegram's 64 bytes."""
    prefix = f"{PREFIX}:{Action.APPROVE_ALL}:"
    chunks: list[str] = []
    for item in items:
        candidate = [*chunks, f"{_b36(item.note.id)}{_PAIR}{_b36(item.round)}"]
        if len((prefix + _NEXT.join(candidate)).encode()) > MAX_BYTES:
            break
        chunks = candidate
    return button_data(Action.APPROVE_ALL, _NEXT.join(chunks))


def parse_approve_all(value: str) -> list[tuple[int, int]] | None:
    """The (note, round) pairs of an approve-all button, or None when the data is forged."""
    pairs: list[tuple[int, int]] = []
    for chunk in value.split(_NEXT):
        note, _, round_ = chunk.partition(_PAIR)
        try:
            pairs.append((int(note, 36), int(round_, 36)))
        except ValueError:
            return None
    return pairs[:PAGE_SIZE] if pairs else None
