"""/mijn: a resident's own notes (change, move, delete each) and their choices (change each)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat.callbacks import pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say
from bot.chat.steps import StepHandler
from bot.chat.text_limits import shorten
from bot.chat.updates import user_id
from bot.core.i18n import Html, plain, t
from bot.village.notes import has_visible_text
from conversations import onboarding, village_talk
from storage.models import Consent, Note, NoteStatus, PlaceKind, PlaceRef

FLOW = "mine"
EDIT = "edit"
PAGE_SIZE = 8
PREVIEW = 120


async def mine_command(update: Update, context: BuurtContext) -> None:
    """Show the resident's choices and their notes."""
    await _send_choices(update, context, edit=False)
    await _send_notes(update, context, offset=0, edit=False)


async def _send_choices(update: Update, context: BuurtContext, *, edit: bool) -> None:
    lang = context.lang
    repo = context.services.repo
    uid = user_id(update)
    consents = await repo.get_consents(uid)
    phone = await repo.get_phone(uid)
    resident = await repo.get_resident(uid)
    municipality = context.services.config.municipality
    if resident is not None and resident.neighbourhood_key:
        place = municipality.place_name(
            PlaceRef(PlaceKind.NEIGHBOURHOOD, resident.neighbourhood_key)
        )
    elif resident is not None and resident.village_key:
        place = municipality.place_name(PlaceRef(PlaceKind.VILLAGE, resident.village_key))
    else:
        place = plain(lang, "mine.no_place")
    news, contact = consents[Consent.THEME_NEWS], consents[Consent.CONTACT]
    show_name = consents[Consent.SHOW_NAME]
    text = t(
        lang,
        "mine.consents",
        place=place,
        news=plain(lang, "mine.on" if news else "mine.off"),
        contact=plain(lang, "mine.on" if contact else "mine.off"),
        phone=plain(lang, "mine.phone_kept" if phone else "mine.phone_none"),
        name=plain(lang, "mine.on" if show_name else "mine.off"),
    )
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, "mine.toggle_news_off" if news else "mine.toggle_news_on"),
                callback_data=pack("my", "c", "news", 0 if news else 1),
            )
        ],
        [
            InlineKeyboardButton(
                plain(lang, "mine.toggle_contact_off" if contact else "mine.toggle_contact_on"),
                callback_data=pack("my", "c", "contact", 0 if contact else 1),
            )
        ],
    ]
    if phone:
        rows.append(
            [
                InlineKeyboardButton(
                    plain(lang, "mine.forget_phone"), callback_data=pack("my", "phone")
                )
            ]
        )
    if municipality.areas:
        rows.append(
            [
                InlineKeyboardButton(
                    plain(lang, "mine.change_place"), callback_data=pack("my", "place")
                )
            ]
        )
    markup = InlineKeyboardMarkup(rows)
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


async def _send_notes(update: Update, context: BuurtContext, *, offset: int, edit: bool) -> None:
    lang = context.lang
    repo = context.services.repo
    notes = await repo.list_notes_by_author(user_id(update))
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
                text=shorten(_text(note, lang), PREVIEW),
            )
        )
        buttons.append(InlineKeyboardButton(str(number), callback_data=pack("my", "n", note.id)))
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    nav: list[InlineKeyboardButton] = []
    if offset > 0:
        nav.append(
            InlineKeyboardButton(
                plain(lang, "board.newer"),
                callback_data=pack("my", "l", max(0, offset - PAGE_SIZE)),
            )
        )
    if offset + PAGE_SIZE < len(notes):
        nav.append(
            InlineKeyboardButton(
                plain(lang, "board.older"), callback_data=pack("my", "l", offset + PAGE_SIZE)
            )
        )
    if nav:
        rows.append(nav)
    text = Html("\n".join(lines))
    if edit:
        await edit_or_send(update, context, text, InlineKeyboardMarkup(rows))
    else:
        await say(update, context, text, InlineKeyboardMarkup(rows))


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
    return plain(lang, "board.voice_note" if note.kind.value == "voice" else "board.photo_note")


async def _own_note(update: Update, context: BuurtContext, note_id: int | None) -> Note | None:
    """Return the note when it exists and is the presser's own; answer the press otherwise."""
    note = await context.services.repo.get_note(note_id) if note_id is not None else None
    if note is None:
        await answer_key(update, context, "talk.note_gone")
        return None
    if note.author_id != user_id(update):
        await answer_key(update, context, "common.not_yours", alert=True)
        return None
    return note


