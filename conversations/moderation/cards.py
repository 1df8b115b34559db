"""One card per waiting note: its words, where it stands, why it was reported, and the buttons.

A card is a text message, or the note's photo or voice note with the card as caption; edits
go to whichever of the two the card is.
"""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.chat.ages import age_text
from bot.chat.context import BuurtContext
from bot.chat.replies import drop_buttons, say
from bot.chat.text_limits import CAPTION_LIMIT, shorten, split_html
from bot.chat.updates import chat_id
from bot.core.i18n import Html, plain, t
from bot.render.wording import voice_line
from conversations.moderation.actions import Action, note_data
from storage.models import Decision, Note, NoteKind, NoteStatus, QueueItem

_log = logging.getLogger(__name__)

CARD_TEXT = 3000

# A note its writer changed after a decision says so, so the moderator looks at it again.
_EDITED_AFTER = {
    Decision.APPROVE: "moderation.edited_after_approval",
    Decision.MOVE: "moderation.edited_after_approval",
    Decision.REDACT: "moderation.edited_after_approval",
    Decision.HIDE: "moderation.edited_after_hiding",
    Decision.DUPLICATE: "moderation.edited_after_hiding",
}


def note_words(lang: str, note: Note, section: str) -> str:
    """A note's words, or what it is when it has none to show (a voice note, a bare photo)."""
    if note.kind == NoteKind.VOICE:
        # In a list there is nothing to play: the note's length tells it from the others.
        return voice_line(lang, note.seconds)
    if note.kind == NoteKind.PHOTO and not note.text:
        return plain(lang, f"{section}.photo_note")
    return note.text


def note_line(lang: str, note: Note, section: str) -> str:
    """A note's words on one line, for a button label."""
    return " ".join(note_words(lang, note, section).split())


async def card_text(
    context: BuurtContext,
    note: Note,
    reports: tuple[str, ...],
    *,
    limit: int,
    edited_after: Decision | None = None,
    with_sound: bool = True,
) -> Html:
    """The card's words within limit characters, the resident's words shortened first.

    A voice note's card is the caption under its player (with_sound), which says to listen.
    """
    lang = context.lang
    theme = await context.services.repo.get_theme(note.theme_id)
    quadrant = plain(lang, f"quadrant.{note.quadrant.value}") if note.quadrant else "?"
    extra: list[str] = []
    if reports:
        extra.append(
            t(
                lang,
                "moderation.reported",
                reasons=", ".join(plain(lang, f"report.reason_{r}") for r in reports),
            )
        )
    if edited_after is not None:
        extra.append(t(lang, _EDITED_AFTER[edited_after]))
    if note.origin == "web":
        extra.append(t(lang, "web.via_website"))
    if note.status == NoteStatus.VISIBLE:
        extra.append(t(lang, "moderation.on_board"))
    values = {
        "quadrant": quadrant,
        "theme": shorten(theme.title if theme else "?", 80),
        "age": age_text(lang, note.created_at, context.services.clock.now()),
    }
    # The resident's words get the room that the rest of the card leaves.
    head = t(lang, "moderation.card", text="", **values)
    room = max(50, limit - len(head) - sum(len(e) + 1 for e in extra) - 20)
    words = note_words(lang, note, "moderation")
    if note.kind == NoteKind.VOICE and with_sound and note.file_id is not None:
        words = plain(lang, "moderation.voice_note", line=words)
    text = t(lang, "moderation.card", text=shorten(words, room), **values)
    return Html("\n".join([text, *extra]))


def main_keyboard(lang: str, item: QueueItem) -> InlineKeyboardMarkup:
    """The card's first buttons: approve, hide, move, duplicate and (for words) redact."""

    def button(key: str, action: Action) -> InlineKeyboardButton:
        return InlineKeyboardButton(plain(lang, key), callback_data=note_data(action, item))

    rows = [
        [button("moderation.approve", Action.APPROVE), button("moderation.hide", Action.HIDE)],
        [
            button("moderation.move", Action.MOVE),
            button("moderation.duplicate", Action.DUPLICATE),
        ],
    ]
    if item.note.kind != NoteKind.VOICE and item.note.text:
        rows[1].append(button("moderation.redact", Action.REDACT))
    return InlineKeyboardMarkup(rows)


