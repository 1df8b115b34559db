"""Joining a table (how, an optional line, whether to show one's name) and leaving it."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import plain, t
from conversations.tables.access import at_step, with_table
from conversations.tables.actions import FLOW, KIND_CODES, MAX_HOW, NO, YES, Action, Step, button
from conversations.tables.show import show_card
from conversations.tables.waiting import fill_free_places
from storage.models import Commitment, Consent, MemberStatus, TalkTable, Theme


@with_table
async def on_join(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Ask how the person commits, for the way of joining they pressed."""
    kind = KIND_CODES.value(args[0]) if len(args) == 1 else None
    if kind is None:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    lang = context.lang
    await context.services.repo.set_state(
        chat_id(update), FLOW, Step.HOW, {"table": table.id, "kind": kind.value}
    )
    keyboard = InlineKeyboardMarkup([[button(lang, "common.skip", Action.SKIP_HOW, table.id)]])
    await say(update, context, t(lang, f"tables.ask_how_{kind.value}", title=table.title), keyboard)


async def on_how(update: Update, context: BuurtContext) -> None:
    """Take the line on how someone commits, then ask about showing their name."""
    message = update.message
    assert message is not None
    value = (message.text or "").strip()
    if not value or len(value) > MAX_HOW:
        await say(update, context, t(context.lang, "tables.bad_how", max=MAX_HOW))
        return
    await _ask_name(update, context, dict(context.state.data, how=value))


@with_table
async def on_skip_how(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Join without a line on how, and ask about showing the name."""
    if not at_step(context, table, Step.HOW):
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    await _ask_name(update, context, dict(context.state.data, how=""))


async def _ask_name(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    lang = context.lang
    table_id = int(data["table"])
    await context.services.repo.set_state(chat_id(update), FLOW, Step.NAME, data)
    user = update.effective_user
    name = user.first_name if user and user.first_name else plain(lang, "start.someone")
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(lang, "tables.name_yes", Action.SHOW_NAME, table_id, YES, name=name),
                button(lang, "tables.name_no", Action.SHOW_NAME, table_id, NO),
            ]
        ]
    )
    await say(update, context, t(lang, "tables.ask_name", name=name), keyboard)


@with_table
async def on_show_name(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Take a seat (or a place on the waiting list), with or without the first name."""
    if len(args) != 1 or not at_step(context, table, Step.NAME):
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    await _finish_join(update, context, table, show_name=args[0] == YES)


async def _finish_join(
    update: Update, context: BuurtContext, table: TalkTable, *, show_name: bool
) -> None:
    lang = context.lang
    repo = context.services.repo
    data = dict(context.state.data)
    await repo.set_state(chat_id(update), None, None, {})
    kind = Commitment(str(data.get("kind", Commitment.THINK.value)))
    user = update.effective_user
    first_name = user.first_name if show_name and user is not None else None
    await repo.set_consent(user_id(update), Consent.SHOW_NAME, show_name)
    result = await repo.join_table(
        table.id, user_id(update), kind, str(data.get("how", "")), first_name
    )
    await fill_free_places(context, table.id)
    member = await repo.get_member(table.id, user_id(update)) or result.member
    if member.status == MemberStatus.WAITING:
        position = await repo.waiting_position(table.id, member.user_id)
        await say(update, context, t(lang, "tables.joined_waiting", position=position))
        return
    await say(
        update,
        context,
        t(lang, f"tables.joined.{kind.value}", title=table.title),
    )


@with_table
async def on_name(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Show or hide a member's first name to the others at the table."""
    if len(args) != 1:
        await answer_key(update, context, "common.stale_button")
        return
    repo = context.services.repo
    member = await repo.get_member(table.id, user_id(update))
    if member is None:
        await answer_key(update, context, "tables.not_member")
        return
    user = update.effective_user
    show = args[0] == YES and user is not None
    await repo.set_member_name(table.id, member.user_id, user.first_name if show and user else None)
    await repo.set_consent(member.user_id, Consent.SHOW_NAME, show)
    await answer_key(update, context, "mine.saved")
    await show_card(update, context, table, edit=True)


@with_table
async def on_leave(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Ask whether the person really leaves the table (or its waiting list)."""
    await answer(update)
    lang = context.lang
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(lang, "tables.leave_yes", Action.LEAVE_YES, table.id),
                button(lang, "tables.leave_no", Action.LEAVE_NO, table.id),
            ]
        ]
    )
    await say(update, context, t(lang, "tables.leave_confirm", title=table.title), keyboard)


@with_table
async def on_leave_yes(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Leave the table; the first one waiting takes the free place."""
    await answer(update)
    await drop_buttons(update)
    repo = context.services.repo
    if not await repo.leave_table(table.id, user_id(update)):
        await say(update, context, t(context.lang, "tables.not_member"))
        return
    await say(update, context, t(context.lang, "tables.left", title=table.title))
    await fill_free_places(context, table.id)


@with_table
async def on_leave_no(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Stay at the table after all."""
    await answer(update)
    await drop_buttons(update)
    await say(update, context, t(context.lang, "tables.stayed"))
