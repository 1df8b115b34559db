"""Saving a named theme, and publishing it: now, or announced on its first day."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.broadcasts import queue_broadcast
from bot.chat.callbacks import pack
from bot.chat.confirm import settle
from bot.chat.context import BuurtContext
from bot.chat.guards import still_manages
from bot.chat.replies import answer_key, say
from bot.chat.updates import user_id
from bot.chat.wizard import Data
from bot.core.clock import local_today
from bot.core.i18n import Html, plain, t
from bot.services.announcements import news_recipients, theme_news
from bot.services.paid_broadcast import cost_line
from bot.village.dates import format_date
from conversations.theme_list import managed_theme
from conversations.themes.actions import PREFIX, Action
from conversations.themes.places import place_of
from storage.models import BroadcastKind, Theme, ThemeStatus

# A theme that starts later is announced on its first morning, not at midnight.
ANNOUNCE_AT = time(9, 0)
YES, NO = "yes", "no"


def today(context: BuurtContext) -> date:
    """Today where the municipality is."""
    return local_today(context.services.clock, context.services.config.municipality.tz)


async def save(update: Update, context: BuurtContext, data: Data) -> Theme:
    """Store the answers as a new draft, or as the changes of the theme being edited."""
    repo = context.services.repo
    fields: dict[str, Any] = {
        "title": data["title"],
        "invitation": data["invitation"],
        "question": data.get("question") or "",
        "place": place_of(data),
        "starts_on": date.fromisoformat(data["starts"]) if data.get("starts") else None,
        "ends_on": date.fromisoformat(data["ends"]) if data.get("ends") else None,
        "quadrant_questions": dict(data.get("questions") or {}),
    }
    if data.get("id"):
        theme = await repo.update_theme(int(data["id"]), **fields)
        if theme is not None:
            return theme
    return await repo.create_theme(status=ThemeStatus.DRAFT, created_by=user_id(update), **fields)


async def confirm_publish(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Ask to publish, saying how many residents will hear of it and when."""
    lang = context.lang
    services = context.services
    recipients = await news_recipients(services.repo, services.config.municipality, theme.place)
    if theme.starts_on and theme.starts_on > today(context):
        start = format_date(theme.starts_on, lang)
        text = t(lang, "newtheme.confirm_later", start=start, count=len(recipients))
    elif recipients:
        text = t(lang, "newtheme.confirm_publish", title=theme.title, count=len(recipients))
    else:
        text = t(lang, "newtheme.confirm_publish_none")
    cost = cost_line(lang, services.config.delivery, len(recipients))
    if cost is not None:
        text = Html(f"{cost}\n\n{text}")
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "newtheme.yes_publish"),
                    callback_data=pack(PREFIX, Action.PUBLISH_ANSWER, YES, theme.id),
                ),
                InlineKeyboardButton(
                    plain(lang, "newtheme.not_yet"),
                    callback_data=pack(PREFIX, Action.PUBLISH_ANSWER, NO, theme.id),
                ),
            ]
        ]
    )
    await say(update, context, text, keyboard)


async def on_publish_answer(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Publish a draft, or keep it as a draft, as the ambassador answered."""
    if len(args) != 2:
        await answer_key(update, context, "common.stale_button")
        return
    theme = await managed_theme(update, context, args[1])
    if theme is None:
        return
    # A second tap finds the theme published already: answered quietly, nothing edited.
    if not await settle(update, still_open=theme.status == ThemeStatus.DRAFT):
        return
    if args[0] != YES:
        await say(update, context, t(context.lang, "newtheme.saved_draft"))
        return
    if not await still_manages(update, context, theme.place):
        return
    await _publish(update, context, theme)


async def _publish(update: Update, context: BuurtContext, theme: Theme) -> None:
    """Make the theme active and queue its news for the residents of its place."""
    lang = context.lang
    services = context.services
    published = await services.repo.set_theme_status(theme.id, ThemeStatus.ACTIVE)
    assert published is not None
    recipients = await news_recipients(services.repo, services.config.municipality, theme.place)
    due_at: datetime | None = None
    if theme.starts_on and theme.starts_on > today(context):
        due_at = datetime.combine(theme.starts_on, ANNOUNCE_AT, services.config.municipality.tz)
        start = format_date(theme.starts_on, lang)
        await say(update, context, t(lang, "newtheme.published_later", start=start))
    else:
        await say(update, context, t(lang, "newtheme.published"))
    if recipients:
        render = theme_news(published, services.config.municipality)
        await queue_broadcast(
            update,
            context,
            BroadcastKind.THEME,
            recipients,
            render,
            theme_id=theme.id,
            due_at=due_at,
        )
