"""/moderatie: the notes that wait for a moderator, a page of cards at a time, oldest first."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import first_id
from bot.chat.context import BuurtContext
from bot.chat.guards import moderators_only
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.updates import person_name, user_id
from bot.core.i18n import Html, plain, t
from conversations.moderation.actions import (
    PAGE_SIZE,
    Action,
    approve_all_data,
    button_data,
    mode,
    parse_approve_all,
)
from conversations.moderation.cards import edit_card, send_card
from storage.models import DecideOutcome, Decision


@moderators_only
async def queue_command(update: Update, context: BuurtContext) -> None:
    """Show the oldest notes that wait for a moderator."""
    await send_page(update, context, after=0)


async def send_page(update: Update, context: BuurtContext, *, after: int) -> None:
    """Send a header, one card per waiting note after the note id, and a footer."""
    repo = context.services.repo
    lang = context.lang
    items = await repo.moderation_queue(mode(context), after_note_id=after, limit=PAGE_SIZE + 1)
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    marks = await repo.queue_marks(mode(context))
    if not items:
        key = "moderation.empty" if after == 0 or marks.count == 0 else "moderation.no_more"
        await say(update, context, t(lang, key))
        return
    header = t(lang, f"moderation.header_{mode(context)}", count=marks.count, shown=len(items))
    await say(update, context, header)
    for item in items:
        await send_card(update, context, item)
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, "moderation.approve_all", count=len(items)),
                callback_data=approve_all_data(items),
            )
        ]
    ]
    if more:
        rows.append(
            [
                InlineKeyboardButton(
                    plain(lang, "moderation.next_page"),
                    callback_data=button_data(Action.MORE, items[-1].note.id),
                )
            ]
        )
    await say(update, context, t(lang, "moderation.footer"), InlineKeyboardMarkup(rows))


async def on_queue(update: Update, context: BuurtContext) -> None:
    """Open the queue from its first page again."""
    await answer(update)
    await send_page(update, context, after=0)


async def on_more(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Show the page after the last note of the pressed page."""
    after = first_id(args)
    if after is None:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    await send_page(update, context, after=after)


async def on_approve_all(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Approve every note the page showed that nobody decided on yet."""
    pairs = parse_approve_all(args[0]) if len(args) == 1 else None
    if pairs is None:
        await answer_key(update, context, "common.stale_button")
        return
    repo = context.services.repo
    approved = taken = 0
    for note_id, round_ in pairs:
        result = await repo.decide(
            mode(context),
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
    if (await repo.queue_marks(mode(context))).count:
        open_queue = InlineKeyboardButton(
            plain(lang, "moderation.open_queue"), callback_data=button_data(Action.QUEUE)
        )
        markup = InlineKeyboardMarkup([[open_queue]])
    await edit_card(update, text, markup)
