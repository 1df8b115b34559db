"""What the moderators', exporters' and admins' flows share: refusing the wrong people kindly,
naming the person who acted, and finding who moderates."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import answer, say
from bot.core.config import Config
from bot.core.i18n import plain, t
from bot.village.access import Role
from storage.models import GrantRole
from storage.repository import Repository

Handler = Callable[[Update, BuurtContext], Coroutine[Any, Any, None]]

# A Telegram first name is at most 64 characters; the audit trail keeps no more.
_NAME_LIMIT = 64


def require_role(denied_key: str, *allowed: Role) -> Callable[[Handler], Handler]:
    """Let a handler run only for people holding one of the roles; others hear denied_key.

    Like bot.chat.guards.require, with a refusal that names the right role.
    """

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BuurtContext) -> None:
            if context.roles & set(allowed):
                await handler(update, context)
                return
            if update.callback_query is not None:
                await answer(update, plain(context.lang, denied_key), alert=True)
            else:
                await say(update, context, t(context.lang, denied_key))

        return guarded

    return wrap


def user_id(update: Update) -> int:
    """The id of the person who sent the update (handlers run only for people)."""
    assert update.effective_user is not None
    return update.effective_user.id


def chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def person_name(update: Update) -> str | None:
    """The first name a role holder shows in Telegram, for "decided by" and the audit trail."""
    user = update.effective_user
    if user is None or not user.first_name:
        return None
    return " ".join(user.first_name.split())[:_NAME_LIMIT] or None


async def moderator_ids(config: Config, repo: Repository) -> list[int]:
    """Everyone who moderates: the config's moderators and those given the role in the chat."""
    ids = set(config.roles.moderators)
    ids.update(g.user_id for g in await repo.list_grants() if g.role == GrantRole.MODERATOR)
    return sorted(ids)


def age_text(lang: str, created: datetime, now: datetime) -> str:
    """How long ago, in words: "zojuist", "12 min geleden", "3 uur geleden", "2 dagen geleden"."""
    minutes = max(0, int((now - created).total_seconds() // 60))
    if minutes < 1:
        return plain(lang, "moderation.age_now")
    if minutes < 60:
        return plain(lang, "moderation.age_minutes", count=minutes)
    if minutes < 48 * 60:
        return plain(lang, "moderation.age_hours", count=minutes // 60)
    return plain(lang, "moderation.age_days", count=minutes // (24 * 60))
