"""/rol and /audit for admins: hand out roles with one-time invite links (no user ids to look
up), see and take back roles, and read the audit trail.

The roles in the config file stay valid beside these and can only be changed there. The
whole flow in one place: the commands, the deep link and the buttons routed by ROUTES and
AUDIT_ROUTES below, every button for admins only.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes
from bot.chat.context import BuurtContext
from bot.chat.guards import admins_only
from conversations.roles.actions import AUDIT_PREFIX, PREFIX, Action, AuditAction
from conversations.roles.audit import audit_command, on_page
from conversations.roles.grants import on_revoke, on_revoke_yes
from conversations.roles.invites import INVITE_PREFIX, on_area, on_invite_link, on_new, on_stop
from conversations.roles.overview import on_list, roles_command

__all__ = ["deep_link_handlers", "handlers"]

ROUTES: dict[str, ButtonHandler] = {
    Action.LIST: on_list,
    Action.NEW: on_new,
    Action.AREA: on_area,
    Action.REVOKE: on_revoke,
    Action.REVOKE_YES: on_revoke_yes,
    Action.STOP_INVITE: on_stop,
}
AUDIT_ROUTES: dict[str, ButtonHandler] = {AuditAction.PAGE: on_page}


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
        *button_routes(PREFIX, ROUTES, guard=admins_only),
        *button_routes(AUDIT_PREFIX, AUDIT_ROUTES, guard=admins_only),
    ]
