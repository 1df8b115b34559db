"""Send a broadcast from the chat: queue it and show the sender how far it has got."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import say
from bot.core.i18n import number, t
from bot.services.announcements import Render, queue_messages
from storage.models import Broadcast, BroadcastKind, Recipient


async def queue_broadcast(
    update: Update,
    context: BuurtContext,
    kind: BroadcastKind,
    recipients: Sequence[Recipient],
    render: Render,
    *,
    theme_id: int | None = None,
    due_at: datetime | None = None,
) -> Broadcast:
    """Queue one message per recipient and show the sender a progress message."""
    repo = context.services.repo
    chat = update.effective_chat
    broadcast = await queue_messages(
        repo,
        kind,
        recipients,
        render,
        theme_id=theme_id,
        due_at=due_at,
        sender_chat_id=chat.id if chat else None,
    )
    total = number(context.lang, len(recipients))
    progress = await say(
        update, context, t(context.lang, "broadcast.progress", done=0, total=total, bar="░" * 10)
    )
    if progress is not None:
        await repo.set_progress_message(broadcast.id, progress.message_id)
    context.services.outbox_changed()
    return broadcast
