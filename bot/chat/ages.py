"""How old a note is, in the words a moderator reads on its card."""

from __future__ import annotations

from datetime import datetime

from bot.core.i18n import plain


def age_text(lang: str, created: datetime, now: datetime) -> str:
    """How long ago, in words: "zojuist", "12 min geleden", "3 uur geleden", "2 dagen geleden"."""
    minutes = max(0, int((now - created).total_seconds() // 60))
    if minutes < 1:
        return plain(lang, "moderation.age_now")
    if minutes < 60:
        return plain(lang, "moderation.age_minutes", count=minutes)
    if minutes < 48 * 60:
        return plain(lang, "moderation.age_hours", count=minutes // 60)
    return plain(lang, "moderation.age_days", count=minutes // (24 * 60))
