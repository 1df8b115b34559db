"""Confirm buttons ("Ja, sluit af", "Nee"): the question is checked before its message is.

A double tap sends two presses; Telegram refuses a second edit of the same message
("message is not modified"), and a second "... is al afgesloten" after "... is afgesloten"
only confuses. So a confirm handler first asks whether its question is still open (in
storage, the truth), and a press of a settled question is answered quietly: the spinner
stops, the message and the chat stay as they are.
"""

from __future__ import annotations

from telegram import Update

from bot.chat.replies import answer, drop_buttons


async def settle(update: Update, *, still_open: bool) -> bool:
    """Whether to act on a confirm press: answer it once, and drop its buttons only when
    its question is still open; a repeated tap changes nothing."""
    await answer(update)
    if not still_open:
        return False
    await drop_buttons(update)
    return True
