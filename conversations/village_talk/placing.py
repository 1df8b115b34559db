"""Choosing the quadrant: a note is placed (or moved) with a tap, and the resident hears where."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import first_id, pack
from bot.chat.codes import QUADRANT_CODES
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say
from bot.chat.visible import notes_today, own_note
from bot.core.i18n import plain, t
from bot.village.redaction import contact_details_in, without_contact_details
from bot.village.visibility import NoteWindow
from conversations.village_talk.actions import PREFIX, Action
from conversations.village_talk.burst import burst_of, forget_burst
from conversations.village_talk.contact import maybe_invite
from conversations.village_talk.keyboards import after_keyboard
from storage.models import Note, NoteStatus, Quadrant, Theme


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


async def _pressed(
    update: Update, context: BuurtContext, args: list[str]
) -> tuple[Note, Quadrant, Theme] | None:
    """The own note, quadrant and open theme a placing button names; answer the press else."""
    note_id = first_id(args, 2)
    quadrant = QUADRANT_CODES.value(args[1]) if len(args) == 2 else None
    repo = context.services.repo
    if quadrant is None:
        await answer_key(update, context, "talk.note_gone")
        return None
    if (note := await own_note(update, context, note_id)) is None:
        return None
    theme = await repo.get_theme(note.theme_id)
    if theme is None or notes_today(context, theme) != NoteWindow.OPEN:
        await answer_key(update, context, "talk.closed")
        await drop_buttons(update)
        return None
    return note, quadrant, theme


async def on_quadrant(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Place a note in the quadrant the resident tapped; ask first about contact details."""
    if (pressed := await _pressed(update, context, args)) is None:
        return
    note, quadrant, theme = pressed
    if note.quadrant == quadrant:
        at = plain(context.lang, f"quadrant_at.{quadrant.value}")
        await answer(update, plain(context.lang, "talk.already_placed", at=at))
        return
    if note.quadrant is None and await ask_about_contact(update, context, note, quadrant):
        return
    if note.quadrant is None and (burst := await burst_of(update, context, note)):
        await _place_all(update, context, burst, quadrant, theme)
        return
    await _place(update, context, note, quadrant, theme)


async def _place_all(
    update: Update, context: BuurtContext, notes: list[int], quadrant: Quadrant, theme: Theme
) -> None:
    """Put every quick note of one burst in the quadrant and say how many went there."""
    repo = context.services.repo
    status = initial_status(context)
    placed = [p for n in notes if (p := await repo.set_note_quadrant(n, quadrant, status))]
    await forget_burst(update, context)
    await answer(update)
    lang = context.lang
    pending = any(p.status == NoteStatus.PENDING for p in placed)
    key = "understanding.burst_placed_pending" if pending else "understanding.burst_placed"
    at = plain(lang, f"quadrant_at.{quadrant.value}")
    text = t(lang, key, count=len(placed), at=at)
    await edit_or_send(update, context, text, after_keyboard(lang, theme.id))
    await maybe_invite(update, context, theme)


async def ask_about_contact(
    update: Update, context: BuurtContext, note: Note, quadrant: Quadrant
) -> bool:
    """Ask the writer first when the note seems to hold contact details; False when none."""
    kinds = contact_details_in(note.text or "")
    if not kinds:
        return False
    # Before the note is shown anywhere, its writer decides about what looks private.
    await answer(update)
    lang = context.lang
    code = QUADRANT_CODES.code(quadrant)
    row = [
        InlineKeyboardButton(plain(lang, key), callback_data=pack(PREFIX, action, note.id, code))
        for key, action in (
            ("understanding.keep_as_is", Action.KEEP),
            ("understanding.take_out", Action.STRIP),
        )
    ]
    text = t(lang, f"understanding.contact_{kinds[0].value}")
    await edit_or_send(update, context, text, InlineKeyboardMarkup([row]))
    return True


async def on_keep(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Place the note with its words as they are: its writer said so."""
    if (pressed := await _pressed(update, context, args)) is None:
        return
    await _place(update, context, *pressed)


async def on_strip(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Take the contact details out of the note, then place it."""
    if (pressed := await _pressed(update, context, args)) is None:
        return
    note, quadrant, theme = pressed
    if note.text:
        mode = context.services.config.moderation.mode
        edited = await context.services.repo.edit_note_text(
            mode, note.id, without_contact_details(note.text)
        )
        if edited is None:
            await answer_key(update, context, "talk.note_gone")
            return
        note = edited
    await _place(update, context, note, quadrant, theme)


async def _place(
    update: Update, context: BuurtContext, note: Note, quadrant: Quadrant, theme: Theme
) -> None:
    """Put the note in the quadrant and say where it went."""
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
    placed = await context.services.repo.set_note_quadrant(note.id, quadrant, status)
    if placed is None:
        await answer_key(update, context, "talk.note_gone")
        return
    await answer(update)
    await confirm_placed(update, context, theme, quadrant, placed.status, edit=True)
