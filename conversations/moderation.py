"""/moderatie: the review queue. One card per note; approve, hide, move, mark as duplicate or
redact it. The first decision on a note counts; a later press hears who decided.

Every button carries the note and the round it was shown for (the number of decisions made on
the note before); storage accepts a decision only for the current round, once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat.ages import age_text
from bot.chat.callbacks import pack, unpack_int
from bot.chat.codes import HIDE_REASON_CODES, QUADRANT_CODES
from bot.chat.context import BuurtContext
from bot.chat.guards import moderators_only
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.steps import StepHandler
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, CAPTION_LIMIT, shorten, split_html
from bot.chat.updates import chat_id, person_name, user_id
from bot.core.i18n import Html, plain, t
from bot.village import redaction
from bot.village.access import Role
from storage.models import (
    DecideOutcome,
    DecideResult,
    Decision,
    HideReason,
    ModerationDecision,
    NewMessage,
    Note,
    NoteKind,
    NoteStatus,
    Quadrant,
    QueueItem,
)

_log = logging.getLogger(__name__)

FLOW = "moderation"
REDACT = "redact"
PAGE_SIZE = 5
CARD_TEXT = 3000
DUPLICATE_CHOICES = 6


def _mode(context: BuurtContext) -> str:
    return context.services.config.moderation.mode


# -- the queue, page by page -----------------------------------------------------------------


@moderators_only
async def queue_command(update: Update, context: BuurtContext) -> None:
    """Show the oldest notes that wait for a moderator."""
    await send_page(update, context, after=0)


async def send_page(update: Update, context: BuurtContext, *, after: int) -> None:
    """Send a header, one card per waiting note after the note id, and a footer."""
    repo = context.services.repo
    lang = context.lang
    mode = _mode(context)
    items = await repo.moderation_queue(mode, after_note_id=after, limit=PAGE_SIZE + 1)
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    marks = await repo.queue_marks(mode)
    if not items:
        key = "moderation.empty" if after == 0 or marks.count == 0 else "moderation.no_more"
        await say(update, context, t(lang, key))
        return
    await say(
        update,
        context,
        t(
            lang,
            f"moderation.header_{mode}",
            count=marks.count,
            shown=len(items),
        ),
    )
    for item in items:
        await _send_card(update, context, item)
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, "moderation.approve_all", count=len(items)),
                callback_data=_approve_all_data(items),
            )
        ]
    ]
    if more:
        rows.append(
            [
                InlineKeyboardButton(
                    plain(lang, "moderation.next_page"),
                    callback_data=pack("md", "more", items[-1].note.id),
                )
            ]
        )
    await say(update, context, t(lang, "moderation.footer"), InlineKeyboardMarkup(rows))


def _b36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rest = divmod(value, 36)
        out = digits[rest] + out
        if value == 0:
            return out


def _approve_all_data(items: list[QueueItem]) -> str:
    """md:all:<note>.<round>-<note>.<round>... in base 36; as many as fit in 64 bytes."""
    parts: list[str] = []
    for item in items:
        candidate = [*parts, f"{_b36(item.note.id)}.{_b36(item.round)}"]
        if len(("md:all:" + "-".join(candidate)).encode()) > 64:
            break
        parts = candidate
    return pack("md", "all", "-".join(parts))


def _parse_all(data: str) -> list[tuple[int, int]] | None:
    pairs: list[tuple[int, int]] = []
    for chunk in data.split("-"):
        note, _, round_ = chunk.partition(".")
        try:
            pairs.append((int(note, 36), int(round_, 36)))
        except ValueError:
            return None
    return pairs[:PAGE_SIZE] if pairs else None


# -- cards -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Card:
    text: Html
    markup: InlineKeyboardMarkup | None


async def _card_text(
    context: BuurtContext, note: Note, reports: tuple[str, ...], *, limit: int
) -> Html:
    lang = context.lang
    theme = await context.services.repo.get_theme(note.theme_id)
    quadrant = plain(lang, f"quadrant.{note.quadrant.value}") if note.quadrant else "?"
    if note.kind == NoteKind.VOICE:
        words = plain(lang, "moderation.voice_note")
    elif note.kind == NoteKind.PHOTO and not note.text:
        words = plain(lang, "moderation.photo_note")
    else:
        words = note.text
    extra: list[str] = []
    if reports:
        extra.append(
            t(
                lang,
                "moderation.reported",
                reasons=", ".join(plain(lang, f"report.reason_{r}") for r in reports),
            )
        )
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
    text = t(lang, "moderation.card", text=shorten(words, room), **values)
    return Html("\n".join([text, *extra]))


def _main_keyboard(lang: str, item: QueueItem) -> InlineKeyboardMarkup:
    note_id, round_ = item.note.id, item.round
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, "moderation.approve"), callback_data=pack("md", "ok", note_id, round_)
            ),
            InlineKeyboardButton(
                plain(lang, "moderation.hide"), callback_data=pack("md", "h", note_id, round_)
            ),
        ],
        [
            InlineKeyboardButton(
                plain(lang, "moderation.move"), callback_data=pack("md", "m", note_id, round_)
            ),
            InlineKeyboardButton(
                plain(lang, "moderation.duplicate"),
                callback_data=pack("md", "d", note_id, round_),
            ),
        ],
    ]
    if item.note.kind != NoteKind.VOICE and item.note.text:
        rows[1].append(
            InlineKeyboardButton(
                plain(lang, "moderation.redact"), callback_data=pack("md", "r", note_id, round_)
            )
        )
    return InlineKeyboardMarkup(rows)


async def _send_card(update: Update, context: BuurtContext, item: QueueItem) -> None:
    lang = context.lang
    note = item.note
    markup = _main_keyboard(lang, item)
    target = chat_id(update)
    if note.kind == NoteKind.TEXT or note.file_id is None:
        text = await _card_text(context, note, item.reports, limit=CARD_TEXT)
        await say(update, context, text, markup)
        return
    caption = split_html(
        await _card_text(context, note, item.reports, limit=CAPTION_LIMIT), CAPTION_LIMIT
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
        # A voice note goes out again as a sound file the moderator can play.
        # (sendVoice would do with the file id; the local playground does not know it yet.)
        file = await context.bot.get_file(note.file_id)
        data = bytes(await file.download_as_bytearray())
        await context.bot.send_document(
            target,
            data,
            filename=f"briefje-{note.id}.ogg",
            caption=caption,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    except TelegramError as exc:
        _log.info("could not send note %d as media: %s", note.id, exc)
        text = await _card_text(context, note, item.reports, limit=CARD_TEXT)
        await say(update, context, Html(text + "\n" + t(lang, "moderation.media_missing")), markup)


async def _edit_card(update: Update, text: Html, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the pressed card's words (text or caption) and buttons."""
    query = update.callback_query
    message = query.message if query else None
    if not isinstance(message, Message):
        return
    await _edit_message(
        query.get_bot() if query else message.get_bot(),
        message.chat.id,
        message.message_id,
        has_text=message.text is not None,
        text=text,
        markup=markup,
    )


