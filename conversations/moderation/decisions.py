"""Storing a decision on a note: the first one counts; a later press hears who decided.

Storage accepts a decision only for the round the card was shown for, once. The writer hears
when their note was hidden, counted with another one, or shortened.
"""

from __future__ import annotations

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons
from bot.chat.text_limits import shorten
from bot.chat.updates import person_name, user_id
from bot.core.i18n import plain, t
from bot.village.notes import same_writer
from conversations.moderation.actions import mode
from conversations.moderation.cards import close_card
from storage.models import (
    DecideOutcome,
    DecideResult,
    Decision,
    HideReason,
    ModerationDecision,
    NewMessage,
    Note,
    Quadrant,
    QueueItem,
)


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
    await close_card(update, context, decision.note_id, outcome)


async def _stale(update: Update, context: BuurtContext, note_id: int, round_: int) -> None:
    """The card is older than the note's state: tell what became of it."""
    decision = await context.services.repo.decision_of(note_id, round_)
    if decision is not None:
        await _show_taken(update, context, decision)
        return
    await answer_key(update, context, "moderation.not_waiting", alert=True)
    await drop_buttons(update)


async def current(
    update: Update, context: BuurtContext, note_id: int, round_: int
) -> QueueItem | None:
    """The note a card is about, when it still waits in the round the card was shown for."""
    item = await context.services.repo.queue_item(mode(context), note_id)
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
        mode(context),
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
        await close_card(update, context, note_id, outcome)
        if result.note is not None:
            await _tell_author(context, result.note, result.decision)
    elif result.outcome == DecideOutcome.TAKEN and result.decision is not None:
        await _show_taken(update, context, result.decision)
    elif result.outcome == DecideOutcome.INVALID:
        await answer_key(update, context, "moderation.invalid", alert=True)
    else:
        await _stale(update, context, note_id, round_)
    return result


async def _told_key(context: BuurtContext, note: Note, decision: ModerationDecision) -> str:
    """What the writer reads; a duplicate of their own earlier note is not "someone else's"."""
    if decision.decision == Decision.DUPLICATE and decision.duplicate_of is not None:
        original = await context.services.repo.get_note(decision.duplicate_of)
        if original is not None and same_writer(original, note):
            return "told_own.duplicate"
    return f"moderation.told_{decision.decision.value}"


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
        await _told_key(context, note, decision),
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
