"""The short codes /rol and /audit buttons carry; buttons already sent keep them.

/rol buttons read ro:<action>[:<arg>], the pages of /audit au:p:<offset>.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from telegram.ext import CallbackQueryHandler

from bot.chat.callbacks import ButtonHandler, Codes, button_routes, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.guards import admins_only
from storage.models import GrantRole

PREFIX = "ro"
AUDIT_PREFIX = "au"


class Action(StrEnum):
    """What a ro: button asks for."""

    LIST = "list"
    NEW = "new"
    AREA = "na"
    REVOKE = "rv"
    REVOKE_YES = "rvy"
    STOP_INVITE = "ri"


class AuditAction(StrEnum):
    """What an au: button asks for."""

    PAGE = "p"


# Which role a "new invite" button asks for.
NEW_ROLE_CODES = Codes({GrantRole.MODERATOR: "m", GrantRole.AMBASSADOR: "a"})


def sole_id(args: list[str]) -> int | None:
    """The one id (or offset) a button carries after its action; None when forged."""
    return unpack_int(args[0]) if len(args) == 1 else None


def admin_routes(
    prefix: str, routes: Mapping[str, ButtonHandler]
) -> list[CallbackQueryHandler[BuurtContext, None]]:
    """button_routes for buttons only admins may press, like the commands that draw them."""
    return [
        CallbackQueryHandler(admins_only(route.callback), pattern=route.pattern)
        for route in button_routes(prefix, routes)
    ]