async def _edit_message(
    bot: Bot,
    chat: int,
    message_id: int,
    *,
    has_text: bool,
    text: Html,
    markup: InlineKeyboardMarkup | None,
) -> None:
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


async def _set_buttons(update: Update, markup: InlineKeyboardMarkup | None) -> None:
    query = update.callback_query
    message = query.message if query else None
    if not isinstance(message, Message):
        return
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message:
            _log.info("could not change a card's buttons: %s", exc.message)


# -- what happened -----------------------------------------------------------------------------


async def outcome_text(context: BuurtContext, decision: ModerationDecision) -> str:
    """One line saying who decided what, e.g. "Verborgen door Anna: kwetsend"."""
    lang = context.lang
    name = decision.moderator_name or plain(lang, "moderation.someone")
    if decision.decision == Decision.HIDE and decision.reason is not None:
        return plain(
            lang,
            "moderation.done_hide",
            name=name,
            reason=plain(lang, f"moderation.reason_{decision.reason.value}"),
        )
    if decision.decision == Decision.MOVE and decision.quadrant is not None:
        return plain(
            lang,
            "moderation.done_move",
            name=name,
            quadrant=plain(lang, f"quadrants.{decision.quadrant.value}"),
        )
    if decision.decision == Decision.DUPLICATE:
        original = (
            await context.services.repo.get_note(decision.duplicate_of)
            if decision.duplicate_of is not None
            else None
        )
        return plain(
            lang,
            "moderation.done_duplicate",
            name=name,
            original=shorten(original.text, 60) if original and original.text else "…",
        )
    return plain(lang, f"moderation.done_{decision.decision.value}", name=name)


