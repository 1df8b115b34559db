"""A table's card as one person sees it, with what they can do with it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.context import BuurtContext
from bot.chat.replies import answer, edit_or_send, say
from bot.chat.updates import user_id
from bot.core.i18n import Html, t
from conversations.tables.access import manages, may_edit, with_table
from conversations.tables.actions import NO, YES, Action, button
from conversations.tables.card import card_text, join_buttons
from storage.models import MemberStatus, TableMember, TalkTable, Theme


async def show_card(update: Update, context: BuurtContext, table: TalkTable, *, edit: bool) -> None:
    """Show a table's card with what this person can do with it."""
    lang = context.lang
    repo = context.services.repo
    theme = await repo.get_theme(table.theme_id)
    if theme is None:
        await say(update, context, t(lang, "tables.gone"))
        return
    members = await repo.list_members(table.id)
    me = next((m for m in members if m.user_id == user_id(update)), None)
    manager = manages(update, context, theme)
    names = me is not None or manager or table.initiator_id == user_id(update)
    text = card_text(lang, table, theme.title, members, names=names)
    rows: list[list[InlineKeyboardButton]] = []
    if me is None:
        if not manager:  # an ambassador manages the table rather than joins it
            text = Html(text + "\n\n" + t(lang, "tables.how_to_join"))
            rows += join_buttons(lang, table.id)
    else:
        text = Html(text + "\n\n" + await _your_place(context, table, me))
        rows.append(_member_row(lang, table, me))
    if may_edit(update, context, table, theme):
        rows.append([button(lang, "tables.edit", Action.EDIT, table.id)])
    if manager:
        rows.append(
            [
                button(lang, "tables.invite", Action.INVITE, table.id),
                button(lang, "tables.initiator_link", Action.LINK, table.id),
            ]
        )
    markup = InlineKeyboardMarkup(rows) if rows else None
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


async def _your_place(context: BuurtContext, table: TalkTable, me: TableMember) -> Html:
    lang = context.lang
    if me.status == MemberStatus.WAITING:
        position = await context.services.repo.waiting_position(table.id, me.user_id)
        return t(lang, "tables.you_wait", position=position)
    return t(lang, f"tables.you_member.{me.commitment.value}")


def _member_row(lang: str, table: TalkTable, me: TableMember) -> list[InlineKeyboardButton]:
    if me.status == MemberStatus.WAITING:
        return [button(lang, "tables.leave_waiting", Action.LEAVE, table.id)]
    name_button = (
        button(lang, "tables.hide_name", Action.NAME, table.id, NO)
        if me.first_name
        else button(lang, "tables.show_name", Action.NAME, table.id, YES)
    )
    return [button(lang, "tables.leave", Action.LEAVE, table.id), name_button]


@with_table
async def on_open(
    update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
) -> None:
    """Open a table's card from a list, a reminder or an edit."""
    await answer(update)
    await show_card(update, context, table, edit=False)
