"""What a flood of updates from one resident gets: one kind notice, then silence.

The guard (bot/app.py) asks the UpdateGate (bot/services/flood.py) how to answer each
update as it arrived; this is the one place that acts on the answer.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.chat.context import BuurtContext
from bot.chat.replies import answer, say
from bot.core.i18n import t
from bot.services.flood import Pace


async def hold_back(update: Update, context: BuurtContext, pace: Pace, *, keep: bool) -> None:
    """Notice once; then let only what is stored anyway (a note) through, answered by nothing.

    Raises ApplicationHandlerStop for everything else, so no handler runs and nothing is sent.
    """
    chat = update.effective_chat
    if pace is Pace.NOTICE and chat is not None and chat.type == ChatType.PRIVATE:
        try:
            if update.callback_query is not None:
                await answer(update)
            await say(update, context, t(context.lang, "flood.notice"))
        except TelegramError:
            pass  # the notice is a courtesy; the flood is held back all the same
    if not keep:
        raise ApplicationHandlerStop
    context.quiet = True