async def _show_taken(update: Update, context: BuurtContext, decision: ModerationDecision) -> None:
    """Someone decided first: say who and what, and close this card."""
    outcome = await outcome_text(context, decision)
    if decision.moderator_id == user_id(update):
        await answer(update, plain(context.lang, "moderation.taken_self", outcome=outcome))
    else:
        await answer(update, plain(context.lang, "moderation.taken", outcome=outcome), alert=True)
    await _close_card(update, context, decision.note_id, outcome)


async def _closed_text(context: BuurtContext, note: Note, outcome: str) -> Html:
    text = await _card_text(context, note, (), limit=CAPTION_LIMIT - 120)
    return Html(text + "\n\n" + t(context.lang, "moderation.outcome", outcome=outcome))


async def _close_card(update: Update, context: BuurtContext, note_id: int, outcome: str) -> None:
    note = await context.services.repo.get_note(note_id)
    if note is None:
        await drop_buttons(update)
        return
    await _edit_card(update, await _closed_text(context, note, outcome), None)


async def _stale(update: Update, context: BuurtContext, note_id: int, round_: int) -> None:
    """The card is older than the note's state: tell what became of it."""
    decision = await context.services.repo.decision_of(note_id, round_)
    if decision is not None:
        await _show_taken(update, context, decision)
        return
    await answer_key(update, context, "moderation.not_waiting", alert=True)
    await drop_buttons(update)


async def _current(
    update: Update, context: BuurtContext, note_id: int | None, round_: int | None
) -> QueueItem | None:
    """The note a card is about, when it still waits in the round the card was shown for."""
    if note_id is None or round_ is None:
        await answer_key(update, context, "common.stale_button")
        return None
    item = await context.services.repo.queue_item(_mode(context), note_id)
    if item is None or item.round != round_:
        await _stale(update, context, note_id, round_)
        return None
    return item


async def decide(
    update: Update,
    context: BuurtContext,
    note_id: int,
    round_: int,
    decision: Decision,
    *,
    reason: HideReason | None = None,
    quadrant: Quadrant | None = None,
    duplicate_of: int | None = None,
    text: str | None = None,
) -> DecideResult:
    """Store one decision and show its result on the pressed card."""
    result = await context.services.repo.decide(
        _mode(context),
        note_id,
        round_,
        decision,
        moderator_id=user_id(update),
        moderator_name=person_name(update),
        now=context.services.clock.now(),
        reason=reason,
        quadrant=quadrant,
        duplicate_of=duplicate_of,
        text=text,
    )
    if result.outcome == DecideOutcome.DECIDED and result.decision is not None:
        outcome = await outcome_text(context, result.decision)
        await answer(update, plain(context.lang, "moderation.saved"))
        await _close_card(update, context, note_id, outcome)
        if result.note is not None:
            await _tell_author(context, result.note, result.decision)
    elif result.outcome == DecideOutcome.TAKEN and result.decision is not None:
        await _show_taken(update, context, result.decision)
    elif result.outcome == DecideOutcome.INVALID:
        await answer_key(update, context, "moderation.invalid", alert=True)
    else:
        await _stale(update, context, note_id, round_)
    return result


