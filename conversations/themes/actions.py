"""The short codes the theme buttons carry; buttons already sent keep them, so they never change.

Theme buttons read th:<action>[:<arg>...], the theme tools tt:<action>:<theme id> and /bericht
bc:<action>[:<arg>].
"""

from __future__ import annotations

from enum import StrEnum

FLOW = "theme"
PREFIX = "th"
TOOLS_PREFIX = "tt"
MESSAGE_PREFIX = "bc"


class Action(StrEnum):
    """What a th: button asks for."""

    # Answers to a step of the set-up wizard.
    QUESTION = "q"
    PLACE = "pl"
    START = "st"
    END = "en"
    QUADRANTS = "qq"
    QUADRANT_SKIP = "qs"
    DECIDE = "act"
    # Everything else: the preview, publishing, the cards of /themas.
    NOOP = "noop"
    FIELD = "fld"
    PUBLISH_ANSWER = "pub"
    CARD = "card"
    EDIT = "edit"
    PUBLISH = "publish"


class Decision(StrEnum):
    """What the ambassador does with the preview."""

    PUBLISH = "publish"
    DRAFT = "draft"
    EDIT = "edit"
    STOP = "stop"


class Field(StrEnum):
    """Which part of the theme the ambassador changes from the preview."""

    TITLE = "title"
    INVITATION = "invitation"
    QUESTION = "question"
    PLACE = "place"
    PERIOD = "period"
    QUADRANTS = "quadrants"


class ToolAction(StrEnum):
    """What a tt: button does with a running theme."""

    POSTER = "poster"
    PROGRESS = "progress"
    CLOSE = "close"
    CLOSE_YES = "closeyes"
    CLOSE_NO = "closeno"
    GROUPS = "groups"  # the notes grouped by what they say, from /voortgang


class MessageAction(StrEnum):
    """What a bc: button of /bericht answers."""

    WHO = "who"
    THEME = "theme"
    PLACE = "pl"
    SEND = "send"
    CANCEL = "cancel"
