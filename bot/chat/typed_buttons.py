"""A typed word that is a shown button's label counts as pressing that button.

After "tik op Klaar" people type "klaar"; at a skippable question they type "sla over". The
inline buttons of the last message the bot showed in a step are kept in the chat's stored
state (restart-safe); a free message whose words are one of those labels (case, accents,
punctuation and emoji aside) is handled as that press, by the same handler and guard.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.ext import CallbackQueryHandler

from bot.chat.context import BuurtContext

SHOWN = "_shown"
"""The chat state's key for the last shown buttons: {"m": message id, "b": [[label, data]]}."""

TYPED = "typed:"
"""The id of a press made by typing; such a press has no Telegram query to answer."""


def words_of(text: str) -> str:
    """The words of a label or a message, for comparing: no case, accents, punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


# Labels come from the catalogs, a few hundred in all: each is worked out once.
_label_words = lru_cache(maxsize=2048)(words_of)

LONGEST_TYPED = 200
"""A message longer than this is words of its own, never a typed button label."""


def button_pairs(markup: InlineKeyboardMarkup) -> list[tuple[str, str]]:
    """The (label, data) of every callback button of a keyboard."""
    return [
        (button.text, button.callback_data)
        for row in markup.inline_keyboard
        for button in row
        if isinstance(button.callback_data, str)
    ]


async def remember(
    context: BuurtContext,
    chat_id: int,
    message_id: int,
    pairs: Sequence[tuple[str, str]],
    keep: Mapping[str, Any] | None = None,
) -> None:
    """Keep the buttons just shown in the chat's step, so typing a label presses it.

    ``keep``: more of the step's state, stored in the same write.
    """
    repo = context.services.repo
    state = await repo.get_state(chat_id)
    if state.flow is None:
        return
    shown = {
        "m": message_id,
        "b": [[label, data] for label, data in pairs if _label_words(label)],
    }
    await repo.set_state(
        chat_id, state.flow, state.step, {**state.data, **(keep or {}), SHOWN: shown}
    )


def _pressed_data(text: str, shown: object) -> tuple[int, str] | None:
    """The message id and data of the one shown button whose label is the typed text."""
    if not isinstance(shown, dict) or not isinstance(shown.get("m"), int):
        return None
    if len(text) > LONGEST_TYPED:
        return None
    typed = words_of(text)
    if not typed:
        return None
    found = [
        pair[1]
        for pair in shown.get("b", [])
        if isinstance(pair, list) and len(pair) == 2 and _label_words(str(pair[0])) == typed
    ]
    return (shown["m"], str(found[0])) if len(set(found)) == 1 else None


async def press_typed(update: Update, context: BuurtContext) -> bool:
    """Handle a typed label as the press of its button; False when the text is no label."""
    message = update.message
    if message is None or not message.text or message.from_user is None:
        return False
    pressed = _pressed_data(message.text, context.state.data.get(SHOWN))
    if pressed is None:
        return False
    message_id, data = pressed
    shown = Message(
        message_id,
        message.date,
        message.chat,
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("·", callback_data=data)]]),
    )
    shown.set_bot(context.bot)
    query = CallbackQuery(
        f"{TYPED}{update.update_id}",
        message.from_user,
        f"{TYPED}{message.chat.id}",
        message=shown,
        data=data,
    )
    query.set_bot(context.bot)
    typed = Update(update.update_id, callback_query=query)
    for group in sorted(context.application.handlers):
        for handler in context.application.handlers[group]:
            if isinstance(handler, CallbackQueryHandler) and handler.check_update(typed):
                await handler.callback(typed, context)
                return True
    return False


def is_typed(query: CallbackQuery) -> bool:
    """Whether this press was typed (there is no Telegram query to answer)."""
    return query.id.startswith(TYPED)
