"""Refuse privileged commands and buttons to people without the role, in their language."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import answer, say
from bot.chat.updates import user_id
from bot.core.i18n import plain, t
from bot.village.access import Role, may_manage, roles_of, use_grants
from storage.models import PlaceRef

Handler = Callable[[Update, BuurtContext], Coroutine[Any, Any, None]]
P = ParamSpec("P")
Guarded = Callable[Concatenate[Update, BuurtContext, P], Coroutine[Any, Any, None]]


class Guard:
    """A role check that wraps any handler: a command's, a step's or a button route's."""

    def __init__(self, allowed: frozenset[Role], denied: str) -> None:
        self._allowed = allowed
        self._denied = denied

    def __call__(self, handler: Guarded[P]) -> Guarded[P]:
        allowed, denied = self._allowed, self._denied

        async def guarded(
            update: Update, context: BuurtContext, /, *args: P.args, **kwargs: P.kwargs
        ) -> None:
            if context.roles & allowed:
                await handler(update, context, *args, **kwargs)
                return
            if update.callback_query is not None:
                await answer(update, plain(context.lang, denied), alert=True)
            else:
                await say(update, context, t(context.lang, denied))

        functools.update_wrapper(guarded, handler)
        return guarded


def require(*allowed: Role, denied: str = "access.denied") -> Guard:
    """Let a handler run only for people holding one of the roles; others hear denied."""
    return Guard(frozenset(allowed), denied)


ambassadors_only = require(Role.AMBASSADOR, Role.ADMIN)
moderators_only = require(Role.MODERATOR, Role.ADMIN, denied="moderation.denied")
exporters_only = require(Role.MODERATOR, Role.AMBASSADOR, Role.ADMIN, denied="export.denied")
admins_only = require(Role.ADMIN, denied="role_admin.denied")


async def still_manages(update: Update, context: BuurtContext, place: PlaceRef) -> bool:
    """Re-read the person's roles at the final step, so a revoked area stops work begun there."""
    services = context.services
    person = user_id(update)
    grants = await services.repo.active_grants(person)
    use_grants(person, grants)
    context.roles = roles_of(person, services.config, grants)
    if context.roles & {Role.AMBASSADOR, Role.ADMIN} and may_manage(
        person, services.config, place, grants
    ):
        return True
    # Said in the chat, not as a button's answer: final steps have answered the press already.
    await say(update, context, t(context.lang, "access.no_longer"))
    return False
