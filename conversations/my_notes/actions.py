"""The state of /mijn and the short codes its buttons carry; buttons already sent keep them.

Buttons read my:<action>[:<arg>...].
"""

from __future__ import annotations

from enum import StrEnum

from bot.chat.callbacks import Codes
from storage.models import Consent

FLOW = "mine"
EDIT = "edit"
PREFIX = "my"


class Action(StrEnum):
    """What a my: button asks for."""

    CONSENT = "c"
    FORGET_PHONE = "phone"
    HIDE_NAME = "hidename"
    PLACE = "place"
    PAGE = "l"
    LIST = "ls"
    NOTE = "n"
    EDIT = "e"
    MOVE = "m"
    DELETE = "d"
    DELETE_YES = "dy"
    DELETE_NO = "dn"


# The choices /mijn turns on and off: my:c:<purpose>:<0|1>.
CONSENT_CODES = Codes(
    {Consent.THEME_NEWS: "news", Consent.CONTACT: "contact", Consent.FOLLOW_UP: "follow"}
)
