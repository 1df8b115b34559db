"""Send a broadcast from the chat: queue it, show the sender how far it has got, and write
every message to many residents (a broadcast, table invitations, moment notices) in the
audit trail under the sender's name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import say
from bot.chat.updates import person_name, user_id
from bot.core.i18n import number, t
from bot.services.announcements import Render, queue_messages
from storage.models import AuditAction, Broadcast, BroadcastKind, Recipient


async def queue_broadcast(
    update: Update,
    context: BuurtContext,
    kind: BroadcastKind,
    recipients: Sequence[Recipient],
    render: Render,
    *,
    theme_id: int | None = None,
    due_at: datetime | None = None,
    audit_detail: Mapping[str, str | int] | None = None,
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
        sender_name=person_name(update),
        audit_detail=audit_detail,
    )
    total = number(context.lang, len(recipients))
    progress = await say(
        update, context, t(context.lang, "broadcast.progress", done=0, total=total, bar="░" * 10)
    )
    if progress is not None:
        await repo.set_progress_message(broadcast.id, progress.message_id)
    context.services.outbox_changed()
    return broadcast


async def audit_sent(
    update: Update,
    context: BuurtContext,
    kind: str,
    count: int,
    *,
    theme_id: int | None = None,
    **codes: str | int,
) -> None:
    """Write messages queued one by one (not as a broadcast) in the audit trail.

    Nothing new queued (a replayed press) writes nothing, so a line is never there twice.
    """
    if count <= 0:
        return
    await context.services.repo.audit(
        AuditAction.BROADCAST,
        actor_id=user_id(update),
        actor_name=person_name(update),
        now=context.services.clock.now(),
        theme_id=theme_id,
        detail={**codes, "kind": kind, "total": count},
    )
