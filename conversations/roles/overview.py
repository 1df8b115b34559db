"""/rol: who holds which role, the open invites, and the buttons to change them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import pack
from bot.chat.context import BuurtContext
from bot.chat.guards import admins_only
from bot.chat.replies import answer, answer_key, edit_or_send, say
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.core.i18n import Html, plain, t
from bot.village.dates import format_date
from conversations.roles.actions import NEW_ROLE_CODES, PREFIX, Action
from conversations.roles.wording import holder, role_name, when
from storage.models import GrantRole, RoleGrant, RoleInvite

_LIST_LIMIT = 20


@admins_only
async def roles_command(update: Update, context: BuurtContext) -> None:
    """Show who holds which role, the open invites, and the buttons to change them."""
    await send_overview(update, context, edit=False)


async def on_list(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Go back to the overview (from a revoke someone chose not to do)."""
    if args:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await send_overview(update, context, edit=True)


async def send_overview(update: Update, context: BuurtContext, *, edit: bool) -> None:
    """Send (or redraw) the overview with its buttons."""
    services = context.services
    grants = (await services.repo.list_grants())[:_LIST_LIMIT]
    invites = (await services.repo.open_invites(services.clock.now()))[:_LIST_LIMIT]
    text = _overview_text(context, grants, invites)
    markup = InlineKeyboardMarkup(_overview_rows(context, grants, invites))
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


def _overview_text(
    context: BuurtContext, grants: list[RoleGrant], invites: list[RoleInvite]
) -> Html:
    lang = context.lang
    config = context.services.config
    lines = [
        t(lang, "role_admin.title"),
        t(
            lang,
            "role_admin.from_config",
            admins=t(lang, "role_admin.admins", count=len(config.roles.admins)),
            moderators=t(lang, "role_admin.moderators", count=len(config.roles.moderators)),
            ambassadors=t(lang, "role_admin.ambassadors", count=len(config.roles.ambassadors)),
        ),
    ]
    if grants:
        lines.append(t(lang, "role_admin.given"))
        lines += [
            t(
                lang,
                "role_admin.grant_line",
                number=index,
                name=holder(context, grant.holder_name),
                role=role_name(context, grant.role, grant.area),
                since=format_date(grant.granted_at.astimezone(config.municipality.tz).date(), lang),
            )
            for index, grant in enumerate(grants, start=1)
        ]
    else:
        lines.append(t(lang, "role_admin.none_given"))
    if invites:
        lines.append(t(lang, "role_admin.open_invites"))
        lines += [
            t(
                lang,
                "role_admin.invite_line",
                role=role_name(context, invite.role, invite.area),
                until=when(context, invite.expires_at),
            )
            for invite in invites
        ]
    return Html("\n".join(lines))


def _overview_rows(
    context: BuurtContext, grants: list[RoleGrant], invites: list[RoleInvite]
) -> list[list[InlineKeyboardButton]]:
    lang = context.lang

    def button(label: str, *data: str | int) -> list[InlineKeyboardButton]:
        return [InlineKeyboardButton(shorten(label, BUTTON_LABEL_LIMIT), callback_data=pack(*data))]

    new = [
        InlineKeyboardButton(
            plain(lang, key), callback_data=pack(PREFIX, Action.NEW, NEW_ROLE_CODES.code(role))
        )
        for key, role in (
            ("role_admin.new_moderator", GrantRole.MODERATOR),
            ("role_admin.new_ambassador", GrantRole.AMBASSADOR),
        )
    ]
    revoke = [
        button(
            plain(
                lang,
                "role_admin.revoke_button",
                number=index,
                name=holder(context, grant.holder_name),
            ),
            PREFIX,
            Action.REVOKE,
            grant.id,
        )
        for index, grant in enumerate(grants, start=1)
    ]
    stop = [
        button(
            plain(
                lang,
                "role_admin.stop_invite_button",
                role=role_name(context, invite.role, invite.area),
            ),
            PREFIX,
            Action.STOP_INVITE,
            invite.id,
        )
        for invite in invites
    ]
    return [new, *revoke, *stop]
