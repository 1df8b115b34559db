"""/rol and /audit for admins: hand out roles with one-time invite links (no user ids to look
up), see and take back roles, and read the audit trail.

An invite is a deep link t.me/<bot>?start=r_<token>. The token is random and only its hash
is stored; whoever opens the link first, before it expires, gets the role, once. The roles in
the config file stay valid beside these and can only be changed there.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat.callbacks import pack, unpack, unpack_int
from bot.chat.commands import set_personal_menu
from bot.chat.context import BuurtContext
from bot.chat.guards import admins_only
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import person_name, user_id
from bot.core.i18n import Html, number, plain, t
from bot.village.access import roles_of, use_grants
from bot.village.dates import format_date
from storage.models import AuditAction, AuditEntry, GrantRole, RoleGrant

INVITE_PREFIX = "r_"
INVITE_HOURS = 72
AUDIT_PAGE = 15
_LIST_LIMIT = 20


def token_hash(token: str) -> str:
    """What is stored of an invite token: its SHA-256, so the database alone opens nothing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite_link(username: str | None, token: str) -> str:
    return f"https://t.me/{username or 'buurtbot'}?start={INVITE_PREFIX}{token}"


def _when(context: BuurtContext, moment: datetime) -> str:
    local = moment.astimezone(context.services.config.municipality.tz)
    return f"{format_date(local.date(), context.lang)} {local:%H:%M}"


def _role_name(context: BuurtContext, role: GrantRole | str, area: str | None) -> str:
    lang = context.lang
    if str(role) == GrantRole.AMBASSADOR.value and area:
        found = context.services.config.municipality.area(area)
        return plain(lang, "role_admin.ambassador_of", area=found.name if found else area)
    return plain(lang, f"roles.{role}")


# -- /rol --------------------------------------------------------------------------------------


@admins_only
async def roles_command(update: Update, context: BuurtContext) -> None:
    """Show who holds which role, the open invites, and the buttons to change them."""
    await _send_overview(update, context, edit=False)


async def _send_overview(update: Update, context: BuurtContext, *, edit: bool) -> None:
    services = context.services
    lang = context.lang
    config = services.config
    grants = await services.repo.list_grants()
    invites = await services.repo.open_invites(services.clock.now())
    lines = [t(lang, "role_admin.title")]
    config_counts = {
        "admin": len(config.roles.admins),
        "moderator": len(config.roles.moderators),
        "ambassador": len(config.roles.ambassadors),
    }
    lines.append(
        t(
            lang,
            "role_admin.from_config",
            admins=config_counts["admin"],
            moderators=config_counts["moderator"],
            ambassadors=config_counts["ambassador"],
        )
    )
    if grants:
        lines.append(t(lang, "role_admin.given"))
        for index, grant in enumerate(grants[:_LIST_LIMIT], start=1):
            lines.append(
                t(
                    lang,
                    "role_admin.grant_line",
                    number=index,
                    name=grant.holder_name or plain(lang, "role_admin.no_name"),
                    role=_role_name(context, grant.role, grant.area),
                    since=format_date(
                        grant.granted_at.astimezone(config.municipality.tz).date(), lang
                    ),
                )
            )
    else:
        lines.append(t(lang, "role_admin.none_given"))
    if invites:
        lines.append(t(lang, "role_admin.open_invites"))
        for invite in invites[:_LIST_LIMIT]:
            lines.append(
                t(
                    lang,
                    "role_admin.invite_line",
                    role=_role_name(context, invite.role, invite.area),
                    until=_when(context, invite.expires_at),
                )
            )
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, "role_admin.new_moderator"), callback_data=pack("ro", "new", "m")
            ),
            InlineKeyboardButton(
                plain(lang, "role_admin.new_ambassador"), callback_data=pack("ro", "new", "a")
            ),
        ]
    ]
    rows += [
        [
            InlineKeyboardButton(
                shorten(
                    plain(
                        lang,
                        "role_admin.revoke_button",
                        number=index,
                        name=grant.holder_name or plain(lang, "role_admin.no_name"),
                    ),
                    BUTTON_LABEL_LIMIT,
                ),
                callback_data=pack("ro", "rv", grant.id),
            )
        ]
        for index, grant in enumerate(grants[:_LIST_LIMIT], start=1)
    ]
    rows += [
        [
            InlineKeyboardButton(
                shorten(
                    plain(
                        lang,
                        "role_admin.stop_invite_button",
                        role=_role_name(context, invite.role, invite.area),
                    ),
                    BUTTON_LABEL_LIMIT,
                ),
                callback_data=pack("ro", "ri", invite.id),
            )
        ]
        for invite in invites[:_LIST_LIMIT]
    ]
    text = Html("\n".join(lines))
    if edit:
        await edit_or_send(update, context, text, InlineKeyboardMarkup(rows))
    else:
        await say(update, context, text, InlineKeyboardMarkup(rows))


