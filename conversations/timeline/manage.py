"""What a moment's ambassador does with it: cancel it, widen its reminders, tell people.

Every button here names a moment and is checked the same way: the moment exists, the
person manages its theme's place, and it has not begun or been cancelled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update

from bot.chat.broadcasts import audit_sent
from bot.chat.callbacks import ButtonHandler
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only, still_manages
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.core.i18n import t
from bot.services.scheduler import planning_changed
from conversations.timeline.actions import Action, button
from conversations.timeline.card import about_moment, show
from conversations.timeline.moments import (
    is_open,
    manages,
    moment_button,
    moment_lines,
    rsvp_buttons,
)
from storage.models import Moment, NewMessage, Theme

# How the audit trail names the notice tell_who_comes sends, by its catalog key.
NOTICES = {
    "timeline.cancelled_notice": "moment_cancelled",
    "timeline.moved_notice": "moment_moved",
}


@dataclass(frozen=True)
class Managed:
    """A moment its ambassador pressed a button for, its theme, and the button's other parts."""

    moment: Moment
    theme: Theme
    args: list[str]


ManageHandler = Callable[[Update, BuurtContext, Managed], Awaitable[None]]


def for_its_ambassador(handler: ManageHandler) -> ButtonHandler:
    """Let only the moment's own ambassador change it, and only while it is still ahead."""

    @about_moment
    async def press(update: Update, context: BuurtContext, moment: Moment, args: list[str]) -> None:
        @ambassadors_only
        async def run(update: Update, context: BuurtContext) -> None:
            theme = await context.services.repo.get_theme(moment.theme_id)
            if theme is None or not manages(update, context, theme):
                await answer_key(update, context, "access.other_area", alert=True)
                return
            if not is_open(context, moment):
                await answer_key(update, context, "timeline.closed_for_changes")
                return
            await answer(update)
            await handler(update, context, Managed(moment, theme, args))

        await run(update, context)

    press.__doc__ = handler.__doc__
    press.__name__ = handler.__name__
    return press


async def tell_who_comes(
    update: Update,
    context: BuurtContext,
    moment: Moment,
    key: str,
    dedupe: str,
    *,
    buttons: bool = True,
) -> int:
    """Drop the moment's waiting reminders and tell who said they come, in their language;
    the audit trail says who told them (key names the notice: moved or cancelled)."""
    services = context.services
    repo = services.repo
    await repo.cancel_pending(f"reminder:{moment.id}:")
    messages = [
        NewMessage(
            r.user_id,
            t(r.language, key, **moment_lines(services, r.language, moment)),
            moment_button(r.language, moment) if buttons else (),
            due_at=services.clock.now(),
            dedupe_key=f"{dedupe}:{r.user_id}",
        )
        for r in await repo.rsvp_recipients(moment.id)
    ]
    queued = await repo.enqueue(messages)
    services.outbox_changed()
    notice = NOTICES.get(key, "moment_notice")
    await audit_sent(update, context, notice, queued, theme_id=moment.theme_id, moment=moment.id)
    planning_changed(context.application)
    return queued


@for_its_ambassador
async def on_cancel(update: Update, context: BuurtContext, pressed: Managed) -> None:
    """Ask before cancelling: who said they come hears of it."""
    lang, moment = context.lang, pressed.moment
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(lang, "timeline.cancel_yes", Action.CANCEL_YES, moment.id),
                button(lang, "timeline.cancel_no", Action.CANCEL_NO, moment.id),
            ]
        ]
    )
    await say(update, context, t(lang, "timeline.cancel_confirm", title=moment.title), keyboard)


@for_its_ambassador
async def on_cancel_yes(update: Update, context: BuurtContext, pressed: Managed) -> None:
    """Cancel the moment, drop its reminders and tell who said they come."""
    await drop_buttons(update)
    repo = context.services.repo
    moment = pressed.moment
    if await repo.cancel_moment(moment.id) is None:
        await say(update, context, t(context.lang, "timeline.gone"))
        return
    notice, dedupe = "timeline.cancelled_notice", f"moment-cancelled:{moment.id}"
    count = await tell_who_comes(update, context, moment, notice, dedupe, buttons=False)
    await say(update, context, t(context.lang, "timeline.cancelled", count=count))


@for_its_ambassador
async def on_cancel_no(update: Update, context: BuurtContext, _: Managed) -> None:
    """Keep the moment."""
    await drop_buttons(update)
    await say(update, context, t(context.lang, "timeline.not_cancelled"))


@for_its_ambassador
async def on_widen(update: Update, context: BuurtContext, pressed: Managed) -> None:
    """Send the reminders to the whole table or theme (1), or only to who comes (0)."""
    flag = pressed.args[-1] if pressed.args else ""
    if flag not in ("0", "1"):
        return
    moment = pressed.moment
    updated = await context.services.repo.set_remind_theme(moment.id, flag == "1")
    await show(update, context, updated or moment, edit=True)


@for_its_ambassador
async def on_announce(update: Update, context: BuurtContext, pressed: Managed) -> None:
    """Ask before telling everyone who took part in the theme of the moment."""
    lang, moment = context.lang, pressed.moment
    count = len(await context.services.repo.moment_invitees(moment))
    if not count:
        await say(update, context, t(lang, "timeline.announce_nobody"))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(lang, "broadcast.send", Action.ANNOUNCE_YES, moment.id),
                button(lang, "broadcast.cancel", Action.ANNOUNCE_NO, moment.id),
            ]
        ]
    )
    await say(update, context, t(lang, "timeline.announce_confirm", count=count), keyboard)


@for_its_ambassador
async def on_announce_yes(update: Update, context: BuurtContext, pressed: Managed) -> None:
    """Tell who took part in the theme of the moment; they can answer right there."""
    await drop_buttons(update)
    if not await still_manages(update, context, pressed.theme.place):
        return
    services = context.services
    moment = pressed.moment
    messages = []
    for r in await services.repo.moment_invitees(moment):
        values = moment_lines(services, r.language, moment)
        messages.append(
            NewMessage(
                r.user_id,
                t(r.language, "timeline.new_moment", theme=pressed.theme.title, **values),
                rsvp_buttons(r.language, moment),
                due_at=services.clock.now(),
                dedupe_key=f"moment-new:{moment.id}:{r.user_id}",
            )
        )
    queued = await services.repo.enqueue(messages)
    services.outbox_changed()
    await audit_sent(
        update, context, "moment_new", queued, theme_id=moment.theme_id, moment=moment.id
    )
    await say(update, context, t(context.lang, "timeline.announced", count=queued))


@for_its_ambassador
async def on_announce_no(update: Update, context: BuurtContext, _: Managed) -> None:
    """Tell nobody."""
    await drop_buttons(update)
    await say(update, context, t(context.lang, "broadcast.cancelled"))
