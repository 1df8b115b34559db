"""A new note like one on the board: "Lijkt dit op wat je bedoelt?" before it is placed.

Asked once per note, only about a visible note of someone else. "Ja, ik ook" keeps the
writer's note in /mijn (not placed) and counts it as their "ik ook" for the other one;
"Nee, mijn briefje is anders" places it as usual. The buttons carry all that is needed, so
a restart between question and answer changes nothing.
"""

from __future__ import annotations

from telegram import Update

from bot.chat.callbacks import pack, unpack_int
from bot.chat.codes import QUADRANT_CODES
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say_with_buttons
from bot.chat.text_limits import shorten
from bot.chat.updates import user_id
from bot.chat.visible import notes_today, own_note
from bot.core.i18n import plain, t
from bot.village.visibility import NoteWindow
from conversations.board import shared_counts
from conversations.village_talk.actions import PREFIX, Action
from conversations.village_talk.keyboards import quadrant_keyboard
from conversations.village_talk.placing import confirm_placed, initial_status
from storage.models import Note, NoteStatus, Quadrant, Theme

QUOTE = 300
ASK = "-"


async def alike_note(update: Update, context: BuurtContext, theme: Theme, text: str) -> Note | None:
    """The visible note of someone else this text is most like, if any."""
    match = await context.services.similar.alike(theme.id, text, writer=user_id(update))
    if match is None:
        return None
    note = await context.services.repo.get_note(match.note_id)
    if note is None or note.status != NoteStatus.VISIBLE or note.author_id == user_id(update):
        return None
    return note


async def ask(
    update: Update, context: BuurtContext, note: Note, alike: Note, quadrant: Quadrant | None
) -> None:
    """Quote the alike note and ask; the writer's note waits, unplaced, for the answer."""
    lang = context.lang
    letter = QUADRANT_CODES.code(quadrant) if quadrant is not None else ASK
    await say_with_buttons(
        update,
        context,
        t(lang, "alike.question", text=shorten(alike.text, QUOTE)),
        [
            [(plain(lang, "alike.yes"), pack(PREFIX, Action.ALIKE_YES, note.id, alike.id))],
            [(plain(lang, "alike.no"), pack(PREFIX, Action.ALIKE_NO, note.id, letter))],
        ],
    )


async def _open_note(update: Update, context: BuurtContext, args: list[str]) -> Note | None:
    """The writer's own unplaced note a button names, in a theme that still takes notes."""
    note_id = unpack_int(args[0]) if len(args) == 2 else None
    if (note := await own_note(update, context, note_id)) is None:
        return None
    theme = await context.services.repo.get_theme(note.theme_id)
    if theme is None or notes_today(context, theme) != NoteWindow.OPEN:
        await answer_key(update, context, "talk.closed")
        await drop_buttons(update)
        return None
    if note.status != NoteStatus.DRAFT or note.quadrant is not None:
        # Answered before (a double tap, or from another device).
        await answer_key(update, context, "common.stale_button")
        await drop_buttons(update)
        return None
    return note


async def on_alike_yes(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Keep the note in /mijn and count it with the note it is like."""
    if (note := await _open_note(update, context, args)) is None:
        return
    other_id = unpack_int(args[1])
    repo = context.services.repo
    other = await repo.get_note(other_id) if other_id is not None else None
    await answer(update)
    lang = context.lang
    if (
        other is None
        or other.theme_id != note.theme_id
        or not await repo.add_support(other.id, user_id(update), via_note_id=note.id)
    ):
        if other is not None and other.id in await repo.supported_notes(
            user_id(update), [other.id]
        ):
            # Said before: nothing more to count.
            await drop_buttons(update)
            return
        await edit_or_send(update, context, t(lang, "alike.gone"), quadrant_keyboard(lang, note.id))
        return
    shared = (await shared_counts(repo, note.theme_id)).get(other.id, 1)
    await edit_or_send(update, context, t(lang, "alike.kept", n=shared))


async def on_alike_no(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Place the note as usual: where it was meant to go, or ask where."""
    if (note := await _open_note(update, context, args)) is None:
        return
    await answer(update)
    lang = context.lang
    quadrant = QUADRANT_CODES.value(args[1]) if args[1] != ASK else None
    if quadrant is None:
        await edit_or_send(update, context, t(lang, "talk.where"), quadrant_keyboard(lang, note.id))
        return
    theme = await context.services.repo.get_theme(note.theme_id)
    placed = await context.services.repo.set_note_quadrant(
        note.id, quadrant, initial_status(context)
    )
    if placed is None or theme is None:
        await answer_key(update, context, "talk.note_gone")
        return
    await confirm_placed(update, context, theme, quadrant, placed.status, edit=True)
