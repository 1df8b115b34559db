"""/audit: the audit trail for admins, newest first, a page at a time."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import first_id, pack
from bot.chat.context import BuurtContext
from bot.chat.guards import admins_only
from bot.chat.replies import answer, answer_key, edit_or_send, say
from bot.core.i18n import Html, plain, t
from bot.village.access import Role, roles_of
from conversations.roles.actions import AUDIT_PREFIX, AuditAction
from conversations.roles.wording import role_name, when
from conversations.themes.places import from_stored
from storage.models import AuditAction as Logged
from storage.models import AuditEntry, GrantRole

AUDIT_PAGE = 15


@admins_only
async def audit_command(update: Update, context: BuurtContext) -> None:
    """The newest lines of the audit trail."""
    await _send_audit(update, context, offset=0, edit=False)


async def on_page(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Turn to an older or newer page of the audit trail."""
    offset = first_id(args)
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
    known: dict[int, str] = {}
    lines += [await _audit_line(context, entry, titles, known) for entry in entries]
    nav: list[InlineKeyboardButton] = []
    if offset > 0:
        newer = max(0, offset - AUDIT_PAGE)
        nav.append(_page_button(plain(lang, "board.newer"), newer))
    if more:
        nav.append(_page_button(plain(lang, "board.older"), offset + AUDIT_PAGE))
    markup = InlineKeyboardMarkup([nav]) if nav else None
    text = Html("\n".join(lines))
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


def _page_button(label: str, offset: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=pack(AUDIT_PREFIX, AuditAction.PAGE, offset))


async def _actor(context: BuurtContext, entry: AuditEntry, known: dict[int, str]) -> str:
    """Who did it: their name, else the role and area they hold, never a bare id."""
    lang = context.lang
    if entry.actor_name:
        return entry.actor_name
    if entry.actor_id is not None:
        if entry.actor_id not in known:
            known[entry.actor_id] = await _role_words(context, entry.actor_id)
        return known[entry.actor_id]
    if entry.detail.get("via") == "cli":
        return plain(lang, "audit.command_line")
    return plain(lang, "audit.nobody")


async def _role_words(context: BuurtContext, person: int) -> str:
    """The role someone holds now (from the config or the chat), with an ambassador's area."""
    config = context.services.config
    grants = await context.services.repo.active_grants(person)
    roles = roles_of(person, config, grants)
    if Role.ADMIN in roles:
        return role_name(context, Role.ADMIN.value, None)
    if Role.AMBASSADOR in roles:
        area = config.roles.ambassador_area(person) or next(
            (g.area for g in grants if g.role == GrantRole.AMBASSADOR and g.area), None
        )
        return role_name(context, GrantRole.AMBASSADOR, area)
    if Role.MODERATOR in roles:
        return role_name(context, GrantRole.MODERATOR, None)
    return plain(context.lang, "audit.nobody")


async def _audit_line(
    context: BuurtContext, entry: AuditEntry, titles: dict[int, str], known: dict[int, str]
) -> Html:
    return t(
        context.lang,
        "audit.line",
        when=when(context, entry.at),
        who=await _actor(context, entry, known),
        what=_what(context, entry, titles.get(entry.theme_id or 0, "")),
    )


# What was sent to many, by the kind the audit line carries; each names its theme.
_SENT_WITH_THEME = frozenset(
    {"theme", "thanks", "invitation", "moment_new", "moment_cancelled", "moment_moved"}
)


def _sent(context: BuurtContext, detail: dict[str, Any], theme: str) -> Html:
    """A message to many: what kind, to how many, and about which theme or place."""
    lang = context.lang
    count = int(detail.get("total", 0))
    kind = str(detail.get("kind", "message"))
    if "place" in detail:
        place = context.services.config.municipality.place_name(from_stored(detail["place"]))
        return t(lang, "audit_sent.message_place", count=count, place=place)
    if kind == "message" and theme:
        return t(lang, "audit_sent.message_theme", count=count, theme=theme)
    if kind in _SENT_WITH_THEME and theme:
        return t(lang, f"audit_sent.{kind}", count=count, theme=theme)
    return t(lang, "audit_sent.message", count=count)


def _what(context: BuurtContext, entry: AuditEntry, theme: str) -> Html:
    lang = context.lang
    detail = entry.detail
    if entry.action == Logged.DECISION:
        decision = str(detail.get("decision", ""))
        return t(
            lang,
            f"audit.decision_{decision}",
            note=entry.note_id or "?",
            theme=theme,
            reason=plain(lang, f"moderation.reason_{detail.get('reason', 'other')}"),
            quadrant=plain(lang, f"quadrants.{detail.get('quadrant', 'other')}"),
            original=detail.get("duplicate_of", "?"),
        )
    if entry.action == Logged.BROADCAST:
        return _sent(context, detail, theme)
    if entry.action == Logged.EXPORT:
        return t(lang, "audit.export", theme=theme, formats=", ".join(detail.get("formats", [])))
    if entry.action == Logged.CONTACTS_EXPORT:
        return t(lang, "audit.contacts_export", theme=theme, count=detail.get("contacts", 0))
    subject = entry.subject_name or (
        f"#{entry.subject_id}" if entry.subject_id is not None else plain(lang, "audit.nobody")
    )
    role = str(detail.get("role", GrantRole.MODERATOR.value))
    if role not in (GrantRole.MODERATOR.value, GrantRole.AMBASSADOR.value):
        role = GrantRole.MODERATOR.value
    area = detail.get("area")
    return t(
        lang,
        f"audit.{entry.action.value}",
        role=role_name(context, role, area if isinstance(area, str) else None),
        subject=subject,
    )