async def on_mine_button(update: Update, context: BuurtContext) -> None:
    """Handle every button of /mijn: open, change, move or delete a note; change a choice."""
    query = update.callback_query
    parts = (query.data or "").split(":") if query else []
    if len(parts) < 2 or parts[0] != "my":
        await answer_key(update, context, "common.stale_button")
        return
    action, args = parts[1], parts[2:]
    if action == "c" and len(args) == 2:
        await _toggle_consent(update, context, args[0], args[1])
    elif action == "phone":
        await context.services.repo.set_phone(user_id(update), None)
        await answer_key(update, context, "mine.saved")
        await _send_choices(update, context, edit=True)
    elif action == "hidename":
        repo = context.services.repo
        for member in await repo.memberships_of(user_id(update)):
            await repo.set_member_name(member.table_id, member.user_id, None)
        await repo.set_consent(user_id(update), Consent.SHOW_NAME, False)
        await answer_key(update, context, "mine.saved")
        await _send_choices(update, context, edit=True)
    elif action == "place":
        await answer(update)
        await drop_buttons(update)
        await onboarding.ask_village(update, context)
    elif action == "l" and len(args) == 1 and (offset := unpack_int(args[0])) is not None:
        await answer(update)
        await _send_notes(update, context, offset=offset, edit=True)
    elif action in ("n", "e", "m", "d", "dy", "dn") and len(args) == 1:
        note = await _own_note(update, context, unpack_int(args[0]))
        if note is not None:
            await _note_action(update, context, action, note)
    else:
        await answer_key(update, context, "common.stale_button")


async def _toggle_consent(update: Update, context: BuurtContext, purpose: str, value: str) -> None:
    consents = {"news": Consent.THEME_NEWS, "contact": Consent.CONTACT}
    if purpose not in consents or value not in ("0", "1"):
        await answer_key(update, context, "common.stale_button")
        return
    await context.services.repo.set_consent(user_id(update), consents[purpose], value == "1")
    await answer_key(update, context, "mine.saved")
    await _send_choices(update, context, edit=True)


async def _note_action(update: Update, context: BuurtContext, action: str, note: Note) -> None:
    lang = context.lang
    repo = context.services.repo
    if action == "n":
        await answer(update)
        await _send_card(update, context, note)
    elif action == "e":
        await answer(update)
        assert update.effective_chat is not None
        await repo.set_state(update.effective_chat.id, FLOW, EDIT, {"note": note.id})
        await say(update, context, t(lang, "mine.ask_text"))
    elif action == "m":
        await answer(update)
        await say(
            update, context, t(lang, "talk.where"), village_talk.quadrant_keyboard(lang, note.id)
        )
    elif action == "d":
        await answer(update)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        plain(lang, "mine.yes_delete"), callback_data=pack("my", "dy", note.id)
                    ),
                    InlineKeyboardButton(
                        plain(lang, "mine.no_keep"), callback_data=pack("my", "dn", note.id)
                    ),
                ]
            ]
        )
        await edit_or_send(update, context, t(lang, "mine.confirm_delete"), keyboard)
    elif action == "dy":
        await answer(update)
        await repo.delete_note(note.id)
        await edit_or_send(update, context, t(lang, "mine.deleted"))
    else:
        await answer(update)
        await edit_or_send(update, context, t(lang, "mine.kept"))


async def _send_card(update: Update, context: BuurtContext, note: Note) -> None:
    lang = context.lang
    notes = await context.services.repo.list_notes_by_author(note.author_id or 0)
    number = next((i for i, n in enumerate(notes, start=1) if n.id == note.id), 0)
    titles = await _theme_titles(context, [note])
    status = ""
    if note.status == NoteStatus.PENDING:
        status = plain(lang, "mine.status_pending")
    elif note.status == NoteStatus.HIDDEN:
        status = plain(lang, "mine.status_hidden")
    text = t(
        lang,
        "mine.note_card",
        number=number,
        theme=titles.get(note.theme_id, "?"),
        quadrant=_quadrant_name(note, lang),
        status=status,
        text=shorten(_text(note, lang), 3000),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "mine.edit"), callback_data=pack("my", "e", note.id)
                ),
                InlineKeyboardButton(
                    plain(lang, "mine.move"), callback_data=pack("my", "m", note.id)
                ),
                InlineKeyboardButton(
                    plain(lang, "mine.delete"), callback_data=pack("my", "d", note.id)
                ),
            ]
        ]
    )
    await say(update, context, text, keyboard)


async def on_new_text(update: Update, context: BuurtContext) -> None:
    """Replace a note's text with what the resident wrote."""
    message = update.message
    assert message is not None and update.effective_chat is not None
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
    await repo.set_state(update.effective_chat.id, None, None, {})
    if note is None or note.author_id != user_id(update):
        await say(update, context, t(lang, "talk.note_gone"))
        return
    await repo.set_note_text(note.id, message.text)
    if context.services.config.moderation.mode == "pre" and note.quadrant is not None:
        # Changed words are new words: in pre-moderation they wait for a moderator again.
        await repo.set_note_quadrant(note.id, note.quadrant, NoteStatus.PENDING)
    await say(update, context, t(lang, "mine.edited"))


STEPS: dict[str, StepHandler] = {EDIT: on_new_text}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of /mijn."""
    return [
        CommandHandler("mijn", mine_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_mine_button, pattern=r"^my:"),
    ]
