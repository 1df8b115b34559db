"""One-time invite links: an admin makes one for a role, stops one, or someone opens one.

An invite is a deep link t.me/<bot>?start=r_<token>. The token is random and only its hash
is stored; whoever opens the link first, before it expires, gets the role, once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import first_id, pack
from bot.chat.commands import set_personal_menu
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import person_name, user_id
from bot.core.i18n import t
from bot.village.access import roles_of, use_grants
from conversations.roles.actions import NEW_ROLE_CODES, PREFIX, Action
from conversations.roles.overview import send_overview
from conversations.roles.wording import role_name, when
from storage.models import GrantRole

INVITE_PREFIX = "r_"
INVITE_HOURS = 72


def token_hash(token: str) -> str:
    """What is stored of an invite token: its SHA-256, so the database alone opens nothing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite_link(username: str | None, token: str) -> str:
    """The deep link that hands out the role to whoever opens it first."""
    return f"https://t.me/{username or 'buurtbot'}?start={INVITE_PREFIX}{token}"


async def on_new(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Make a moderator's invite at once; an ambassador's needs their area first."""
    role = NEW_ROLE_CODES.value(args[0]) if len(args) == 1 else None
    if role == GrantRole.MODERATOR:
        await _create_invite(update, context, GrantRole.MODERATOR, None)
    elif role == GrantRole.AMBASSADOR:
        await _pick_area(update, context)
    else:
        await answer_key(update, context, "common.stale_button")


async def on_area(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Make an ambassador's invite for the area chosen, if that area still exists."""
    area = args[0] if len(args) == 1 else None
    if area is None or context.services.config.municipality.area(area) is None:
        await answer_key(update, context, "common.stale_button")
        return
    await _create_invite(update, context, GrantRole.AMBASSADOR, area)


async def on_stop(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Stop an open invite so its link no longer works."""
    invite_id = first_id(args)
    if invite_id is None:
        await answer_key(update, context, "common.stale_button")
        return
    services = context.services
    stopped = await services.repo.revoke_invite(
        invite_id, by=user_id(update), by_name=person_name(update), now=services.clock.now()
    )
    if not stopped:
        await answer_key(update, context, "role_admin.invite_gone", alert=True)
        return
    await answer_key(update, context, "role_admin.invite_stopped")
    await send_overview(update, context, edit=True)


async def _pick_area(update: Update, context: BuurtContext) -> None:
    areas = context.services.config.municipality.areas
    if not areas:
        await answer_key(update, context, "role_admin.no_areas", alert=True)
        return
    await answer(update)
    rows = [
        [
            InlineKeyboardButton(
                shorten(a.name, BUTTON_LABEL_LIMIT), callback_data=pack(PREFIX, Action.AREA, a.key)
            )
        ]
        for a in areas
    ]
    await say(update, context, t(context.lang, "role_admin.which_area"), InlineKeyboardMarkup(rows))


async def _create_invite(
    update: Update, context: BuurtContext, role: GrantRole, area: str | None
) -> None:
    services = context.services
    now = services.clock.now()
    token = secrets.token_urlsafe(18)
    invite = await services.repo.create_invite(
        role,
        area,
        token_hash=token_hash(token),
        created_by=user_id(update),
        created_name=person_name(update),
        now=now,
        expires_at=now + timedelta(hours=INVITE_HOURS),
    )
    await answer(update)
    await drop_buttons(update)
    await say(
        update,
        context,
        t(
            context.lang,
            "role_admin.invite_made",
            role=role_name(context, invite.role, invite.area),
            until=when(context, invite.expires_at),
            link=invite_link(context.bot.username, token),
        ),
    )


async def on_invite_link(update: Update, context: BuurtContext) -> None:
    """/start r_<token>: the role invite link was opened."""
    token = context.args[0].removeprefix(INVITE_PREFIX) if context.args else ""
    await accept_invite(update, context, token)


async def accept_invite(update: Update, context: BuurtContext, token: str) -> None:
    """Someone opened an invite link: give them the role, once, unless it expired."""
    services = context.services
    lang = context.lang
    person = user_id(update)
    name = person_name(update)
    grant = await services.repo.accept_invite(
        token_hash(token), user_id=person, name=name, now=services.clock.now()
    )
    if grant is None:
        await say(update, context, t(lang, "role_admin.invite_invalid"))
        return
    grants = await services.repo.active_grants(person)
    use_grants(person, grants)
    context.roles = roles_of(person, services.config, grants)
    await set_personal_menu(context.bot, services.config, person, context.roles)
    if grant.role == GrantRole.MODERATOR:
        text = t(lang, "role_admin.welcome_moderator", name=name or "")
    else:
        text = t(
            lang,
            "role_admin.welcome_ambassador",
            name=name or "",
            role=role_name(context, grant.role, grant.area),
        )
    await say(update, context, text)
