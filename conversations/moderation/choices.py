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
from bot.services.similar_notes import LIST_ALL
from conversations.moderation.actions import Action, NotePress, note_data
from conversations.moderation.cards import back_row, main_keyboard, note_line, set_buttons
from conversations.moderation.decisions import current, decide
from storage.models import Decision, Note, NoteKind, QueueItem

DUPLICATE_CHOICES = 6
PAGE_MARK = "p"  # md:d:<note>:<round>:p<offset> turns the page of choices


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
    """Offer the board's notes, most alike first, a page at a time; a chosen one is marked."""
    offset = 0
    if press.choice is not None and press.choice.startswith(PAGE_MARK):
        offset = unpack_int(press.choice[len(PAGE_MARK) :]) or 0
    elif press.choice is not None:
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
    order = await originals(context, item.note)
    if not order:
        await answer_key(update, context, "moderation.no_originals", alert=True)
        return
    offset = min(offset, (len(order) - 1) // DUPLICATE_CHOICES * DUPLICATE_CHOICES)
    repo = context.services.repo
    shown = [
        other
        for note_id in order[offset : offset + DUPLICATE_CHOICES]
        if (other := await repo.get_note(note_id)) is not None
    ]
    rows = [
        [
            InlineKeyboardButton(
                shorten(note_line(lang, other, "moderation"), BUTTON_LABEL_LIMIT),
                callback_data=note_data(Action.DUPLICATE, item, other.id),
            )
        ]
        for other in shown
    ]
    nav: list[InlineKeyboardButton] = []
    if offset > 0:
        back = max(0, offset - DUPLICATE_CHOICES)
        nav.append(
            InlineKeyboardButton(
                plain(lang, "duplicate.earlier"),
                callback_data=note_data(Action.DUPLICATE, item, f"{PAGE_MARK}{back}"),
            )
        )
    if offset + DUPLICATE_CHOICES < len(order):
        ahead = offset + DUPLICATE_CHOICES
        nav.append(
            InlineKeyboardButton(
                plain(lang, "duplicate.more"),
                callback_data=note_data(Action.DUPLICATE, item, f"{PAGE_MARK}{ahead}"),
            )
        )
    if nav:
        rows.append(nav)
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


async def originals(context: BuurtContext, note: Note) -> list[int]:
    """The notes this one may repeat: the most alike first, then every other, newest first."""
    services = context.services
    words = note.text if note.kind != NoteKind.VOICE else ""
    alike = await services.similar.ranked(note.theme_id, words, exclude={note.id})
    seen = {note.id, *alike}
    rest = await services.repo.list_notes(note.theme_id, limit=LIST_ALL)
    return [*alike, *(other.id for other in rest if other.id not in seen)]
