"""Who may do what with a table, and finding the table a button names."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from telegram import Update

from bot.chat.callbacks import ButtonHandler, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key
from bot.chat.updates import user_id
from bot.chat.visible import visible_table
from bot.village.access import Role, may_manage
from conversations.tables.actions import FLOW
from storage.models import TalkTable, Theme

TableHandler = Callable[[Update, BuurtContext, TalkTable, Theme, list[str]], Awaitable[None]]
"""Handles a press on a table's button; gets the table, its theme and the parts after the id."""


def manages(update: Update, context: BuurtContext, theme: Theme) -> bool:
    """True for an ambassador (or admin) whose area holds the theme."""
    if not context.roles & {Role.AMBASSADOR, Role.ADMIN}:
        return False
    return may_manage(user_id(update), context.services.config, theme.place)


def may_edit(update: Update, context: BuurtContext, table: TalkTable, theme: Theme) -> bool:
    """True for the table's initiator and for the ambassador who manages it."""
    return table.initiator_id == user_id(update) or manages(update, context, theme)


def at_step(context: BuurtContext, table: TalkTable, step: str) -> bool:
    """True when the chat is at this step of the tables flow, for this very table."""
    state = context.state
    return state.flow == FLOW and state.step == step and state.data.get("table") == table.id


async def find_table(
    update: Update, context: BuurtContext, table_id: int | None
) -> tuple[TalkTable, Theme] | None:
    """The table and its theme when this person may see them; None (and answered) otherwise."""
    return await visible_table(update, context, table_id)


def with_table(handler: TableHandler) -> ButtonHandler:
    """Find the table a button's first part names; a gone or hidden one is answered so."""

    @functools.wraps(handler)
    async def press(update: Update, context: BuurtContext, args: list[str]) -> None:
        table_id = unpack_int(args[0]) if args else None
        found = await find_table(update, context, table_id)
        if found is None:
            return
        await handler(update, context, *found, args[1:])

    return press


Allowed = Callable[[Update, BuurtContext, TalkTable, Theme], bool]


def only_if(allowed: Allowed, refusal: str) -> Callable[[TableHandler], TableHandler]:
    """Let a press on a table's button through only when allowed; others hear refusal."""

    def wrap(handler: TableHandler) -> TableHandler:
        @functools.wraps(handler)
        async def press(
            update: Update, context: BuurtContext, table: TalkTable, theme: Theme, args: list[str]
        ) -> None:
            if not allowed(update, context, table, theme):
                await answer_key(update, context, refusal, alert=True)
                return
            await answer(update)
            await handler(update, context, table, theme, args)

        return press

    return wrap


editors_only = only_if(may_edit, "tables.not_yours")
"""For the buttons that change a card: its initiator and the ambassador who manages it."""
in_area = only_if(
    lambda update, context, table, theme: manages(update, context, theme), "access.other_area"
)
"""For the ambassador's buttons: only the ambassador whose area holds the table."""