async def _tell_author(context: BuurtContext, note: Note, decision: ModerationDecision) -> None:
    """No surprises about their words: the writer hears when a note was hidden, counted with
    another one, or shortened (never who decided, never the words themselves)."""
    if decision.decision not in (Decision.HIDE, Decision.DUPLICATE, Decision.REDACT):
        return
    services = context.services
    author = await services.repo.get_resident(note.author_id) if note.author_id else None
    theme = await services.repo.get_theme(note.theme_id)
    if author is None or not author.active or theme is None:
        return
    lang = author.language
    reason = decision.reason.value if decision.reason else HideReason.OTHER.value
    text = t(
        lang,
        f"moderation.told_{decision.decision.value}",
        theme=theme.title,
        reason=plain(lang, f"moderation.reason_{reason}").lower(),
    )
    await services.repo.enqueue(
        [
            NewMessage(
                chat_id=author.user_id,
                text=text,
                due_at=services.clock.now(),
                dedupe_key=f"moderated:{note.id}:{decision.round}",
            )
        ]
    )
    services.outbox_changed()


# -- the buttons -------------------------------------------------------------------------------


@moderators_only
async def on_button(update: Update, context: BuurtContext) -> None:
    """Every button of the queue; each checks again that the note still waits."""
    query = update.callback_query
    parts = (query.data or "").split(":") if query else []
    if len(parts) < 2 or parts[0] != "md":
        await answer_key(update, context, "common.stale_button")
        return
    action, args = parts[1], parts[2:]
    if action == "q" and not args:
        await answer(update)
        await send_page(update, context, after=0)
    elif action == "more" and len(args) == 1 and (after := unpack_int(args[0])) is not None:
        await answer(update)
        await drop_buttons(update)
        await send_page(update, context, after=after)
    elif action == "all" and len(args) == 1 and (pairs := _parse_all(args[0])) is not None:
        await _approve_all(update, context, pairs)
    elif action == "rx" and not args:
        await _redact_stop(update, context)
    elif action in _NOTE_ACTIONS and len(args) in (2, 3):
        note_id, round_ = unpack_int(args[0]), unpack_int(args[1])
        extra = args[2] if len(args) == 3 else None
        await _NOTE_ACTIONS[action](update, context, note_id, round_, extra)
    else:
        await answer_key(update, context, "common.stale_button")


async def _approve(
    update: Update,
    context: BuurtContext,
    note_id: int | None,
    round_: int | None,
    extra: str | None,
) -> None:
    if note_id is None or round_ is None or extra is not None:
        await answer_key(update, context, "common.stale_button")
        return
    await decide(update, context, note_id, round_, Decision.APPROVE)


def _back_row(lang: str, note_id: int, round_: int) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            plain(lang, "common.back"), callback_data=pack("md", "b", note_id, round_)
        )
    ]


async def _back(
    update: Update,
    context: BuurtContext,
    note_id: int | None,
    round_: int | None,
    extra: str | None,
) -> None:
    item = await _current(update, context, note_id, round_)
    if item is None:
        return
    await answer(update)
    await _set_buttons(update, _main_keyboard(context.lang, item))


