"""The square's state and the short codes its buttons carry; sent buttons keep them.

Buttons read sq:<action>[:<arg>...]; the quadrant letters are bot.chat.codes'.
"""

from __future__ import annotations

from enum import StrEnum

FLOW = "square"
PREFIX = "sq"
# The invitation card's link: t.me/<bot>?start=k_<one-time token>.
LINK_PREFIX = "k_"


class Step(StrEnum):
    """Where a chat on the square is."""

    NOTE = "note"  # every message is a note heard at the stand
    TYPE = "type"  # every message is a note typed off a photo of the paper board
    # The contact form's steps are the wizard's own (contacts.CONTACT_FORM).


class Action(StrEnum):
    """What an sq: button asks for."""

    GO = "go"  # sq:go:<theme>: open the square for a theme
    PLACE = "p"  # sq:p:<note>:<quadrant letter>
    HEARD = "h"  # sq:h:<note>:<speaker place index, or x for unknown>
    STOP = "stop"  # sq:stop
    TYPE = "ty"  # sq:ty:<photo>: type off this photo
    PHOTO_DONE = "pd"  # sq:pd:<photo>
    PUBLISH_PHOTO = "pub"  # sq:pub:<photo>: a moderator lets the photo be shown publicly
    CARD = "card"  # sq:card:<theme>
    CONTACT = "ct"  # sq:ct:<theme>: note a contact
    CONTACTS = "cl"  # sq:cl:<theme>: the contact list
    ERASE = "del"  # sq:del:<contact>:<theme>
