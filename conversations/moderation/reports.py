"""Reporting a note: a resident reading the board says a note should not be there, and why.

The note goes back to the review queue with the reason; it stays on the board until a
moderator decides (one resident alone cannot take someone else's words down). Who reported
is kept only to stop double reports, and goes with /vergeet.
"""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import first_id, pack, unpack_int
from bot.chat.codes import REPORT_REASON_CODES
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, edit_or_send
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import user_id
from bot.chat.visible import visible_theme
from bot.core.i18n import plain, t
from bot.services.digests import wake_digests

# The report list shows the page of the board that was read (explicitly re-exported for tests).
from bot.village.board import PAGE_SIZE as PAGE_SIZE
from conversations.moderation.cards import note_line
from storage.models import NoteStatus, ReportOutcome

PREFIX = "mr"


class ReportAction(StrEnum):
    """What a button of a report asks for."""

    PICK = "p"
    NOTE = "n"
    REASON = "r"
    NEVER_MIND = "x"


def _data(action: ReportAction, *parts: str | int) -> str:
    return pack(PREFIX, action, *parts)


def report_button(
    lang: str, theme_id: int, offset: int, *, by_support: bool = False
) -> InlineKeyboardButton:
    """The button under a page of the board that starts a report of one of its notes."""
    order = ("s",) if by_support else ()
    return InlineKeyboardButton(
        plain(lang, "report.button"),
        callback_data=_data(ReportAction.PICK, theme_id, offset, *order),
    )


def _menu(lang: str, buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """One button a row, and a last one to leave the report be."""
    never_mind = InlineKeyboardButton(
        plain(lang, "report.never_mind"), callback_data=_data(ReportAction.NEVER_MIND)
    )
    return InlineKeyboardMarkup([[button] for button in [*buttons, never_mind]])


async def on_pick(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Show the notes of the page that was read, to choose the one to report."""
    theme_id = unpack_int(args[0]) if len(args) in (2, 3) else None
    offset = unpack_int(args[1]) if len(args) in (2, 3) else None
    by_support = len(args) == 3 and args[2] == "s"
    repo = context.services.repo
    if offset is None or (len(args) == 3 and not by_support):
        await answer_key(update, context, "talk.theme_gone")
        return
    if (theme := await visible_theme(update, context, theme_id)) is None:
        return
    # The same notes as the page that was read, in its order.
    if by_support:
        notes = await repo.list_notes_by_support(theme.id, limit=PAGE_SIZE, offset=offset)
    else:
        notes = await repo.list_notes(theme.id, limit=PAGE_SIZE, offset=offset)
    if not notes:
        await answer_key(update, context, "report.gone")
        return
    await answer(update)
    lang = context.lang
    buttons = [
        InlineKeyboardButton(
            shorten(f"{offset + index}. {note_line(lang, note, 'board')}", BUTTON_LABEL_LIMIT),
            callback_data=_data(ReportAction.NOTE, note.id),
        )
        for index, note in enumerate(notes, start=1)
    ]
    await edit_or_send(update, context, t(lang, "report.which"), _menu(lang, buttons))


async def on_note(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Ask why the note should not be on the board."""
    note_id = first_id(args)
    note = await context.services.repo.get_note(note_id) if note_id is not None else None
    if note is None or note.status != NoteStatus.VISIBLE:
        await answer_key(update, context, "report.gone")
        return
    await answer(update)
    lang = context.lang
    buttons = [
        InlineKeyboardButton(
            plain(lang, f"report.reason_{reason.value}"),
            callback_data=_data(ReportAction.REASON, note.id, letter),
        )
        for reason, letter in REPORT_REASON_CODES.items()
    ]
    text = t(lang, "report.why", text=shorten(note_line(lang, note, "board"), 300))
    await edit_or_send(update, context, text, _menu(lang, buttons))


async def on_reason(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Store the report; the note goes back to the queue."""
    note_id = first_id(args, 2)
    reason = REPORT_REASON_CODES.value(args[1]) if len(args) == 2 else None
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
    """Leave the note be; nothing was reported."""
    await answer(update)
    await edit_or_send(update, context, t(context.lang, "report.cancelled"))
