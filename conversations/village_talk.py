"""The village talk: pick a theme, write notes, place each on the board, finish with thanks."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.chat.callbacks import pack, unpack, unpack_int
from bot.chat.codes import QUADRANT_CODES
from bot.chat.context import BuurtContext
from bot.chat.replies import (
    answer,
    answer_key,
    drop_buttons,
    edit_or_send,
    say,
    say_with_buttons,
)
from bot.chat.steps import StepHandler
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import LANGUAGES, Html, escape, plain, t
from bot.services.flood import Pace
from bot.village.notes import has_visible_text
from conversations.theme_list import active_themes, theme_keyboard
from storage.models import Consent, NoteKind, NoteStatus, Quadrant, Theme, ThemeStatus

FLOW = "talk"
WRITE = "write"


def _quadrant_pairs(lang: str, *prefix: str | int) -> list[list[tuple[str, str]]]:
    def button(q: Quadrant) -> tuple[str, str]:
        return plain(lang, f"quadrant.{q.value}"), pack(*prefix, QUADRANT_CODES.code(q))

    return [
        [button(Quadrant.WISH), button(Quadrant.EXAMPLE)],
        [button(Quadrant.POSSIBILITY), button(Quadrant.QUESTION)],
        [button(Quadrant.OTHER)],
    ]


def _quadrant_rows(lang: str, *prefix: str | int) -> list[list[InlineKeyboardButton]]:
    return [
        [InlineKeyboardButton(label, callback_data=data) for label, data in row]
        for row in _quadrant_pairs(lang, *prefix)
    ]


def quadrant_keyboard(lang: str, note_id: int) -> InlineKeyboardMarkup:
    """The buttons that place (or move) one note."""
    return InlineKeyboardMarkup(_quadrant_rows(lang, "vt", "q", note_id))


def _after_keyboard(lang: str, theme_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "talk.see_board"), callback_data=pack("bd", "open", theme_id)
                ),
                InlineKeyboardButton(
                    plain(lang, "talk.done"), callback_data=pack("vt", "done", theme_id)
                ),
            ]
        ]
    )


def _initial_status(context: BuurtContext) -> NoteStatus:
    if context.services.config.moderation.mode == "pre":
        return NoteStatus.PENDING
    return NoteStatus.VISIBLE


async def themes_command(update: Update, context: BuurtContext) -> None:
    """Show the active themes of the resident's place and open one."""
    themes = await active_themes(context)
    if not themes:
        text = t(context.lang, "talk.no_themes")
        if not (await context.services.repo.get_consents(user_id(update)))[Consent.THEME_NEWS]:
            text = Html(text + "\n" + t(context.lang, "talk.no_themes_news"))
        await say(update, context, text)
        return
    if len(themes) == 1:
        await open_theme(update, context, themes[0])
        return
    await say(
        update, context, t(context.lang, "talk.pick_theme"), theme_keyboard(themes, "vt", "open")
    )


def opening_text(lang: str, title: str, invitation: str, question: str) -> Html:
    """The theme's invitation and open question, as residents see it."""
    return t(
        lang,
        "talk.opening",
        title=title,
        invitation=invitation,
        question=question or plain(lang, "talk.default_question"),
    )


def preselect_keyboard(lang: str, theme_id: int) -> InlineKeyboardMarkup:
    """The four quadrants, to choose before writing."""
    return InlineKeyboardMarkup(_quadrant_rows(lang, "vt", "pre", theme_id)[:2])


