"""Compose broadcasts: the residents who receive a theme's news, one queued message each."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from bot.core.config import Municipality
from bot.core.i18n import Html, plain, t
from bot.village.audience import theme_audience
from storage.models import (
    Broadcast,
    BroadcastKind,
    NewMessage,
    PlaceRef,
    Recipient,
    Theme,
)
from storage.repository import Repository

Render = Callable[[str], tuple[Html, tuple[tuple[tuple[str, str], ...], ...]]]


async def news_recipients(
    repo: Repository, municipality: Municipality, place: PlaceRef
) -> list[Recipient]:
    """Return the residents who asked for theme news and live where the place reaches.

    Both a new theme and an ambassador's message to a place go to these, and no one else.
    """
    audience = theme_audience(municipality, place)
    return await repo.recipients(
        villages=audience.villages,
        neighbourhoods=audience.neighbourhoods,
        consent=audience.consent,
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


async def queue_messages(
    repo: Repository,
    kind: BroadcastKind,
    recipients: Sequence[Recipient],
    render: Render,
    *,
    theme_id: int | None = None,
    due_at: datetime | None = None,
    sender_chat_id: int | None = None,
    sender_name: str | None = None,
    audit_detail: Mapping[str, str | int] | None = None,
) -> Broadcast:
    """Queue one message per recipient, rendered once per language, as one broadcast."""
    rendered: dict[str, tuple[Html, tuple[tuple[tuple[str, str], ...], ...]]] = {}
    messages = []
    for recipient in recipients:
        if recipient.language not in rendered:
            rendered[recipient.language] = render(recipient.language)
        text, buttons = rendered[recipient.language]
        messages.append(NewMessage(recipient.user_id, text, buttons, due_at))
    return await repo.create_broadcast(
        kind,
        messages,
        theme_id=theme_id,
        sender_chat_id=sender_chat_id,
        sender_name=sender_name,
        audit_detail=audit_detail,
    )
