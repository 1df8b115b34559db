"""The waiting list: who moves up when a place frees, and hearing of it."""

from __future__ import annotations

from datetime import datetime

from bot.chat.callbacks import pack
from bot.chat.context import BuurtContext
from bot.core.i18n import plain, t
from conversations.tables.actions import PREFIX, Action
from storage.models import NewMessage, TableMember
from storage.repository import Repository


async def fill_free_places(context: BuurtContext, table_id: int) -> None:
    """Seat those waiting while places are free, and tell them through the outbox."""
    promoted = await context.services.repo.fill_free_places(table_id)
    await tell_moved_up(context.services.repo, promoted, context.services.clock.now())
    if promoted:
        context.services.outbox_changed()


async def tell_moved_up(repo: Repository, promoted: list[TableMember], now: datetime) -> None:
    """Queue the "a place is free, you're in" message for each who moved up."""
    for member in promoted:
        table = await repo.get_table(member.table_id)
        resident = await repo.get_resident(member.user_id)
        if table is None or resident is None:
            continue
        lang = resident.language
        text = t(lang, f"tables.moved_up.{member.commitment.value}", title=table.title)
        buttons = (((plain(lang, "tables.open_card"), pack(PREFIX, Action.OPEN, table.id)),),)
        await repo.enqueue(
            [
                NewMessage(
                    member.user_id,
                    text,
                    buttons,
                    due_at=now,
                    dedupe_key=f"table-up:{table.id}:{member.user_id}:{member.seq}",
                )
            ]
        )
