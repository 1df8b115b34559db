"""The village talk's state and the short codes its buttons carry; sent buttons keep them.

Buttons read vt:<action>:<arg>[:<arg>]; the quadrant letters are bot.chat.codes'.
"""

from __future__ import annotations

from enum import StrEnum

FLOW = "talk"
WRITE = "write"
PREFIX = "vt"


class Action(StrEnum):
    """What a vt: button asks for."""

    OPEN = "open"
    PRESELECT = "pre"
    QUADRANT = "q"
    DONE = "done"
    INVITE = "inv"
    FOLLOW = "fol"
    NEWS = "news"
    ALIKE_YES = "ay"  # vt:ay:<own note>:<the alike note>
    ALIKE_NO = "an"  # vt:an:<own note>:<quadrant letter, or - to ask>
    KEEP = "keep"
    STRIP = "strip"
