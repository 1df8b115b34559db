"""Compose broadcasts: who receives a theme's news, and queueing a message for many people."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import say
from bot.core.config import Municipality
from bot.core.i18n import Html, number, plain, t
from storage.models import (
    Broadcast,
    BroadcastKind,
    Consent,
    NewMessage,
    PlaceKind,
    PlaceRef,
    Recipient,
    Theme,
)
from storage.repository import Repository

Render = Callable[[str], tuple[Html, tuple[tuple[tuple[str, str], ...], ...]]]


async def news_recipients(
    repo: Repository, municipality: Municipality, place: PlaceRef
) -> list[Recipient]:
    """Return the residents who asked for theme news and live in the place.

    Residents who chose no place hear only of themes for the whole municipality.
    """
    if place.kind == PlaceKind.MUNICIPALITY:
        return await repo.recipients(villages=None, consent=Consent.THEME_NEWS)
    if place.kind == PlaceKind.AREA:
        area = municipality.area(place.key)
        villages = [v.key for v in area.villages] if area else []
        return await repo.recipients(villages=villages, consent=Consent.THEME_NEWS)
    if place.kind == PlaceKind.VILLAGE:
        return await repo.recipients(villages=[place.key], consent=Consent.THEME_NEWS)
    return await repo.recipients(
        villages=None, neighbourhoods=[place.key], consent=Consent.THEME_NEWS
    )


def theme_news(theme: Theme, municipality: Municipality) -> Render:
    """The message that tells a resident about a new theme, in their language."""

    def render(lang: str) -> tuple[Html, tuple[tuple[tuple[str, str], ...], ...]]:
        text = t(
            lang,
            "announce.new_theme",
            place=municipality.place_name(theme.place),
            title=theme.title,
            invitation=theme.invitation,
        )
        return text, (((plain(lang, "announce.join"), f"vt:open:{theme.id}"),),)

    return render


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
    rendered: dict[str, tuple[Html, tuple[tuple[tuple[str, str], ...], ...]]] = {}
    messages = []
    for recipient in recipients:
        if recipient.language not in rendered:
            rendered[recipient.language] = render(recipient.language)
        text, buttons = rendered[recipient.language]
        messages.append(NewMessage(recipient.user_id, text, buttons, due_at))
    repo = context.services.repo
    chat_id = update.effective_chat.id if update.effective_chat else None
    broadcast = await repo.create_broadcast(
        kind, messages, theme_id=theme_id, sender_chat_id=chat_id
    )
    total = number(context.lang, len(messages))
    progress = await say(
        update, context, t(context.lang, "broadcast.progress", done=0, total=total, bar="░" * 10)
    )
    if progress is not None:
        await repo.set_progress_message(broadcast.id, progress.message_id)
    context.services.outbox_changed()
    return broadcast
