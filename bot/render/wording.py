"""The words pictures share with the chat: which label language, and the quadrant names.

Quadrant names come from the chat's catalog, so the board picture, the chart, the PDF and
the buttons in the chat all call a quadrant the same.
"""

from __future__ import annotations

from bot.core.i18n import plain


def label_language(language: str) -> str:
    """Return "en" for any English language code and "nl" for everything else."""
    return "en" if language.lower().startswith("en") else "nl"


def quadrant_name(language: str, key: str) -> str:
    """Return a quadrant's name ("Wensen", "Questions") as the chat shows it."""
    return plain(label_language(language), f"quadrants.{key}")


def voice_line(language: str, seconds: int | None) -> str:
    """Name a voice note by its length ("[gesproken briefje, 4 seconden]"): nothing plays here."""
    lang = label_language(language)
    if seconds is None:
        return plain(lang, "voice.line_unknown")
    if seconds < 60:
        length = plain(lang, "voice.seconds", count=seconds)
    else:
        length = plain(lang, "voice.minutes", minutes=seconds // 60, seconds=f"{seconds % 60:02d}")
    return plain(lang, "voice.line", length=length)
