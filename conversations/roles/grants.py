"""Taking back a role given in the chat: ask once, then revoke and shrink the holder's menu."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import first_id, pack
from bot.chat.commands import set_personal_menu
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, edit_or_send
from bot.chat.updates import person_name, user_id
from bot.core.i18n import plain, t
from bot.village.access import roles_of
from conversations.roles.actions import PREFIX, Action
from conversations.roles.wording import holder, role_name
from storage.models import RoleGrant


async def _find_grant(context: BuurtContext, grant_id: int) -> RoleGrant | None:
    return next((g for g in await context.services.repo.list_grants() if g.id == grant_id), None)


async def on_revoke(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Ask whether the admin really wants to take this role back."""
    grant_id = first_id(args)
    if grant_id is None:
        await answer_key(update, context, "common.stale_button")
        return
    grant = await _find_grant(context, grant_id)
    if grant is None:
        await answer_key(update, context, "role_admin.already_revoked", alert=True)
        return
    await answer(update)
    lang = context.lang
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "role_admin.yes_revoke"),
                    callback_data=pack(PREFIX, Action.REVOKE_YES, grant.id),
                ),
                InlineKeyboardButton(
                    plain(lang, "role_admin.no_keep"), callback_data=pack(PREFIX, Action.LIST)
                ),
            ]
        ]
    )
    text = t(
        lang,
        "role_admin.confirm_revoke",
        name=holder(context, grant.holder_name),
        role=role_name(context, grant.role, grant.area),
    )
    await edit_or_send(update, context, text, keyboard)


async def on_revoke_yes(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Take the role back; pressed twice, say it is already gone."""
    grant_id = first_id(args)
    if grant_id is None:
        await answer_key(update, context, "common.stale_button")
        return
    services = context.services
    grant = await services.repo.revoke_grant(
        grant_id, by=user_id(update), by_name=person_name(update), now=services.clock.now()
    )
    if grant is None:
        await answer_key(update, context, "role_admin.already_revoked", alert=True)
        return
    await answer(update)
    text = t(
        context.lang,
        "role_admin.revoked",
        name=holder(context, grant.holder_name),
        role=role_name(context, grant.role, grant.area),
    )
    await edit_or_send(update, context, text)
    # Their menu shrinks to what they still hold (best effort; the guard refuses anyway).
    remaining = await services.repo.active_grants(grant.user_id)
    if await services.repo.get_resident(grant.user_id) is not None:
        await set_personal_menu(
            context.bot,
            services.config,
            grant.user_id,
            roles_of(grant.user_id, services.config, remaining),
        )
