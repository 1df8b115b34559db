"""Moderation: the review queue (/moderatie) and residents reporting a note.

One card per waiting note; a moderator approves, hides with a reason, moves to another
quadrant, marks a duplicate or redacts personal details, then the card shows who decided
what. Every md: button is for moderators only; mr: buttons are for any resident reading
the board. This module is the whole graph of the flow: its command, step and buttons.

    /moderatie ── page of cards ── md:more (next page) ── md:all (approve the page)
    card ── md:ok ─────────────────────────────── decided
         ── md:h ── md:h:<reason> ─────────────── decided      (md:b back to the card)
         ── md:m ── md:m:<quadrant> ───────────── decided
         ── md:d ── md:d:<original> ───────────── decided
         ── md:r ── md:rc:<piece> / REDACT text ── md:rok ── decided     (md:rx stops)
    board page ── mr:p ── mr:n:<note> ── mr:r:<reason> ── back in the queue  (mr:x stops)
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes
from bot.chat.context import BuurtContext
from bot.chat.guards import moderators_only
from bot.chat.steps import StepHandler
from conversations.moderation import reports
from conversations.moderation.actions import (
    FLOW,
    PREFIX,
    REDACT,
    Action,
    bare_button,
    note_button,
)
from conversations.moderation.choices import on_approve, on_back, on_duplicate, on_hide, on_move
from conversations.moderation.queue import on_approve_all, on_more, on_queue, queue_command
from conversations.moderation.redact import (
    on_redact,
    on_redact_piece,
    on_redact_save,
    on_redact_stop,
    on_redact_text,
)
from conversations.moderation.reports import ReportAction

__all__ = ["FLOW", "STEPS", "handlers", "report_handlers"]

STEPS: dict[str, StepHandler] = {REDACT: on_redact_text}

ROUTES: dict[str, ButtonHandler] = {
    Action.QUEUE: bare_button(on_queue),
    Action.MORE: on_more,
    Action.APPROVE_ALL: on_approve_all,
    Action.APPROVE: note_button(on_approve),
    Action.BACK: note_button(on_back),
    Action.HIDE: note_button(on_hide),
    Action.MOVE: note_button(on_move),
    Action.DUPLICATE: note_button(on_duplicate),
    Action.REDACT: note_button(on_redact),
    Action.REDACT_PIECE: note_button(on_redact_piece),
    Action.REDACT_SAVE: note_button(on_redact_save),
    Action.REDACT_STOP: bare_button(on_redact_stop),
}

REPORT_ROUTES: dict[str, ButtonHandler] = {
    ReportAction.PICK: reports.on_pick,
    ReportAction.NOTE: reports.on_note,
    ReportAction.REASON: reports.on_reason,
    ReportAction.NEVER_MIND: bare_button(reports.on_never_mind),
}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the review queue."""
    return [
        CommandHandler("moderatie", queue_command, filters=filters.ChatType.PRIVATE),
        *button_routes(PREFIX, ROUTES, guard=moderators_only),
    ]


def report_handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of reporting a note."""
    return [*button_routes(reports.PREFIX, REPORT_ROUTES)]