async def open_theme(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Show a theme's invitation and open question, and wait for the resident's notes."""
    if theme.status != ThemeStatus.ACTIVE:
        await say(update, context, t(context.lang, "talk.closed"))
        return
    await context.services.repo.set_state(chat_id(update), FLOW, WRITE, {"theme": theme.id})
    lang = context.lang
    text = opening_text(lang, theme.title, theme.invitation, theme.question)
    await say(update, context, text, preselect_keyboard(lang, theme.id))


async def open_by_code(update: Update, context: BuurtContext, code: str) -> bool:
    """Open the talk of the theme a deep link names; False when no theme has that code."""
    theme = await context.services.repo.get_theme_by_code(code)
    if theme is None:
        return False
    await open_theme(update, context, theme)
    return True


async def on_open(update: Update, context: BuurtContext) -> None:
    """Open the theme whose button was pressed."""
    parts = unpack(update.callback_query.data if update.callback_query else None, "vt", 2)
    theme_id = unpack_int(parts[1]) if parts else None
    theme = await context.services.repo.get_theme(theme_id) if theme_id is not None else None
    if theme is None:
        await answer_key(update, context, "talk.theme_gone")
        return
    await answer(update)
    await drop_buttons(update)
    await open_theme(update, context, theme)


async def _current_theme(update: Update, context: BuurtContext) -> Theme | None:
    """Return the theme the chat is talking about, ending the talk when it was closed."""
    theme_id = context.state.data.get("theme")
    theme = await context.services.repo.get_theme(theme_id) if isinstance(theme_id, int) else None
    if theme is None or theme.status != ThemeStatus.ACTIVE:
        await context.services.repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(context.lang, "talk.closed" if theme else "talk.theme_gone"))
        return None
    return theme


async def on_preselect(update: Update, context: BuurtContext) -> None:
    """Remember the quadrant the resident chose before writing."""
    parts = unpack(update.callback_query.data if update.callback_query else None, "vt", 3)
    theme_id = unpack_int(parts[1]) if parts else None
    quadrant = QUADRANT_CODES.value(parts[2]) if parts else None
    state = context.state
    if quadrant is None or state.flow != FLOW or state.data.get("theme") != theme_id:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    data = dict(state.data, quadrant=quadrant.value)
    await context.services.repo.set_state(chat_id(update), FLOW, WRITE, data)
    theme = await context.services.repo.get_theme(theme_id) if theme_id is not None else None
    own = theme.quadrant_questions.get(quadrant.value) if theme else None
    await say(
        update,
        context,
        Html(escape(own)) if own else t(context.lang, f"quadrant_prompt.{quadrant.value}"),
    )


async def on_message(update: Update, context: BuurtContext) -> None:
    """Turn what the resident sent into a note, or explain kindly what can't be one."""
    message = update.message
    assert message is not None
    lang = context.lang
    if message.sticker is not None:
        await say(update, context, t(lang, "talk.sticker"))
        return
    if message.location is not None or message.venue is not None:
        await say(update, context, t(lang, "talk.location"))
        return
    if message.document is not None:
        await say(update, context, t(lang, "talk.document"))
        return
    if message.photo:
        # A caption of only blank characters would draw an empty line under the photo.
        caption = message.caption if has_visible_text(message.caption or "") else ""
        kind, text, file_id = NoteKind.PHOTO, caption or "", message.photo[-1].file_id
    elif message.voice is not None:
        kind, text, file_id = NoteKind.VOICE, "", message.voice.file_id
    elif message.text:
        if not has_visible_text(message.text):
            await say(update, context, t(lang, "talk.invisible"))
            return
        kind, text, file_id = NoteKind.TEXT, message.text, None
    else:
        await say(update, context, t(lang, "talk.unsupported"))
        return
    theme = await _current_theme(update, context)
    if theme is None:
        return
    await _store_note(update, context, theme, kind, text, file_id)


async def _store_note(
    update: Update,
    context: BuurtContext,
    theme: Theme,
    kind: NoteKind,
    text: str,
    file_id: str | None,
) -> None:
    services = context.services
    lang = context.lang
    cid = chat_id(update)
    pace = services.flood.hit(cid)
    preselected = context.state.data.get("quadrant")
    quadrant: Quadrant | None = None
    if kind == NoteKind.PHOTO:
        quadrant = Quadrant.EXAMPLE
    elif isinstance(preselected, str) and preselected in Quadrant.__members__.values():
        quadrant = Quadrant(preselected)
    if pace != Pace.OK and kind != NoteKind.PHOTO:
        # A flood keeps every word but stops asking per note; the resident sorts them later.
        quadrant = None
    status = _initial_status(context) if quadrant is not None else NoteStatus.DRAFT
    note = await services.repo.add_note(
        theme_id=theme.id,
        author_id=user_id(update),
        kind=kind,
        text=text,
        file_id=file_id,
        quadrant=quadrant,
        status=status,
        source_update_id=update.update_id,
    )
    if preselected is not None:
        data = {k: v for k, v in context.state.data.items() if k != "quadrant"}
        await services.repo.set_state(cid, FLOW, WRITE, data)
    if pace == Pace.NOTICE:
        await say(update, context, t(lang, "talk.slow_down"))
        return
    if pace == Pace.QUIET:
        return
    if note.quadrant is None:
        key = "talk.voice_where" if kind == NoteKind.VOICE else "talk.where"
        # Every note gets this reply: the quick way to send it (see say_with_buttons).
        await say_with_buttons(
            update, context, t(lang, key), _quadrant_pairs(lang, "vt", "q", note.id)
        )
        return
    await _confirm_placed(update, context, theme, note.quadrant, note.status, edit=False)


async def _confirm_placed(
    update: Update,
    context: BuurtContext,
    theme: Theme,
    quadrant: Quadrant,
    status: NoteStatus,
    *,
    edit: bool,
) -> None:
    lang = context.lang
    if quadrant == Quadrant.EXAMPLE and update.message is not None and update.message.photo:
        text = t(
            lang, "talk.photo_pending" if status == NoteStatus.PENDING else "talk.photo_placed"
        )
    else:
        key = "talk.placed_pending" if status == NoteStatus.PENDING else "talk.placed"
        text = t(lang, key, at=plain(lang, f"quadrant_at.{quadrant.value}"))
    markup = _after_keyboard(lang, theme.id)
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)
    await _maybe_invite(update, context, theme)


