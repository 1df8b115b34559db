"""The board: a theme's notes per quadrant, as a picture and as pages of anonymous notes."""

from __future__ import annotations

import asyncio
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes, first_id, pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.photos import photo_bytes
from bot.chat.replies import answer, answer_key, edit_or_send, say
from bot.chat.text_limits import CAPTION_LIMIT, shorten, split_html
from bot.chat.visible import visible_theme
from bot.core.i18n import Html, plain, t
from bot.render.board_image import BoardPicture, StickyNote, render_board
from bot.village.board import PAGE_SIZE as PAGE_SIZE
from conversations.moderation.reports import report_button
from conversations.theme_list import readable_themes, theme_keyboard
from storage.models import BOARD_QUADRANTS, Note, NoteKind, NoteOrigin, Theme

NOTES_IN_PICTURE = 6
NOTE_PREVIEW = 300
PREFIX = "bd"


class Action(StrEnum):
    """What a bd: button asks for (the village talk draws OPEN too)."""

    OPEN = "open"
    PAGE = "p"


async def board_command(update: Update, context: BuurtContext) -> None:
    """Show the board of the theme being talked about, or let the resident pick one."""
    theme_id = context.state.data.get("theme")
    repo = context.services.repo
    if isinstance(theme_id, int) and (theme := await repo.get_theme(theme_id)) is not None:
        await show_board(update, context, theme)
        return
    themes = await readable_themes(context)
    if not themes:
        await say(update, context, t(context.lang, "talk.no_themes"))
        return
    if len(themes) == 1:
        await show_board(update, context, themes[0])
        return
    await say(
        update,
        context,
        t(context.lang, "board.pick_theme"),
        theme_keyboard(themes, PREFIX, Action.OPEN),
    )


async def on_open(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Show the board whose button was pressed."""
    if (theme := await visible_theme(update, context, first_id(args))) is None:
        return
    await answer(update)
    await show_board(update, context, theme)


async def show_board(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Send the board as a picture with the counts per quadrant."""
    repo = context.services.repo
    lang = context.lang
    counts = await repo.count_notes(theme.id)
    duplicates = await repo.duplicate_counts(theme.id)
    shown = {
        q: await repo.list_notes(theme.id, quadrant=q, limit=NOTES_IN_PICTURE)
        for q in BOARD_QUADRANTS
    }
    photos = await _photos(context, [n for notes in shown.values() for n in notes])
    newest = {
        q.value: [
            _sticky(note, lang, photos.get(note.id), duplicates.get(note.id, 0)) for note in notes
        ]
        for q, notes in shown.items()
    }
    picture = BoardPicture(
        title=theme.title,
        place=context.services.config.municipality.place_name(theme.place),
        notes=newest,
        counts={q.value: counts[q] for q in BOARD_QUADRANTS},
    )
    # Drawing takes a moment; other residents' updates go on meanwhile.
    png = await asyncio.to_thread(render_board, picture, language=lang)
    caption = t(
        lang,
        "board.caption",
        title=shorten(theme.title, 200),
        **{q.value: counts[q] for q in BOARD_QUADRANTS},
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "board.read_notes"),
                    callback_data=pack(PREFIX, Action.PAGE, theme.id, 0),
                )
            ]
        ]
    )
    assert update.effective_chat is not None
    await context.bot.send_photo(
        update.effective_chat.id,
        png,
        caption=split_html(caption, CAPTION_LIMIT)[0],
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def _photos(context: BuurtContext, notes: list[Note]) -> dict[int, bytes]:
    """The photos of the photo notes, fetched from Telegram at once; one that fails is left out."""
    wanted = [(n.id, n.file_id) for n in notes if n.kind == NoteKind.PHOTO and n.file_id]
    fetched = await asyncio.gather(*(photo_bytes(context.bot, f) for _, f in wanted))
    return {note_id: data for (note_id, _), data in zip(wanted, fetched, strict=True) if data}


def _sticky(note: Note, lang: str, photo: bytes | None, also_mentioned: int) -> StickyNote:
    # With the photo itself on the note, a bare photo needs no "[foto]" words.
    text = note.text if photo is not None else _note_text(note, lang)
    # A note heard at the stand says so (conversations/square).
    mark = plain(lang, "square.board.mark") if note.origin == NoteOrigin.IN_PERSON else ""
    return StickyNote(
        text=text, kind=note.kind.value, image=photo, also_mentioned=also_mentioned, mark=mark
    )


def _note_text(note: Note, lang: str) -> str:
    if note.kind == NoteKind.PHOTO and not note.text:
        return plain(lang, "board.photo_note")
    if note.kind == NoteKind.VOICE:
        return plain(lang, "board.voice_note")
    return note.text


async def on_page(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Show one page of a theme's visible notes, newest first."""
    query = update.callback_query
    theme_id = first_id(args, 2)
    offset = unpack_int(args[1]) if len(args) == 2 else None
    repo = context.services.repo
    if offset is None:
        await answer_key(update, context, "talk.theme_gone")
        return
    if (theme := await visible_theme(update, context, theme_id)) is None:
        return
    await answer(update)
    lang = context.lang
    counts = await repo.count_notes(theme.id)
    total = sum(counts.values())
    notes = await repo.list_notes(theme.id, limit=PAGE_SIZE, offset=offset)
    if not notes:
        await say(update, context, t(lang, "board.empty", title=theme.title))
        return
    lines = [
        t(
            lang,
            "board.page_title",
            title=shorten(theme.title, 200),
            first=offset + 1,
            last=offset + len(notes),
            total=total,
            count=len(notes),
        )
    ]
    for note in notes:
        quadrant = plain(lang, f"quadrant.{note.quadrant.value}") if note.quadrant else ""
        line = t(
            lang,
            "board.note_line",
            quadrant=quadrant,
            text=shorten(_note_text(note, lang), NOTE_PREVIEW),
        )
        if note.origin == NoteOrigin.IN_PERSON:
            line = Html(f"{line} <i>({t(lang, 'square.board.mark')})</i>")
        lines.append(line)
    nav: list[InlineKeyboardButton] = []
    if offset > 0:
        nav.append(
            InlineKeyboardButton(
                plain(lang, "board.newer"),
                callback_data=pack(PREFIX, Action.PAGE, theme.id, max(0, offset - PAGE_SIZE)),
            )
        )
    if offset + len(notes) < total:
        nav.append(
            InlineKeyboardButton(
                plain(lang, "board.older"),
                callback_data=pack(PREFIX, Action.PAGE, theme.id, offset + PAGE_SIZE),
            )
        )
    rows = [nav] if nav else []
    # Anyone reading the board can report a note of this page to the moderators.
    rows.append([report_button(lang, theme.id, offset)])
    markup = InlineKeyboardMarkup(rows)
    text = Html("\n".join(lines))
    message = query.message if query else None
    if isinstance(message, Message) and message.text is not None:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


ROUTES: dict[str, ButtonHandler] = {Action.OPEN: on_open, Action.PAGE: on_page}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the board."""
    return [
        CommandHandler("bord", board_command, filters=filters.ChatType.PRIVATE),
        *button_routes(PREFIX, ROUTES),
    ]
