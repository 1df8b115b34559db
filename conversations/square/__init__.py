"""The village talk on the square (op het plein): what the ambassador brings in from the stand.

- /plein (or "Op het plein" on a /themas card): every message is one note heard in person,
  placed with one tap, the speaker's village one optional tap (entry.py); a photo is kept as
  a photo of the paper board.
- /overtypen: the photos still waiting, typed off one note per message (typing_off.py),
  by the theme's ambassador or a moderator.
- "Uitnodigingskaartje": an A6 card and an A4 sheet of four, each QR code a one-time
  /start k_<token> link (cards.py).
- "Contact noteren" / "Contactenlijst": contact details given in person, with consent
  (contacts.py).

The whole graph: the free-text steps in STEPS (the contact form is a Wizard declared in
contacts.CONTACT_FORM: name, reach, consent; its buttons read sq:w:<step>:<code>), the
buttons in AMBASSADOR_ROUTES (only the area's ambassador and admins), TYPING_ROUTES (also
moderators, checked per note or photo) and MODERATOR_ROUTES (letting a photo of the paper
board be public: moderators only).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes
from bot.chat.context import BuurtContext
from bot.chat.guards import moderators_only, require
from bot.chat.steps import StepHandler
from bot.village.access import Role
from conversations.square.actions import FLOW, LINK_PREFIX, PREFIX, Action, Step
from conversations.square.cards import on_card, on_card_link
from conversations.square.contacts import CONTACT_FORM, on_contact, on_contacts, on_erase
from conversations.square.entry import on_go, on_heard, on_note, on_place, on_stop, square_command
from conversations.square.typing_off import (
    on_photo_done,
    on_publish_photo,
    on_type,
    typing_command,
)

__all__ = ["FLOW", "STEPS", "deep_link_handlers", "handlers"]

ambassadors = require(Role.AMBASSADOR, Role.ADMIN, denied="square.denied")
typists = require(Role.AMBASSADOR, Role.MODERATOR, Role.ADMIN, denied="square.type_denied")

STEPS: dict[str, StepHandler] = {
    Step.NOTE: ambassadors(on_note),
    Step.TYPE: typists(on_note),
    **CONTACT_FORM.steps(),
}

AMBASSADOR_ROUTES: dict[str, ButtonHandler] = {
    Action.GO: on_go,
    Action.CARD: on_card,
    Action.CONTACT: on_contact,
    Action.CONTACTS: on_contacts,
    Action.ERASE: on_erase,
}

TYPING_ROUTES: dict[str, ButtonHandler] = {
    Action.PLACE: on_place,
    Action.HEARD: on_heard,
    Action.STOP: on_stop,
    Action.TYPE: on_type,
    Action.PHOTO_DONE: on_photo_done,
}


# A photo of the paper board shows publicly only once a moderator said so.
MODERATOR_ROUTES: dict[str, ButtonHandler] = {Action.PUBLISH_PHOTO: on_publish_photo}


def deep_link_handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """/start k_<token>: an invitation card; registered before onboarding's /start."""
    return [
        CommandHandler(
            "start",
            on_card_link,
            filters=filters.ChatType.PRIVATE & filters.Regex(rf"^/start {LINK_PREFIX}"),
        )
    ]


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the square."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("plein", ambassadors(square_command), filters=private),
        CommandHandler("overtypen", typists(typing_command), filters=private),
        *CONTACT_FORM.handlers(),
        *button_routes(PREFIX, AMBASSADOR_ROUTES, guard=ambassadors),
        *button_routes(PREFIX, TYPING_ROUTES, guard=typists),
        *button_routes(PREFIX, MODERATOR_ROUTES, guard=moderators_only),
    ]
