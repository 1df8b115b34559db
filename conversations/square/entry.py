"""Op het plein: every message the ambassador sends is one note heard at the stand, placed
with one tap; the speaker's village defaults to the one tapped last.

The notes have no writer (author_id NULL, no Telegram id anywhere) and origin IN_PERSON; they
go through moderation like any note. A photo sent here is kept as a photo of the paper board
(typing_off.py). The mode lives in chat_state, so a restart continues it.
"""

from __future__ import annotations

from telegram import Update

from bot.chat.callbacks import first_id, unpack_int
from bot.chat.codes import QUADRANT_CODES
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say, say_with_buttons
from bot.chat.updates import chat_id, user_id
from bot.chat.visible import notes_today
from bot.core.i18n import Html, plain, t
from bot.village.access import may_manage
from bot.village.notes import has_visible_text
from bot.village.visibility import NoteWindow
from conversations.square.access import in_person_status, may_type, mode_theme, places_of
from conversations.square.actions import FLOW, PREFIX, Action, Step
from conversations.square.keyboards import (
    UNKNOWN,
    markup,
    mode_rows,
    note_rows,
    stop_row,
    where_text,
)
from conversations.square.typing_off import keep_photo
from conversations.theme_list import managed_theme, managed_themes, offer_themes
from storage.models import Note, NoteKind, NoteOrigin, NoteStatus, Theme, ThemeStatus


async def square_command(update: Update, context: BuurtContext) -> None:
    """/plein: open the square for the one running theme, or ask which."""
    themes = [
        theme
        for theme in await managed_themes(update, context, (ThemeStatus.ACTIVE,))
        if notes_today(context, theme) == NoteWindow.OPEN
    ]
    if len(themes) == 1:
        await open_square(update, context, themes[0])
        return
    await offer_themes(update, context, themes, "square.pick", PREFIX, Action.GO)


async def on_go(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Open the square for the theme a button names (from /plein or the /themas card)."""
    theme = await managed_theme(update, context, args[0] if len(args) == 1 else None)
    if theme is None:
        return
    await answer(update)
    if notes_today(context, theme) != NoteWindow.OPEN:
        await say(update, context, t(context.lang, "square.theme_closed"))
        return
    await open_square(update, context, theme)


async def open_square(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Put the chat in the quick-entry mode for theme and say how it works."""
    lang = context.lang
    await context.services.repo.set_state(chat_id(update), FLOW, Step.NOTE, {"theme": theme.id})
    moderation = plain(
        lang,
        "square.moderation_pre"
        if in_person_status(context) == NoteStatus.PENDING
        else "square.moderation_post",
    )
    text = Html(
        f"{t(lang, 'square.opened', title=theme.title)}\n"
        f"{t(lang, 'square.mode_hint', moderation=moderation)}"
    )
    await say(update, context, text, markup(mode_rows(lang, theme.id)))


async def on_note(update: Update, context: BuurtContext) -> None:
    """One message at the stand: one note heard in person (a photo: the paper board)."""
    message = update.message
    assert message is not None
    lang = context.lang
    if message.photo and context.state.step == Step.NOTE:
        if (theme := await mode_theme(update, context)) is not None:
            await keep_photo(update, context, theme, message.photo[-1].file_id)
        return
    if not message.text:
        await say(update, context, t(lang, "square.only_text"))
        return
    if not has_visible_text(message.text):
        await say(update, context, t(lang, "square.invisible"))
        return
    if (theme := await mode_theme(update, context)) is None:
        return
    data = context.state.data
    heard = data.get("heard") if isinstance(data.get("heard"), str) else None
    photo = data.get("photo") if context.state.step == Step.TYPE else None
    note = await context.services.repo.add_note(
        theme_id=theme.id,
        author_id=None,
        kind=NoteKind.TEXT,
        text=message.text,
        file_id=None,
        quadrant=None,
        status=NoteStatus.DRAFT,
        source_update_id=update.update_id,
        origin=NoteOrigin.IN_PERSON,
        heard_in=heard,
        board_photo_id=photo if isinstance(photo, int) else None,
    )
    places = places_of(context, theme)
    await say_with_buttons(
        update, context, where_text(lang, places, heard), note_rows(lang, note.id, places, heard)
    )


async def _in_person_note(
    update: Update, context: BuurtContext, note_id: int | None
) -> tuple[Note, Theme] | None:
    """The in-person note a button names, with its theme, when this person may place it."""
    repo = context.services.repo
    note = await repo.get_note(note_id) if note_id is not None else None
    theme = await repo.get_theme(note.theme_id) if note is not None else None
    if note is None or theme is None or note.origin != NoteOrigin.IN_PERSON:
        await answer_key(update, context, "square.note_gone")
        return None
    if not may_manage(user_id(update), context.services.config, theme.place) and not (
        note.board_photo_id is not None and may_type(context, update, theme)
    ):
        await answer_key(update, context, "access.other_area", alert=True)
        return None
    return note, theme


async def on_place(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Place a note heard in person with the tap on one of the five places."""
    quadrant = QUADRANT_CODES.value(args[1]) if len(args) == 2 else None
    if quadrant is None:
        await answer_key(update, context, "square.note_gone")
        return
    if (found := await _in_person_note(update, context, first_id(args, 2))) is None:
        return
    note, theme = found
    lang = context.lang
    if notes_today(context, theme) != NoteWindow.OPEN:
        await answer_key(update, context, "square.theme_closed")
        await drop_buttons(update)
        return
    status = note.status if note.status != NoteStatus.DRAFT else in_person_status(context)
    placed = await context.services.repo.set_note_quadrant(note.id, quadrant, status)
    if placed is None:
        await answer_key(update, context, "square.note_gone")
        return
    await answer(update)
    at = plain(lang, f"quadrant_at.{quadrant.value}")
    key = "square.placed_pending" if placed.status == NoteStatus.PENDING else "square.placed"
    await edit_or_send(update, context, t(lang, key, at=at), markup([stop_row(lang)]))


async def on_heard(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Say which village or neighbourhood the speaker is from; the next notes default to it."""
    choice = args[1] if len(args) == 2 else None
    if choice is None:
        await answer_key(update, context, "square.note_gone")
        return
    if (found := await _in_person_note(update, context, first_id(args, 2))) is None:
        return
    note, theme = found
    places = places_of(context, theme)
    index = unpack_int(choice) if choice != UNKNOWN else None
    if choice != UNKNOWN and (index is None or index >= len(places)):
        await answer_key(update, context, "common.stale_button")
        return
    heard = places[index].stored if index is not None else None
    repo = context.services.repo
    await repo.set_note_heard_in(note.id, heard)
    state = context.state
    if state.flow == FLOW:
        await repo.set_state(chat_id(update), FLOW, state.step, dict(state.data, heard=heard))
    await answer(update)
    if note.quadrant is None:
        lang = context.lang
        await edit_or_send(
            update,
            context,
            where_text(lang, places, heard),
            markup(note_rows(lang, note.id, places, heard)),
        )


async def on_stop(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Leave the square: one tap."""
    await answer(update)
    await drop_buttons(update)
    if context.state.flow == FLOW:
        await context.services.repo.set_state(chat_id(update), None, None, {})
    await say(update, context, t(context.lang, "square.left"))