async def on_quadrant(update: Update, context: BuurtContext) -> None:
    """Place a note in the quadrant the resident tapped."""
    parts = unpack(update.callback_query.data if update.callback_query else None, "vt", 3)
    note_id = unpack_int(parts[1]) if parts else None
    quadrant = QUADRANT_CODES.value(parts[2]) if parts else None
    repo = context.services.repo
    note = await repo.get_note(note_id) if note_id is not None and quadrant else None
    if note is None or quadrant is None:
        await answer_key(update, context, "talk.note_gone")
        return
    if note.author_id != user_id(update):
        await answer_key(update, context, "common.not_yours", alert=True)
        return
    theme = await repo.get_theme(note.theme_id)
    if theme is None or theme.status != ThemeStatus.ACTIVE:
        await answer_key(update, context, "talk.closed")
        await drop_buttons(update)
        return
    if note.quadrant == quadrant:
        await answer(
            update,
            plain(
                context.lang,
                "talk.already_placed",
                at=plain(context.lang, f"quadrant_at.{quadrant.value}"),
            ),
        )
        return
    # A note a moderator hid stays hidden when its writer moves it.
    status = (
        note.status
        if note.status in (NoteStatus.VISIBLE, NoteStatus.PENDING, NoteStatus.HIDDEN)
        else _initial_status(context)
    )
    placed = await repo.set_note_quadrant(note.id, quadrant, status)
    if placed is None:
        await answer_key(update, context, "talk.note_gone")
        return
    await answer(update)
    await _confirm_placed(update, context, theme, quadrant, placed.status, edit=True)


async def on_done(update: Update, context: BuurtContext) -> None:
    """End the talk with thanks and what happens next."""
    parts = unpack(update.callback_query.data if update.callback_query else None, "vt", 2)
    theme_id = unpack_int(parts[1]) if parts else None
    repo = context.services.repo
    theme = await repo.get_theme(theme_id) if theme_id is not None else None
    if theme is None:
        await answer_key(update, context, "talk.theme_gone")
        return
    await answer(update)
    await drop_buttons(update)
    if context.state.flow == FLOW:
        await repo.set_state(chat_id(update), None, None, {})
    text = t(context.lang, "talk.thanks", title=theme.title)
    drafts = [
        n
        for n in await repo.list_notes_by_author(user_id(update))
        if n.theme_id == theme.id and n.status == NoteStatus.DRAFT
    ]
    if drafts:
        text = Html(text + "\n" + t(context.lang, "talk.unsorted", count=len(drafts)))
    await say(update, context, text)


