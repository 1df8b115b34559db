"""/tafels: the tables of the themes a person takes part in or looks after."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import pack
from bot.chat.context import BuurtContext
from bot.chat.replies import say
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import user_id
from bot.core.i18n import plain, t
from bot.village.access import Role
from conversations.tables.actions import PREFIX, Action
from conversations.theme_list import active_themes, managed_themes
from storage.models import ThemeStatus

LISTED = 40


async def tables_command(update: Update, context: BuurtContext) -> None:
    """List the tables of the person's themes."""
    lang = context.lang
    repo = context.services.repo
    tables = await repo.list_tables(await _my_theme_ids(update, context))
    if not tables:
        await say(update, context, t(lang, "tables.none"))
        return
    own = {m.table_id for m in await repo.memberships_of(user_id(update))}
    rows = []
    for table in tables[:LISTED]:
        label = table.title
        if table.id in own:
            label = plain(lang, "tables.list_mine", title=table.title)
        data = pack(PREFIX, Action.OPEN, table.id)
        rows.append([InlineKeyboardButton(shorten(label, BUTTON_LABEL_LIMIT), callback_data=data)])
    await say(update, context, t(lang, "tables.pick"), InlineKeyboardMarkup(rows))


async def _my_theme_ids(update: Update, context: BuurtContext) -> set[int]:
    """The running themes of the person's place, of their tables, and of their area."""
    repo = context.services.repo
    ids = {theme.id for theme in await active_themes(context)}
    for member in await repo.memberships_of(user_id(update)):
        table = await repo.get_table(member.table_id)
        if table is not None:
            ids.add(table.theme_id)
    if context.roles & {Role.AMBASSADOR, Role.ADMIN}:
        running = (ThemeStatus.ACTIVE, ThemeStatus.CLOSED)
        ids |= {theme.id for theme in await managed_themes(update, context, running)}
    return ids
