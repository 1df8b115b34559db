"""The resident's own notes in /mijn: a page of them, one card each to change, move or delete."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import first_id, pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say
from bot.chat.text_limits import first_words, shorten
from bot.chat.updates import chat_id, user_id
from bot.chat.visible import notes_today, own_note
from bot.core.i18n import Html, plain, t
from bot.village.notes import has_visible_text
from bot.village.visibility import NoteWindow
from conversations import village_talk
from conversations.my_notes.actions import EDIT, FLOW, PREFIX, Action
from conversations.my_notes.choices import send_choices
from storage.models import Note, NoteKind, NoteStatus

PAGE_SIZE = 8
PREVIEW = 120
# A note's button: its number and first words, one per row so the words can be read.
LABEL = 40


async def mine_command(update: Update, context: BuurtContext) -> None:
    """Show the resident's choices and their notes."""
    await send_choices(update, context, edit=False)
    await _send_notes(update, context, offset=0, edit=False)


async def on_page(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Turn to another page of the resident's notes."""
    offset = first_id(args)
    if offset is None:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await _send_notes(update, context, offset=offset, edit=True)


async def _send_notes(update: Update, context: BuurtContext, *, offset: int, edit: bool) -> None:
    lang = context.lang
    notes = await context.services.repo.list_notes_by_author(user_id(update))
    if not notes:
        await say(update, context, t(lang, "mine.none"))
        return
    page = notes[offset : offset + PAGE_SIZE]
    titles = await _theme_titles(context, page)
    lines = [t(lang, "mine.title", total=len(notes))]
    buttons: list[InlineKeyboardButton] = []
    for number, note in enumerate(page, start=offset + 1):
        lines.append(
            t(
                lang,
                "mine.line",
                number=number,
                quadrant=_quadrant_name(note, lang),
                theme=titles.get(note.theme_id, "?"),
                status=_status(note, lang),
                text=shorten(_text(note, lang), PREVIEW),
            )
        )
        label = first_words(f"{number}. {_text(note, lang)}", LABEL)
        buttons.append(
            InlineKeyboardButton(label, callback_data=pack(PREFIX, Action.NOTE, note.id))
        )
    rows = [[button] for button in buttons]
    nav: list[InlineKeyboardButton] = []
    if offset > 0:
        nav.append(_page_button(plain(lang, "board.newer"), max(0, offset - PAGE_SIZE)))
    if offset + PAGE_SIZE < len(notes):
        nav.append(_page_button(plain(lang, "board.older"), offset + PAGE_SIZE))
    if nav:
        rows.append(nav)
    text = Html("\n".join(lines))
    if edit:
        await edit_or_send(update, context, text, InlineKeyboardMarkup(rows))
    else:
        await say(update, context, text, InlineKeyboardMarkup(rows))


async def on_list(update: Update, context: BuurtContext, args: list[str]) -> None:
    """The way back: the resident's notes again, below what was just said."""
    await answer(update)
    await drop_buttons(update)
    await _send_notes(update, context, offset=0, edit=False)


def back_to_list(lang: str) -> InlineKeyboardMarkup:
    """One button back to the list of notes, under a card or after a change."""
    return InlineKeyboardMarkup([[_back_button(lang)]])


def _back_button(lang: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        plain(lang, "mine_list.back"), callback_data=pack(PREFIX, Action.LIST)
    )


def _status(note: Note, lang: str) -> str:
    """A note the board does not show says so, in the list and on its card."""
    if note.status == NoteStatus.PENDING:
        return plain(lang, "mine.status_pending")
    if note.status == NoteStatus.HIDDEN:
        return plain(lang, "mine.status_hidden")
    return ""


def _page_button(label: str, offset: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=pack(PREFIX, Action.PAGE, offset))


async def _theme_titles(context: BuurtContext, notes: list[Note]) -> dict[int, str]:
    titles: dict[int, str] = {}
    for theme_id in {n.theme_id for n in notes}:
        theme = await context.services.repo.get_theme(theme_id)
        if theme is not None:
            titles[theme_id] = shorten(theme.title, 60)
    return titles


def _quadrant_name(note: Note, lang: str) -> str:
    return plain(lang, f"quadrant.{note.quadrant.value}" if note.quadrant else "mine.no_quadrant")


def _text(note: Note, lang: str) -> str:
    if note.text:
        return note.text
    return plain(lang, "board.voice_note" if note.kind == NoteKind.VOICE else "board.photo_note")


async def _own_note(update: Update, context: BuurtContext, args: list[str]) -> Note | None:
    """Return the note a button names when it is the presser's own; answer the press else.

    Every note button is answered here, so the actions below need not answer again.
    """
    if len(args) != 1:
        await answer_key(update, context, "common.stale_button")
        return None
    if (note := await own_note(update, context, unpack_int(args[0]))) is None:
        return None
    await answer(update)
    return note


async def on_note(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Open one note as a card with what can be done with it."""
    if (note := await _own_note(update, context, args)) is None:
        return
    lang = context.lang
    notes = await context.services.repo.list_notes_by_author(note.author_id or 0)
    number = next((i for i, n in enumerate(notes, start=1) if n.id == note.id), 0)
    titles = await _theme_titles(context, [note])
    text = t(
        lang,
        "mine.note_card",
        number=number,
        theme=titles.get(note.theme_id, "?"),
        quadrant=_quadrant_name(note, lang),
        status=_status(note, lang),
        text=shorten(_text(note, lang), 3000),
    )
    row = [
        InlineKeyboardButton(plain(lang, key), callback_data=pack(PREFIX, action, note.id))
        for key, action in (
            ("mine.edit", Action.EDIT),
            ("mine.move", Action.MOVE),
            ("mine.delete", Action.DELETE),
        )
    ]
    await say(update, context, text, InlineKeyboardMarkup([row, [_back_button(lang)]]))


async def _theme_closed(update: Update, context: BuurtContext, note: Note) -> bool:
    """Say so when the note's theme takes no notes any more: its words stay as they were."""
    theme = await context.services.repo.get_theme(note.theme_id)
    if theme is None or notes_today(context, theme) != NoteWindow.ENDED:
        return False
    lang = context.lang
    keyboard = village_talk.board_keyboard(lang, theme.id)
    await say(update, context, t(lang, "understanding.closed_no_edit"), keyboard)
    return True


async def on_edit(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Wait for the note's new words, while its theme still takes notes."""
    if (note := await _own_note(update, context, args)) is None:
        return
    if await _theme_closed(update, context, note):
        return
    await context.services.repo.set_state(chat_id(update), FLOW, EDIT, {"note": note.id})
    await say(update, context, t(context.lang, "mine.ask_text"))


async def on_move(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Offer the quadrants again; the village talk places the note."""
    if (note := await _own_note(update, context, args)) is None:
        return
    lang = context.lang
    await say(update, context, t(lang, "talk.where"), village_talk.quadrant_keyboard(lang, note.id))


async def on_delete(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Ask once whether the note should really go."""
    if (note := await _own_note(update, context, args)) is None:
        return
    lang = context.lang
    row = [
        InlineKeyboardButton(plain(lang, key), callback_data=pack(PREFIX, action, note.id))
        for key, action in (
            ("mine.yes_delete", Action.DELETE_YES),
            ("mine.no_keep", Action.DELETE_NO),
        )
    ]
    await edit_or_send(update, context, t(lang, "mine.confirm_delete"), InlineKeyboardMarkup([row]))


async def on_delete_yes(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Delete the note for good."""
    if (note := await _own_note(update, context, args)) is None:
        return
    await context.services.repo.delete_note(note.id)
    lang = context.lang
    await edit_or_send(update, context, t(lang, "mine.deleted"), back_to_list(lang))


async def on_delete_no(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Keep the note after all."""
    if await _own_note(update, context, args) is None:
        return
    lang = context.lang
    await edit_or_send(update, context, t(lang, "mine.kept"), back_to_list(lang))


async def on_new_text(update: Update, context: BuurtContext) -> None:
    """Replace a note's text with what the resident wrote."""
    message = update.message
    assert message is not None
    repo = context.services.repo
    lang = context.lang
    if not message.text:
        await say(update, context, t(lang, "mine.text_only"))
        return
    if not has_visible_text(message.text):
        # The step stays: the resident can send the new words straight away.
        await say(update, context, t(lang, "talk.invisible"))
        return
    note_id = context.state.data.get("note")
    note = await repo.get_note(note_id) if isinstance(note_id, int) else None
    await repo.set_state(chat_id(update), None, None, {})
    if note is None or note.author_id != user_id(update):
        await say(update, context, t(lang, "talk.note_gone"))
        return
    if await _theme_closed(update, context, note):
        return
    # Changed words are new words: the moderators see them again, in the same write.
    edited = await repo.edit_note_text(
        context.services.config.moderation.mode, note.id, message.text
    )
    if edited is None:
        await say(update, context, t(lang, "talk.note_gone"))
        return
    waits = edited.status == NoteStatus.PENDING and edited.quadrant is not None
    text = t(lang, "mine.edited_waits" if waits else "mine.edited")
    await say(update, context, text, back_to_list(lang))
