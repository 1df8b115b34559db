"""A card's decisions: approve, hide with a reason, move to another quadrant, mark a duplicate.

A button without a choice swaps the card's buttons for the choices; the choice decides.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import unpack_int
from bot.chat.codes import HIDE_REASON_CODES, QUADRANT_CODES
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.core.i18n import plain
from conversations.moderation.actions import Action, NotePress, note_data
from conversations.moderation.cards import back_row, main_keyboard, note_line, set_buttons
from conversations.moderation.decisions import current, decide
from storage.models import Decision, Note, QueueItem

DUPLICATE_CHOICES = 6


async def on_approve(update: Update, context: BuurtContext, press: NotePress) -> None:
    """Put the note on the board as it is."""
    if press.choice is not None:
        await answer_key(update, context, "common.stale_button")
        return
    await decide(update, context, press.note_id, press.round, Decision.APPROVE)


async def on_back(update: Update, context: BuurtContext, press: NotePress) -> None:
    """Bring back the card's first buttons."""
    item = await current(update, context, press.note_id, press.round)
    if item is None:
        return
    await answer(update)
    await set_buttons(update, main_keyboard(context.lang, item))


async def on_hide(update: Update, context: BuurtContext, press: NotePress) -> None:
    """Without a reason: show the reasons. With one: hide the note."""
    if press.choice is not None:
        reason = HIDE_REASON_CODES.value(press.choice)
        if reason is None:
            await answer_key(update, context, "common.stale_button")
            return
        await decide(update, context, press.note_id, press.round, Decision.HIDE, reason=reason)
        return
    item = await current(update, context, press.note_id, press.round)
    if item is None:
        return
    lang = context.lang
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, f"moderation.reason_{reason.value}"),
                callback_data=note_data(Action.HIDE, item, letter),
            )
        ]
        for reason, letter in HIDE_REASON_CODES.items()
    ]
    await _offer(update, context, item, rows, "moderation.why_hide")


async def on_move(update: Update, context: BuurtContext, press: NotePress) -> None:
    """Without a quadrant: show the others. With one: move the note there."""
    if press.choice is not None:
        quadrant = QUADRANT_CODES.value(press.choice)
        if quadrant is None:
            await answer_key(update, context, "common.stale_button")
            return
        await decide(update, context, press.note_id, press.round, Decision.MOVE, quadrant=quadrant)
        return
    item = await current(update, context, press.note_id, press.round)
    if item is None:
        return
    lang = context.lang
    buttons = [
        InlineKeyboardButton(
            plain(lang, f"quadrant.{quadrant.value}"),
            callback_data=note_data(Action.MOVE, item, letter),
        )
        for quadrant, letter in QUADRANT_CODES.items()
        if quadrant != item.note.quadrant
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await _offer(update, context, item, rows, "moderation.where_to")


async def on_duplicate(update: Update, context: BuurtContext, press: NotePress) -> None:
    """Without another note: show the board's notes to choose from. With one: mark it."""
    if press.choice is not None:
        original = unpack_int(press.choice)
        if original is None:
            await answer_key(update, context, "common.stale_button")
            return
        await decide(
            update, context, press.note_id, press.round, Decision.DUPLICATE, duplicate_of=original
        )
        return
    item = await current(update, context, press.note_id, press.round)
    if item is None:
        return
    lang = context.lang
    choices = await _originals(context, item.note)
    if not choices:
        await answer_key(update, context, "moderation.no_originals", alert=True)
        return
    rows = [
        [
            InlineKeyboardButton(
                shorten(note_line(lang, other, "moderation"), BUTTON_LABEL_LIMIT),
                callback_data=note_data(Action.DUPLICATE, item, other.id),
            )
        ]
        for other in choices
    ]
    await _offer(update, context, item, rows, "moderation.which_original")


async def _offer(
    update: Update,
    context: BuurtContext,
    item: QueueItem,
    rows: list[list[InlineKeyboardButton]],
    prompt: str,
) -> None:
    """Swap the card's buttons for the choices and a way back, and say what to choose."""
    await answer_key(update, context, prompt)
    await set_buttons(update, InlineKeyboardMarkup([*rows, back_row(context.lang, item)]))


async def _originals(context: BuurtContext, note: Note) -> list[Note]:
    """The notes this one may repeat: the same quadrant's first, then the rest of the theme."""
    repo = context.services.repo
    same = await repo.list_notes(note.theme_id, quadrant=note.quadrant, limit=DUPLICATE_CHOICES + 1)
    rest = await repo.list_notes(note.theme_id, limit=DUPLICATE_CHOICES * 3)
    choices: list[Note] = []
    for other in [*same, *rest]:
        if other.id != note.id and other not in choices and len(choices) < DUPLICATE_CHOICES:
            choices.append(other)
    return choices
