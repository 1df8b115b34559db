"""Reporting a note: a resident reading the board says a note should not be there, and why.

The note goes back to the review queue with the reason; it stays on the board until a
moderator decides (one resident alone cannot take someone else's words down). Who reported
is kept only to stop double reports, and goes with /vergeet.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.chat.callbacks import pack, unpack, unpack_int
from bot.chat.codes import REPORT_REASON_CODES
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, edit_or_send
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import user_id
from bot.core.i18n import plain, t
from bot.services.digests import wake_digests
from storage.models import Note, NoteKind, NoteStatus, ReportOutcome

PAGE_SIZE = 5  # the board's page size: the report list shows the page that was read


def report_button(lang: str, theme_id: int, offset: int) -> InlineKeyboardButton:
    """The button under a page of the board that starts a report of one of its notes."""
    return InlineKeyboardButton(
        plain(lang, "report.button"), callback_data=pack("mr", "p", theme_id, offset)
    )


def _words(lang: str, note: Note) -> str:
    if note.kind == NoteKind.VOICE:
        return plain(lang, "board.voice_note")
    if note.kind == NoteKind.PHOTO and not note.text:
        return plain(lang, "board.photo_note")
    return " ".join(note.text.split())


def _label(lang: str, number: int, note: Note) -> str:
    return shorten(f"{number}. {_words(lang, note)}", BUTTON_LABEL_LIMIT)


async def on_pick(update: Update, context: BuurtContext) -> None:
    """Show the notes of the page that was read, to choose the one to report."""
    parts = unpack(update.callback_query.data if update.callback_query else None, "mr", 3)
    theme_id = unpack_int(parts[1]) if parts else None
    offset = unpack_int(parts[2]) if parts else None
    repo = context.services.repo
    theme = await repo.get_theme(theme_id) if theme_id is not None else None
    if theme is None or offset is None:
        await answer_key(update, context, "talk.theme_gone")
        return
    notes = await repo.list_notes(theme.id, limit=PAGE_SIZE, offset=offset)
    if not notes:
        await answer_key(update, context, "report.gone")
        return
    await answer(update)
    lang = context.lang
    rows = [
        [
            InlineKeyboardButton(
                _label(lang, offset + index, note), callback_data=pack("mr", "n", note.id)
            )
        ]
        for index, note in enumerate(notes, start=1)
    ]
    rows.append(
        [InlineKeyboardButton(plain(lang, "report.never_mind"), callback_data=pack("mr", "x"))]
    )
    await edit_or_send(update, context, t(lang, "report.which"), InlineKeyboardMarkup(rows))


async def on_note(update: Update, context: BuurtContext) -> None:
    """Ask why the note should not be on the board."""
    parts = unpack(update.callback_query.data if update.callback_query else None, "mr", 2)
    note_id = unpack_int(parts[1]) if parts else None
    note = await context.services.repo.get_note(note_id) if note_id is not None else None
    if note is None or note.status != NoteStatus.VISIBLE:
        await answer_key(update, context, "report.gone")
        return
    await answer(update)
    lang = context.lang
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, f"report.reason_{reason.value}"),
                callback_data=pack("mr", "r", note.id, letter),
            )
        ]
        for reason, letter in REPORT_REASON_CODES.items()
    ]
    rows.append(
        [InlineKeyboardButton(plain(lang, "report.never_mind"), callback_data=pack("mr", "x"))]
    )
    text = t(lang, "report.why", text=shorten(_words(lang, note), 300))
    await edit_or_send(update, context, text, InlineKeyboardMarkup(rows))


async def on_reason(update: Update, context: BuurtContext) -> None:
    """Store the report; the note goes back to the queue."""
    parts = unpack(update.callback_query.data if update.callback_query else None, "mr", 3)
    note_id = unpack_int(parts[1]) if parts else None
    reason = REPORT_REASON_CODES.value(parts[2]) if parts else None
    if note_id is None or reason is None:
        await answer_key(update, context, "common.stale_button")
        return
    services = context.services
    outcome = await services.repo.add_report(
        note_id, user_id(update), reason, now=services.clock.now()
    )
    await answer(update)
    if outcome == ReportOutcome.ADDED:
        wake_digests(context.application)
        await edit_or_send(update, context, t(context.lang, "report.thanks"))
    elif outcome == ReportOutcome.ALREADY:
        await edit_or_send(update, context, t(context.lang, "report.already"))
    else:
        await edit_or_send(update, context, t(context.lang, "report.gone"))


async def on_never_mind(update: Update, context: BuurtContext) -> None:
    await answer(update)
    await edit_or_send(update, context, t(context.lang, "report.cancelled"))


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of reporting a note."""
    return [
        CallbackQueryHandler(on_pick, pattern=r"^mr:p:"),
        CallbackQueryHandler(on_note, pattern=r"^mr:n:"),
        CallbackQueryHandler(on_reason, pattern=r"^mr:r:"),
        CallbackQueryHandler(on_never_mind, pattern=r"^mr:x$"),
    ]