@admins_only
async def on_button(update: Update, context: BuurtContext) -> None:
    """Every button of /rol; each checks again that what it names still exists."""
    data = update.callback_query.data if update.callback_query else None
    parts = unpack(data, "ro", 2) or unpack(data, "ro", 1)
    if parts is None:
        await answer_key(update, context, "common.stale_button")
        return
    action, arg = parts[0], parts[1] if len(parts) == 2 else None
    if action == "list" and arg is None:
        await answer(update)
        await _send_overview(update, context, edit=True)
    elif action == "new" and arg == "m":
        await _create_invite(update, context, GrantRole.MODERATOR, None)
    elif action == "new" and arg == "a":
        await _pick_area(update, context)
    elif action == "na" and arg is not None:
        if context.services.config.municipality.area(arg) is None:
            await answer_key(update, context, "common.stale_button")
            return
        await _create_invite(update, context, GrantRole.AMBASSADOR, arg)
    elif action in ("rv", "rvy", "ri") and arg is not None:
        target = unpack_int(arg)
        if target is None:
            await answer_key(update, context, "common.stale_button")
        elif action == "rv":
            await _confirm_revoke(update, context, target)
        elif action == "rvy":
            await _revoke(update, context, target)
        else:
            await _stop_invite(update, context, target)
    else:
        await answer_key(update, context, "common.stale_button")


async def _pick_area(update: Update, context: BuurtContext) -> None:
    areas = context.services.config.municipality.areas
    if not areas:
        await answer_key(update, context, "role_admin.no_areas", alert=True)
        return
    await answer(update)
    rows = [
        [
            InlineKeyboardButton(
                shorten(a.name, BUTTON_LABEL_LIMIT), callback_data=pack("ro", "na", a.key)
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
            role=_role_name(context, invite.role, invite.area),
            until=_when(context, invite.expires_at),
            link=invite_link(context.bot.username, token),
        ),
    )


async def _find_grant(context: BuurtContext, grant_id: int) -> RoleGrant | None:
    return next((g for g in await context.services.repo.list_grants() if g.id == grant_id), None)


async def _confirm_revoke(update: Update, context: BuurtContext, grant_id: int) -> None:
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
                    plain(lang, "role_admin.yes_revoke"), callback_data=pack("ro", "rvy", grant.id)
                ),
                InlineKeyboardButton(
                    plain(lang, "role_admin.no_keep"), callback_data=pack("ro", "list")
                ),
            ]
        ]
    )
    await edit_or_send(
        update,
        context,
        t(
            lang,
            "role_admin.confirm_revoke",
            name=grant.holder_name or plain(lang, "role_admin.no_name"),
            role=_role_name(context, grant.role, grant.area),
        ),
        keyboard,
    )


async def _revoke(update: Update, context: BuurtContext, grant_id: int) -> None:
    services = context.services
    grant = await services.repo.revoke_grant(
        grant_id, by=user_id(update), by_name=person_name(update), now=services.clock.now()
    )
    if grant is None:
        await answer_key(update, context, "role_admin.already_revoked", alert=True)
        return
    await answer(update)
    lang = context.lang
    await edit_or_send(
        update,
        context,
        t(
            lang,
            "role_admin.revoked",
            name=grant.holder_name or plain(lang, "role_admin.no_name"),
            role=_role_name(context, grant.role, grant.area),
        ),
    )
    # Their menu shrinks to what they still hold (best effort; the guard refuses anyway).
    remaining = await services.repo.active_grants(grant.user_id)
    if await services.repo.get_resident(grant.user_id) is not None:
        await set_personal_menu(
            context.bot,
            services.config,
            grant.user_id,
            roles_of(grant.user_id, services.config, remaining),
        )


async def _stop_invite(update: Update, context: BuurtContext, invite_id: int) -> None:
    services = context.services
    stopped = await services.repo.revoke_invite(
        invite_id, by=user_id(update), by_name=person_name(update), now=services.clock.now()
    )
    if not stopped:
        await answer_key(update, context, "role_admin.invite_gone", alert=True)
        return
    await answer_key(update, context, "role_admin.invite_stopped")
    await _send_overview(update, context, edit=True)


# -- opening an invite link ----------------------------------------------------------------------


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
            role=_role_name(context, grant.role, grant.area),
        )
    await say(update, context, text)


# -- /audit ------------------------------------------------------------------------------------


@admins_only
async def audit_command(update: Update, context: BuurtContext) -> None:
    """The newest lines of the audit trail."""
    await _send_audit(update, context, offset=0, edit=False)