async def _hide(
    update: Update,
    context: BuurtContext,
    note_id: int | None,
    round_: int | None,
    extra: str | None,
) -> None:
    """Without a reason: show the reasons. With one: hide the note."""
    if extra is not None:
        reason = HIDE_REASON_CODES.value(extra)
        if reason is None or note_id is None or round_ is None:
            await answer_key(update, context, "common.stale_button")
            return
        await decide(update, context, note_id, round_, Decision.HIDE, reason=reason)
        return
    item = await _current(update, context, note_id, round_)
    if item is None:
        return
    lang = context.lang
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, f"moderation.reason_{reason.value}"),
                callback_data=pack("md", "h", item.note.id, item.round, letter),
            )
        ]
        for reason, letter in HIDE_REASON_CODES.items()
    ]
    rows.append(_back_row(lang, item.note.id, item.round))
    await answer_key(update, context, "moderation.why_hide")
    await _set_buttons(update, InlineKeyboardMarkup(rows))


async def _move(
    update: Update,
    context: BuurtContext,
    note_id: int | None,
    round_: int | None,
    extra: str | None,
) -> None:
    """Without a quadrant: show the others. With one: move the note there."""
    if extra is not None:
        quadrant = QUADRANT_CODES.value(extra)
        if quadrant is None or note_id is None or round_ is None:
            await answer_key(update, context, "common.stale_button")
            return
        await decide(update, context, note_id, round_, Decision.MOVE, quadrant=quadrant)
        return
    item = await _current(update, context, note_id, round_)
    if item is None:
        return
    lang = context.lang
    buttons = [
        InlineKeyboardButton(
            plain(lang, f"quadrant.{quadrant.value}"),
            callback_data=pack("md", "m", item.note.id, item.round, letter),
        )
        for quadrant, letter in QUADRANT_CODES.items()
        if quadrant != item.note.quadrant
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(_back_row(lang, item.note.id, item.round))
    await answer_key(update, context, "moderation.where_to")
    await _set_buttons(update, InlineKeyboardMarkup(rows))


async def _duplicate(
    update: Update,
    context: BuurtContext,
    note_id: int | None,
    round_: int | None,
    extra: str | None,
) -> None:
    """Without another note: show the board's notes to choose from. With one: mark it."""
    if extra is not None:
        original = unpack_int(extra)
        if original is None or note_id is None or round_ is None:
            await answer_key(update, context, "common.stale_button")
            return
        await decide(update, context, note_id, round_, Decision.DUPLICATE, duplicate_of=original)
        return
    item = await _current(update, context, note_id, round_)
    if item is None:
        return
    repo = context.services.repo
    lang = context.lang
    note = item.note
    same = await repo.list_notes(note.theme_id, quadrant=note.quadrant, limit=DUPLICATE_CHOICES + 1)
    rest = await repo.list_notes(note.theme_id, limit=DUPLICATE_CHOICES * 3)
    choices: list[Note] = []
    for other in [*same, *rest]:
        if other.id != note.id and other not in choices and len(choices) < DUPLICATE_CHOICES:
            choices.append(other)
    if not choices:
        await answer_key(update, context, "moderation.no_originals", alert=True)
        return
    rows = [
        [
            InlineKeyboardButton(
                shorten(_label(lang, other), BUTTON_LABEL_LIMIT),
                callback_data=pack("md", "d", note.id, item.round, other.id),
            )
        ]
        for other in choices
    ]
    rows.append(_back_row(lang, note.id, item.round))
    await answer_key(update, context, "moderation.which_original")
    await _set_buttons(update, InlineKeyboardMarkup(rows))


def _label(lang: str, note: Note) -> str:
    if note.kind == NoteKind.VOICE:
        return plain(lang, "moderation.voice_note")
    if note.kind == NoteKind.PHOTO and not note.text:
        return plain(lang, "moderation.photo_note")
    return " ".join(note.text.split())


async def _approve_all(update: Update, context: BuurtContext, pairs: list[tuple[int, int]]) -> None:
    """Approve every note the page showed that nobody decided on yet."""
    repo = context.services.repo
    approved = taken = 0
    for note_id, round_ in pairs:
        result = await repo.decide(
            _mode(context),
            note_id,
            round_,
            Decision.APPROVE,
            moderator_id=user_id(update),
            moderator_name=person_name(update),
            now=context.services.clock.now(),
        )
        if result.outcome == DecideOutcome.DECIDED:
            approved += 1
        else:
            taken += 1
    await answer(update)
    lang = context.lang
    text = t(lang, "moderation.approved_all", count=approved)
    if taken:
        text = Html(text + "\n" + t(lang, "moderation.approved_all_skipped", count=taken))
    markup = None
    if (await repo.queue_marks(_mode(context))).count:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(plain(lang, "moderation.open_queue"), callback_data="md:q")]]
        )
    await _edit_card(update, text, markup)


