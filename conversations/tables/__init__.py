"""Conversation tables (gesprekstafels): an ambassador sets one up around an initiative,
residents join it with a commitment, the table card (tafelkaart) lives.

/nieuwetafel walks the ambassador through the card (setup.py); /tafels shows everyone the
tables of their themes. Joining asks how (meedenken, meedoen, verbinden), an optional line,
and whether the others at the table may see one's first name (join.py). The initiator and the
table's ambassador change the card (edit.py); the ambassador invites residents and sends the
initiator a link that makes them the table's initiator (invite.py).

The whole graph of the flow is here: the set-up wizard's steps are declared in setup.SETUP
(title, initiator, capacity, what, ambitions, agreements, working, origin, preview; its buttons
read tf:w:<step>:<code>, the capacity's tf:cap:0); the other free-text steps are in STEPS and
every other button in AMBASSADOR_ROUTES and ROUTES. Which notes a table grew from is picked
over pages (origins.py, tf:og:...) at the set-up's origin step and from the card (edit.py:
tf:nts, then a read-back saved with tf:nsv or changed with tf:nbk).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only
from bot.chat.steps import StepHandler, use_buttons
from conversations.tables.actions import FLOW, PREFIX, Action, Step
from conversations.tables.edit import (
    on_edit,
    on_edit_text,
    on_field,
    on_links_done,
    on_no_capacity,
    on_notes,
    on_notes_back,
    on_notes_save,
)
from conversations.tables.invite import (
    LINK_PREFIX,
    on_initiator_link,
    on_invite,
    on_invite_no,
    on_invite_yes,
    on_link,
)
from conversations.tables.join import (
    on_how,
    on_join,
    on_leave,
    on_leave_no,
    on_leave_yes,
    on_name,
    on_show_name,
    on_skip_how,
)
from conversations.tables.listing import tables_command
from conversations.tables.origins import on_typed, picker
from conversations.tables.setup import (
    SETUP,
    new_table,
    on_old_save,
    on_old_skip,
    on_old_stop,
    on_origins_done,
    on_theme,
)
from conversations.tables.show import on_open
from conversations.tables.waiting import tell_moved_up

__all__ = ["FLOW", "STEPS", "deep_link_handlers", "handlers", "tell_moved_up"]


STEPS: dict[str, StepHandler] = {
    **SETUP.steps(),
    Step.HOW: on_how,
    Step.NAME: use_buttons,
    Step.EDIT: on_edit_text,
    Step.LINK: ambassadors_only(on_typed),
    Step.LINKED: use_buttons,
}

# Buttons only ambassadors are shown; a press by anyone else is refused like the command.
AMBASSADOR_ROUTES: dict[str, ButtonHandler] = {
    Action.THEME: on_theme,
    Action.SKIP: on_old_skip,
    Action.SAVE: on_old_save,
    Action.STOP: on_old_stop,
    Action.INVITE: on_invite,
    Action.INVITE_YES: on_invite_yes,
    Action.INVITE_NO: on_invite_no,
    Action.LINK: on_link,
    # The notes a table grew from: one picker for the set-up's step and the card's.
    Action.ORIGIN: picker({Step.ORIGIN: on_origins_done, Step.LINK: on_links_done}),
    Action.NOTES: on_notes,
    Action.NOTES_BACK: on_notes_back,
    Action.NOTES_SAVE: on_notes_save,
}

ROUTES: dict[str, ButtonHandler] = {
    Action.OPEN: on_open,
    Action.JOIN: on_join,
    Action.SKIP_HOW: on_skip_how,
    Action.SHOW_NAME: on_show_name,
    Action.NAME: on_name,
    Action.LEAVE: on_leave,
    Action.LEAVE_YES: on_leave_yes,
    Action.LEAVE_NO: on_leave_no,
    Action.EDIT: on_edit,
    Action.FIELD: on_field,
    Action.NO_CAPACITY: on_no_capacity,
}


def deep_link_handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """/start tf_<code>; registered before onboarding's /start, which it must win from."""
    return [
        CommandHandler(
            "start",
            on_initiator_link,
            filters=filters.ChatType.PRIVATE & filters.Regex(rf"^/start {LINK_PREFIX}"),
        )
    ]


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the tables."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("nieuwetafel", new_table, filters=private),
        CommandHandler("tafels", tables_command, filters=private),
        *SETUP.handlers(),
        *button_routes(PREFIX, AMBASSADOR_ROUTES, guard=ambassadors_only),
        *button_routes(PREFIX, ROUTES),
    ]
