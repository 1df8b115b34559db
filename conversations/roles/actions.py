"""The short codes /rol and /audit buttons carry; buttons already sent keep them.

/rol buttons read ro:<action>[:<arg>], the pages of /audit au:p:<offset>.
"""

from __future__ import annotations

from enum import StrEnum

from bot.chat.callbacks import Codes
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