# -- redaction -------------------------------------------------------------------------------


def _stamp(note: Note) -> str:
    return note.updated_at.isoformat()


async def _redact(
    update: Update,
    context: BuurtContext,
    note_id: int | None,
    round_: int | None,
    extra: str | None,
) -> None:
    """Start taking something out of a note: show what looks like contact details."""
    item = await _current(update, context, note_id, round_)
    if item is None:
        return
    note = item.note
    if note.kind == NoteKind.VOICE or not note.text:
        await answer_key(update, context, "moderation.nothing_to_redact", alert=True)
        return
    await answer(update)
    data: dict[str, object] = {
        "note": note.id,
        "round": item.round,
        "stamp": _stamp(note),
        "spans": [],
    }
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        # The card itself is closed too once the shortened note is on the board.
        data["card"] = query.message.message_id
        data["card_text"] = query.message.text is not None
    await context.services.repo.set_state(chat_id(update), FLOW, REDACT, data)
    await _redact_prompt(update, context, note, [], intro=True)


async def _redact_prompt(
    update: Update,
    context: BuurtContext,
    note: Note,
    spans: list[tuple[int, int]],
    *,
    intro: bool,
) -> None:
    lang = context.lang
    found = redaction.uncovered(redaction.candidates(note.text), spans)
    rows = [
        [
            InlineKeyboardButton(
                shorten(note.text[start:end], BUTTON_LABEL_LIMIT),
                callback_data=pack("md", "rc", note.id, _round_of(context), start),
            )
        ]
        for start, end in found[:6]
    ]
    if spans:
        rows.append(
            [
                InlineKeyboardButton(
                    plain(lang, "moderation.redact_save"),
                    callback_data=pack("md", "rok", note.id, _round_of(context)),
                )
            ]
        )
    rows.append(
        [InlineKeyboardButton(plain(lang, "moderation.redact_stop"), callback_data="md:rx")]
    )
    if intro:
        text = t(lang, "moderation.redact_ask" if found else "moderation.redact_ask_type")
    else:
        text = t(
            lang,
            "moderation.redact_preview",
            text=shorten(redaction.apply(note.text, spans), CARD_TEXT),
        )
    await say(update, context, text, InlineKeyboardMarkup(rows))


def _round_of(context: BuurtContext) -> int:
    value = context.state.data.get("round")
    return value if isinstance(value, int) else 0


def _spans(context: BuurtContext) -> list[tuple[int, int]]:
    raw = context.state.data.get("spans", [])
    spans: list[tuple[int, int]] = []
    if isinstance(raw, list):
        for pair in raw:
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, int) for v in pair):
                spans.append((pair[0], pair[1]))
    return spans


async def _redacting(
    update: Update, context: BuurtContext, note_id: int | None = None
) -> Note | None:
    """The note being redacted, when the chat is redacting it and it did not change since."""
    state = context.state
    wanted = state.data.get("note")
    if state.flow != FLOW or state.step != REDACT or not isinstance(wanted, int):
        await _stale_redaction(update, context)
        return None
    if note_id is not None and note_id != wanted:
        await _stale_redaction(update, context)
        return None
    note = await context.services.repo.get_note(wanted)
    if note is None or _stamp(note) != state.data.get("stamp"):
        await context.services.repo.set_state(chat_id(update), None, None, {})
        if update.callback_query is not None:
            await answer_key(update, context, "moderation.redact_changed", alert=True)
        else:
            await say(update, context, t(context.lang, "moderation.redact_changed"))
        return None
    return note