def back_row(lang: str, item: QueueItem) -> list[InlineKeyboardButton]:
    """A row with the button that brings back the card's first buttons."""
    return [
        InlineKeyboardButton(plain(lang, "common.back"), callback_data=note_data(Action.BACK, item))
    ]


async def send_card(update: Update, context: BuurtContext, item: QueueItem) -> None:
    """Send one note's card, with its photo or sound when it has one."""
    lang = context.lang
    note = item.note
    markup = main_keyboard(lang, item)
    target = chat_id(update)
    if note.kind == NoteKind.TEXT or note.file_id is None:
        text = await card_text(
            context, note, item.reports, limit=CARD_TEXT, edited_after=item.edited_after
        )
        await say(update, context, text, markup)
        return
    caption = split_html(
        await card_text(
            context, note, item.reports, limit=CAPTION_LIMIT, edited_after=item.edited_after
        ),
        CAPTION_LIMIT,
    )[0]
    try:
        if note.kind == NoteKind.PHOTO:
            await context.bot.send_photo(
                target,
                note.file_id,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
            return
        # A voice note goes out again as a voice note, by its file id: the moderator plays
        # it in the chat as the resident recorded it.
        try:
            await context.bot.send_voice(
                target,
                note.file_id,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except BadRequest as exc:
            if "voice_messages_forbidden" not in exc.message.lower():
                raise
            # The moderator's Telegram lets nobody send them voice messages: a sound file
            # to play is the next best thing.
            await _send_as_sound_file(context, target, note, caption, markup)
    except TelegramError as exc:
        _log.info("could not send note %d as media: %s", note.id, exc)
        text = await card_text(
            context,
            note,
            item.reports,
            limit=CARD_TEXT,
            edited_after=item.edited_after,
            with_sound=False,
        )
        await say(update, context, Html(text + "\n" + t(lang, "moderation.media_missing")), markup)


async def _send_as_sound_file(
    context: BuurtContext, target: int, note: Note, caption: str, markup: InlineKeyboardMarkup
) -> None:
    """Send a voice note as an .ogg document, for one who accepts no voice messages."""
    assert note.file_id is not None
    file = await context.bot.get_file(note.file_id)
    data = bytes(await file.download_as_bytearray())
    await context.bot.send_document(
        target,
        data,
        filename=plain(context.lang, "voice.file_name", number=note.id),
        caption=caption,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )


async def edit_card(update: Update, text: Html, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the pressed card's words (text or caption) and buttons."""
    query = update.callback_query
    message = query.message if query else None
    if not isinstance(message, Message):
        return
    await edit_message(
        query.get_bot() if query else message.get_bot(),
        message.chat.id,
        message.message_id,
        has_text=message.text is not None,
        text=text,
        markup=markup,
    )


async def edit_message(
    bot: Bot,
    chat: int,
    message_id: int,
    *,
    has_text: bool,
    text: Html,
    markup: InlineKeyboardMarkup | None,
) -> None:
    """Replace a card's words and buttons, also a card other than the one pressed."""
    try:
        if has_text:
            await bot.edit_message_text(
                split_html(text)[0],
                chat_id=chat,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_web_page_preview=True,
            )
        else:
            await bot.edit_message_caption(
                chat_id=chat,
                message_id=message_id,
                caption=split_html(text, CAPTION_LIMIT)[0],
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
    except BadRequest as exc:
        if "not modified" not in exc.message:
            _log.info("could not edit a moderation card: %s", exc.message)


async def set_buttons(update: Update, markup: InlineKeyboardMarkup | None) -> None:
    """Swap the pressed card's buttons, keeping its words."""
    query = update.callback_query
    message = query.message if query else None
    if not isinstance(message, Message):
        return
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message:
            _log.info("could not change a card's buttons: %s", exc.message)


async def closed_text(context: BuurtContext, note: Note, outcome: str) -> Html:
    """A decided card: the note and one line on what became of it."""
    text = await card_text(context, note, (), limit=CAPTION_LIMIT - 120)
    return Html(text + "\n\n" + t(context.lang, "moderation.outcome", outcome=outcome))


async def close_card(update: Update, context: BuurtContext, note_id: int, outcome: str) -> None:
    """Show the outcome on the pressed card and take its buttons away."""
    note = await context.services.repo.get_note(note_id)
    if note is None:
        await drop_buttons(update)
        return
    await edit_card(update, await closed_text(context, note, outcome), None)
