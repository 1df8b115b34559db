"""Who sent an update and in which chat: the few facts every handler asks of it."""

from __future__ import annotations

from telegram import Update

# A Telegram first name is at most 64 characters; the audit trail keeps no more.
_NAME_LIMIT = 64


def user_id(update: Update) -> int:
    """The id of the person who sent the update (handlers run only for people)."""
    assert update.effective_user is not None
    return update.effective_user.id


def chat_id(update: Update) -> int:
    """The id of the chat the update came from."""
    assert update.effective_chat is not None
    return update.effective_chat.id


def person_name(update: Update) -> str | None:
    """The first name a role holder shows in Telegram, for "decided by" and the audit trail."""
    user = update.effective_user
    if user is None or not user.first_name:
        return None
    return " ".join(user.first_name.split())[:_NAME_LIMIT] or None
