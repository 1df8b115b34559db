"""Moving a moment: a new date and time, a confirmation, new reminders, and word to who comes.

The date and time are asked like at set-up. The confirmation buttons name the moment
(tl:mvy:<id>), so they are checked like every button of its ambassador; this wizard draws
no buttons of its own, and its presses are those two buttons.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.chat.context import BuurtContext
from bot.chat.date_answers import date_examples
from bot.chat.guards import ambassadors_only, still_manages
from bot.chat.replies import drop_buttons, say
from bot.chat.updates import chat_id
from bot.chat.wizard import ConfirmStep, Data, TextStep, Wizard
from bot.core.i18n import t
from bot.village.local_time import format_when
from conversations.timeline.actions import FLOW, PREFIX, Action, button
from conversations.timeline.card import show
from conversations.timeline.manage import Managed, for_its_ambassador, tell_who_comes
from conversations.timeline.moments import reminders_for, starts
from conversations.timeline.setup import read_date, read_time

MOVE_CONFIRM = "move_confirm"
_YES, _NO = "y", "n"


@for_its_ambassador
async def on_move(update: Update, context: BuurtContext, pressed: Managed) -> None:
    """Ask the new date of the moment."""
    await MOVE.start(update, context, {"move": pressed.moment.id})


async def confirm_move(update: Update, context: BuurtContext, answers: Data) -> None:
    """Ask before moving: who said they come hears of it."""
    lang = context.lang
    moment_id = int(answers["move"])
    coming = await context.services.repo.rsvp_recipients(moment_id)
    when = format_when(starts(answers, context), lang, context.services.config.municipality.tz)
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(lang, "timeline.move_yes", Action.MOVE_YES, moment_id),
                button(lang, "timeline.move_no", Action.MOVE_NO, moment_id),
            ]
        ]
    )
    text = t(lang, "timeline.move_confirm", when=when, count=len(coming))
    await say(update, context, text, keyboard)


@for_its_ambassador
async def on_move_yes(update: Update, context: BuurtContext, pressed: Managed) -> None:
    """Move the moment, if the chat is still confirming that move."""
    state = context.state
    if state.flow != FLOW or state.step != MOVE_CONFIRM:
        return
    await drop_buttons(update)
    answers = dict(state.data)
    if answers.get("move") != pressed.moment.id or "time" not in answers:
        await context.services.repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(context.lang, "common.stale_button"))
        return
    await decide(update, context, answers, _YES)


@for_its_ambassador
async def on_move_no(update: Update, context: BuurtContext, _: Managed) -> None:
    """Keep the moment where it was; a second tap is quiet."""
    # The press was answered already (for_its_ambassador): only the question is checked.
    state = context.state
    if state.flow != FLOW or state.step != MOVE_CONFIRM:
        return
    await drop_buttons(update)
    await decide(update, context, {}, _NO)


async def decide(update: Update, context: BuurtContext, answers: Data, code: str) -> None:
    """Move the moment the answers name, or leave it; the chat leaves the move either way."""
    services = context.services
    repo = services.repo
    await repo.set_state(chat_id(update), None, None, {})
    if code != _YES:
        await say(update, context, t(context.lang, "timeline.not_moved"))
        return
    moment = await repo.get_moment(int(answers["move"]))
    theme = await repo.get_theme(moment.theme_id) if moment is not None else None
    if theme is None:
        await say(update, context, t(context.lang, "timeline.gone"))
        return
    if not await still_manages(update, context, theme.place):
        return
    start = starts(answers, context)
    moved = await repo.move_moment(int(answers["move"]), start, reminders_for(services, start))
    if moved is None:
        await say(update, context, t(context.lang, "timeline.gone"))
        return
    dedupe = f"moment-moved:{moved.id}:{start:%Y%m%dT%H%MZ}"
    count = await tell_who_comes(update, context, moved, "timeline.moved_notice", dedupe)
    await say(update, context, t(context.lang, "timeline.moved", count=count))
    await show(update, context, moved, edit=False)


MOVE = Wizard(
    flow=FLOW,
    prefix=PREFIX,
    guard=ambassadors_only,
    steps=[
        TextStep(
            "move_date",
            "timeline.ask_new_date",
            field="date",
            parse=read_date,
            error="timeline.bad_date",
            prompt_values=date_examples,
        ),
        TextStep(
            "move_time",
            "timeline.ask_time",
            field="time",
            parse=read_time,
            error="timeline.bad_time",
        ),
        ConfirmStep(MOVE_CONFIRM, show=confirm_move, decide=decide),
    ],
)