async def _stale_redaction(update: Update, context: BuurtContext) -> None:
    if update.callback_query is not None:
        await answer_key(update, context, "common.stale_button")
    else:
        await say(update, context, t(context.lang, "common.stale_button"))


async def _add_spans(
    update: Update, context: BuurtContext, note: Note, found: list[tuple[int, int]]
) -> None:
    spans = redaction.merge([*_spans(context), *found])
    data = dict(context.state.data, spans=[list(span) for span in spans])
    await context.services.repo.set_state(chat_id(update), FLOW, REDACT, data)
    context.state = type(context.state)(context.state.chat_id, FLOW, REDACT, data)
    await _redact_prompt(update, context, note, spans, intro=False)


async def _redact_candidate(
    update: Update,
    context: BuurtContext,
    note_id: int | None,
    round_: int | None,
    extra: str | None,
) -> None:
    """A piece the bot pointed out was tapped: take it out too."""
    start = unpack_int(extra) if extra is not None else None
    note = await _redacting(update, context, note_id)
    if note is None:
        return
    match = next((s for s in redaction.candidates(note.text) if s[0] == start), None)
    if match is None:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    await _add_spans(update, context, note, [match])


async def on_redact_text(update: Update, context: BuurtContext) -> None:
    """The moderator typed the words to take out."""
    message = update.message
    assert message is not None
    if not context.roles & {Role.MODERATOR, Role.ADMIN}:
        await context.services.repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(context.lang, "moderation.denied"))
        return
    note = await _redacting(update, context)
    if note is None:
        return
    if not message.text:
        await say(update, context, t(context.lang, "moderation.redact_text_only"))
        return
    found = redaction.find_all(note.text, message.text)
    if not found:
        await say(update, context, t(context.lang, "moderation.redact_not_found"))
        return
    await _add_spans(update, context, note, found)


async def _redact_save(
    update: Update,
    context: BuurtContext,
    note_id: int | None,
    round_: int | None,
    extra: str | None,
) -> None:
    """Put the note on the board without what was taken out."""
    note = await _redacting(update, context, note_id)
    if note is None:
        return
    spans = _spans(context)
    if round_ is None or round_ != _round_of(context) or not spans:
        await answer_key(update, context, "common.stale_button")
        return
    card, card_text = context.state.data.get("card"), context.state.data.get("card_text")
    await context.services.repo.set_state(chat_id(update), None, None, {})
    result = await decide(
        update, context, note.id, round_, Decision.REDACT, text=redaction.apply(note.text, spans)
    )
    if result.outcome != DecideOutcome.DECIDED or result.decision is None:
        return
    if isinstance(card, int) and result.note is not None:
        text = await _closed_text(
            context, result.note, await outcome_text(context, result.decision)
        )
        await _edit_message(
            context.bot, chat_id(update), card, has_text=card_text is True, text=text, markup=None
        )
    await say(update, context, t(context.lang, "moderation.redact_done"))


async def _redact_stop(update: Update, context: BuurtContext) -> None:
    await answer(update)
    await drop_buttons(update)
    if context.state.flow == FLOW:
        await context.services.repo.set_state(chat_id(update), None, None, {})
    await say(update, context, t(context.lang, "moderation.redact_stopped"))


_NOTE_ACTIONS = {
    "ok": _approve,
    "b": _back,
    "h": _hide,
    "m": _move,
    "d": _duplicate,
    "r": _redact,
    "rc": _redact_candidate,
    "rok": _redact_save,
}

STEPS: dict[str, StepHandler] = {REDACT: on_redact_text}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the review queue."""
    return [
        CommandHandler("moderatie", queue_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_button, pattern=r"^md:"),
    ]
