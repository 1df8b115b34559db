"""The after-every-update handler that wakes the moderators' digest worker.

Here, not in bot/services/digests.py, because it is a handler: it needs Update and
BuurtContext, and services do not import the chat toolkit.
"""

from __future__ import annotations

from telegram import Update

from bot.chat.context import BuurtContext


async def nudge(update: Update, context: BuurtContext) -> None:
    """After every update: the queue may have grown (a note placed, edited or reported)."""
    context.services.queue_changed()