@admins_only
async def on_audit_page(update: Update, context: BuurtContext) -> None:
    parts = unpack(update.callback_query.data if update.callback_query else None, "au", 2)
    offset = unpack_int(parts[1]) if parts and parts[0] == "p" else None
    if offset is None:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await _send_audit(update, context, offset=offset, edit=True)


async def _send_audit(update: Update, context: BuurtContext, *, offset: int, edit: bool) -> None:
    repo = context.services.repo
    lang = context.lang
    entries = await repo.list_audit(limit=AUDIT_PAGE + 1, offset=offset)
    more = len(entries) > AUDIT_PAGE
    entries = entries[:AUDIT_PAGE]
    if not entries:
        await say(update, context, t(lang, "audit.empty"))
        return
    titles: dict[int, str] = {}
    for entry in entries:
        if entry.theme_id is not None and entry.theme_id not in titles:
            theme = await repo.get_theme(entry.theme_id)
            titles[entry.theme_id] = theme.title if theme else f"#{entry.theme_id}"
    lines = [t(lang, "audit.title", first=offset + 1, last=offset + len(entries))]
    lines += [_audit_line(context, entry, titles) for entry in entries]
    nav: list[InlineKeyboardButton] = []
    if offset > 0:
        nav.append(
            InlineKeyboardButton(
                plain(lang, "board.newer"),
                callback_data=pack("au", "p", max(0, offset - AUDIT_PAGE)),
            )
        )
    if more:
        nav.append(
            InlineKeyboardButton(
                plain(lang, "board.older"), callback_data=pack("au", "p", offset + AUDIT_PAGE)
            )
        )
    markup = InlineKeyboardMarkup([nav]) if nav else None
    text = Html("\n".join(lines))
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


def _actor(context: BuurtContext, entry: AuditEntry) -> str:
    lang = context.lang
    if entry.actor_name:
        return entry.actor_name
    if entry.actor_id is not None:
        return f"#{entry.actor_id}"
    if entry.detail.get("via") == "cli":
        return plain(lang, "audit.command_line")
    return plain(lang, "audit.nobody")


def _audit_line(context: BuurtContext, entry: AuditEntry, titles: dict[int, str]) -> Html:
    lang = context.lang
    detail = entry.detail
    theme = titles.get(entry.theme_id or 0, "")
    subject = entry.subject_name or (
        f"#{entry.subject_id}" if entry.subject_id is not None else plain(lang, "audit.nobody")
    )
    what: Html
    if entry.action == AuditAction.DECISION:
        decision = str(detail.get("decision", ""))
        what = t(
            lang,
            f"audit.decision_{decision}",
            note=entry.note_id or "?",
            theme=theme,
            reason=plain(lang, f"moderation.reason_{detail.get('reason', 'other')}"),
            quadrant=plain(lang, f"quadrants.{detail.get('quadrant', 'other')}"),
            original=detail.get("duplicate_of", "?"),
        )
    elif entry.action == AuditAction.BROADCAST:
        what = t(
            lang,
            "audit.broadcast",
            total=number(lang, int(detail.get("total", 0))),
            theme=theme or "-",
        )
    elif entry.action == AuditAction.EXPORT:
        what = t(lang, "audit.export", theme=theme, formats=", ".join(detail.get("formats", [])))
    elif entry.action == AuditAction.CONTACTS_EXPORT:
        what = t(lang, "audit.contacts_export", theme=theme, count=detail.get("contacts", 0))
    else:
        role = str(detail.get("role", GrantRole.MODERATOR.value))
        if role not in (GrantRole.MODERATOR.value, GrantRole.AMBASSADOR.value):
            role = GrantRole.MODERATOR.value
        area = detail.get("area")
        what = t(
            lang,
            f"audit.{entry.action.value}",
            role=_role_name(context, role, area if isinstance(area, str) else None),
            subject=subject,
        )
    return t(
        lang,
        "audit.line",
        when=_when(context, entry.at),
        who=_actor(context, entry),
        what=what,
    )


async def on_invite_link(update: Update, context: BuurtContext) -> None:
    """/start r_<token>: the role invite link was opened."""
    token = context.args[0].removeprefix(INVITE_PREFIX) if context.args else ""
    await accept_invite(update, context, token)


def deep_link_handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """/start r_<token>; registered before onboarding's /start, which it must win from."""
    return [
        CommandHandler(
            "start",
            on_invite_link,
            filters=filters.ChatType.PRIVATE & filters.Regex(rf"^/start {INVITE_PREFIX}"),
        )
    ]


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of /rol and /audit."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("rol", roles_command, filters=private),
        CommandHandler("audit", audit_command, filters=private),
        CallbackQueryHandler(on_button, pattern=r"^ro:"),
        CallbackQueryHandler(on_audit_page, pattern=r"^au:"),
    ]