async def _maybe_invite(update: Update, context: BuurtContext, theme: Theme) -> None:
    """After the first note of a talk, ask once whether they'd like to be invited to a table."""
    state = context.state
    if state.flow != FLOW or state.data.get("invited_for") == theme.id:
        return
    repo = context.services.repo
    uid = user_id(update)
    await repo.set_state(chat_id(update), FLOW, WRITE, dict(state.data, invited_for=theme.id))
    if (await repo.get_consents(uid))[Consent.CONTACT]:
        return
    lang = context.lang
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "common.yes_please"), callback_data=pack("vt", "inv", theme.id, 1)
                ),
                InlineKeyboardButton(
                    plain(lang, "common.no_thanks"), callback_data=pack("vt", "inv", theme.id, 0)
                ),
            ]
        ]
    )
    await say(update, context, t(lang, "invite.ask"), keyboard)


async def on_invite(update: Update, context: BuurtContext) -> None:
    """Record whether the resident wants to be invited, and offer to share a phone number."""
    parts = unpack(update.callback_query.data if update.callback_query else None, "vt", 3)
    if parts is None or parts[2] not in ("0", "1"):
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    lang = context.lang
    wants = parts[2] == "1"
    await context.services.repo.set_consent(user_id(update), Consent.CONTACT, wants)
    if not wants:
        await say(update, context, t(lang, "invite.no"))
        return
    await say(update, context, t(lang, "invite.yes"))
    keyboard = ReplyKeyboardMarkup(
        [
            [KeyboardButton(plain(lang, "invite.share_phone"), request_contact=True)],
            [KeyboardButton(plain(lang, "invite.chat_only"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await say(update, context, t(lang, "invite.ask_phone"), keyboard)


async def on_contact(update: Update, context: BuurtContext) -> None:
    """Keep the resident's own phone number, shared with Telegram's contact button."""
    message = update.message
    assert message is not None and message.contact is not None
    uid = user_id(update)
    if message.contact.user_id != uid:
        await say(update, context, t(context.lang, "talk.contact_other"))
        return
    await context.services.repo.set_phone(uid, message.contact.phone_number)
    await say(update, context, t(context.lang, "invite.phone_saved"), ReplyKeyboardRemove())


async def on_chat_only(update: Update, context: BuurtContext) -> None:
    """Take away the phone-number keyboard when the resident prefers the chat."""
    await say(update, context, t(context.lang, "invite.phone_skipped"), ReplyKeyboardRemove())


async def on_edited(update: Update, context: BuurtContext) -> None:
    """Explain that a sent message can't change a note; /mijn can."""
    await say(update, context, t(context.lang, "talk.edited"))


STEPS: dict[str, StepHandler] = {WRITE: on_message}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the village talk."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("thema", themes_command, filters=private),
        CallbackQueryHandler(on_open, pattern=r"^vt:open:"),
        CallbackQueryHandler(on_preselect, pattern=r"^vt:pre:"),
        CallbackQueryHandler(on_quadrant, pattern=r"^vt:q:"),
        CallbackQueryHandler(on_done, pattern=r"^vt:done:"),
        CallbackQueryHandler(on_invite, pattern=r"^vt:inv:"),
        MessageHandler(filters.UpdateType.MESSAGE & private & filters.CONTACT, on_contact),
        MessageHandler(
            filters.UpdateType.MESSAGE
            & private
            & filters.Text([plain(lang, "invite.chat_only") for lang in LANGUAGES]),
            on_chat_only,
        ),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, on_edited),
    ]
