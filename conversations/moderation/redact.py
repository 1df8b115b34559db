"""Taking personal details out of a note before it goes on the board.

The bot points out what looks like contact details; the moderator taps those or types other
words to take out, sees the result, and saves it. The chat keeps the note, its round, the
note's last change and the pieces so far; a note changed meanwhile stops the redaction.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.chat.callbacks import unpack_int
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import chat_id
from bot.core.i18n import plain, t
from bot.village import redaction
from bot.village.access import Role
from conversations.moderation.actions import FLOW, REDACT, Action, NotePress, button_data
from conversations.moderation.cards import CARD_TEXT, closed_text, edit_message
from conversations.moderation.decisions import current, decide, outcome_text
from storage.models import DecideOutcome, Decision, Note, NoteKind

CANDIDATE_BUTTONS = 6


def _stamp(note: Note) -> str:
    return note.updated_at.isoformat()


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


async def on_redact(update: Update, context: BuurtContext, press: NotePress) -> None:
    """Start taking something out of a note: show what looks like contact details."""
    item = await current(update, context, press.note_id, press.round)
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
    await _prompt(update, context, note, [], intro=True)


async def _prompt(
    update: Update,
    context: BuurtContext,
    note: Note,
    spans: list[tuple[int, int]],
    *,
    intro: bool,
) -> None:
    """Ask for what to take out, with the pieces still in and, once some are out, a preview."""
    lang = context.lang
    found = redaction.uncovered(redaction.candidates(note.text), spans)
    rows = [
        [
            InlineKeyboardButton(
                shorten(note.text[start:end], BUTTON_LABEL_LIMIT),
                callback_data=button_data(Action.REDACT_PIECE, note.id, _round_of(context), start),
            )
        ]
        for start, end in found[:CANDIDATE_BUTTONS]
    ]
    if spans:
        rows.append(
            [
                InlineKeyboardButton(
                    plain(lang, "moderation.redact_save"),
                    callback_data=button_data(Action.REDACT_SAVE, note.id, _round_of(context)),
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                plain(lang, "moderation.redact_stop"), callback_data=button_data(Action.REDACT_STOP)
            )
        ]
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
    """Keep the new pieces with the earlier ones and show the note without them."""
    spans = redaction.merge([*_spans(context), *found])
    data = dict(context.state.data, spans=[list(span) for span in spans])
    await context.services.repo.set_state(chat_id(update), FLOW, REDACT, data)
    context.state = type(context.state)(context.state.chat_id, FLOW, REDACT, data)
    await _prompt(update, context, note, spans, intro=False)


async def on_redact_piece(update: Update, context: BuurtContext, press: NotePress) -> None:
    """A piece the bot pointed out was tapped: take it out too."""
    start = unpack_int(press.choice) if press.choice is not None else None
    note = await _redacting(update, context, press.note_id)
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
    # Not the require() guard: someone who lost the role mid-redaction also leaves the step.
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


async def on_redact_save(update: Update, context: BuurtContext, press: NotePress) -> None:
    """Put the note on the board without what was taken out."""
    note = await _redacting(update, context, press.note_id)
    if note is None:
        return
    spans = _spans(context)
    if press.round != _round_of(context) or not spans:
        await answer_key(update, context, "common.stale_button")
        return
    card, card_text = context.state.data.get("card"), context.state.data.get("card_text")
    await context.services.repo.set_state(chat_id(update), None, None, {})
    result = await decide(
        update,
        context,
        note.id,
        press.round,
        Decision.REDACT,
        text=redaction.apply(note.text, spans),
    )
    if result.outcome != DecideOutcome.DECIDED or result.decision is None:
        return
    if isinstance(card, int) and result.note is not None:
        text = await closed_text(context, result.note, await outcome_text(context, result.decision))
        await edit_message(
            context.bot, chat_id(update), card, has_text=card_text is True, text=text, markup=None
        )
    await say(update, context, t(context.lang, "moderation.redact_done"))


async def on_redact_stop(update: Update, context: BuurtContext) -> None:
    """Leave the note as it is; the card still waits for a decision."""
    await answer(update)
    await drop_buttons(update)
    if context.state.flow == FLOW:
        await context.services.repo.set_state(chat_id(update), None, None, {})
    await say(update, context, t(context.lang, "moderation.redact_stopped"))
