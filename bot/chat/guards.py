"""Refuse privileged commands and buttons to people without the role, in their language."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import answer, say
from bot.core.i18n import plain, t
from bot.village.access import Role

Handler = Callable[[Update, BuurtContext], Coroutine[Any, Any, None]]


def require(*allowed: Role, denied: str = "access.denied") -> Callable[[Handler], Handler]:
    """Let a handler run only for people holding one of the roles; others hear denied."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BuurtContext) -> None:
            if context.roles & set(allowed):
                await handler(update, context)
                return
            if update.callback_query is not None:
                await answer(update, plain(context.lang, denied), alert=True)
            else:
                await say(update, context, t(context.lang, denied))

        return guarded

    return wrap


ambassadors_only = require(Role.AMBASSADOR, Role.ADMIN)
moderators_only = require(Role.MODERATOR, Role.ADMIN, denied="moderation.denied")
exporters_only = require(Role.MODERATOR, Role.AMBASSADOR, Role.ADMIN, denied="export.denied")
admins_only = require(Role.ADMIN, denied="role_admin.denied")
