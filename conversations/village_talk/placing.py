"""Choosing the quadrant: a note is placed (or moved) with a tap, and the resident hears where."""

from __future__ import annotations

from telegram import Update

from bot.chat.callbacks import first_id
from bot.chat.codes import QUADRANT_CODES
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say
from bot.chat.visible import notes_today, own_note
from bot.core.i18n import plain, t
from bot.village.visibility import NoteWindow
from conversations.village_talk.contact import maybe_invite
from conversations.village_talk.keyboards import after_keyboard
from storage.models import NoteStatus, Quadrant, Theme


def initial_status(context: BuurtContext) -> NoteStatus:
    """A placed note waits for a moderator in pre-moderation, else it shows at once."""
    if context.services.config.moderation.mode == "pre":
        return NoteStatus.PENDING
    return NoteStatus.VISIBLE


async def confirm_placed(
    update: Update,
    context: BuurtContext,
    theme: Theme,
    quadrant: Quadrant,
    status: NoteStatus,
    *,
    edit: bool,
) -> None:
    """Say where the note went (and whether it waits), then maybe ask about a table."""
    lang = context.lang
    if quadrant == Quadrant.EXAMPLE and update.message is not None and update.message.photo:
        text = t(
            lang, "talk.photo_pending" if status == NoteStatus.PENDING else "talk.photo_placed"
        )
    else:
        key = "talk.placed_pending" if status == NoteStatus.PENDING else "talk.placed"
        text = t(lang, key, at=plain(lang, f"quadrant_at.{quadrant.value}"))
    markup = after_keyboard(lang, theme.id)
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)
    await maybe_invite(update, context, theme)


async def on_quadrant(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Place a note in the quadrant the resident tapped."""
    note_id = first_id(args, 2)
    quadrant = QUADRANT_CODES.value(args[1]) if len(args) == 2 else None
    repo = context.services.repo
    if quadrant is None:
        await answer_key(update, context, "talk.note_gone")
        return
    if (note := await own_note(update, context, note_id)) is None:
        return
    theme = await repo.get_theme(note.theme_id)
    if theme is None or notes_today(context, theme) != NoteWindow.OPEN:
        await answer_key(update, context, "talk.closed")
        await drop_buttons(update)
        return
    if note.quadrant == quadrant:
        at = plain(context.lang, f"quadrant_at.{quadrant.value}")
        await answer(update, plain(context.lang, "talk.already_placed", at=at))
        return
    # A note a moderator hid stays hidden when its writer moves it.
    status = (
        note.status
        if note.status in (NoteStatus.VISIBLE, NoteStatus.PENDING, NoteStatus.HIDDEN)
        else initial_status(context)
    )
    placed = await repo.set_note_quadrant(note.id, quadrant, status)
    if placed is None:
        await answer_key(update, context, "talk.note_gone")
        return
    await answer(update)
    await confirm_placed(update, context, theme, quadrant, placed.status, edit=True)
