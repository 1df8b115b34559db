"""The short codes buttons carry for the method's own words: quadrants and reasons.

One letter keeps callback data within Telegram's 64 bytes (vt:q:<note id>:<letter>); the
letters are part of buttons already sent, so they never change meaning.
"""

from __future__ import annotations

from bot.chat.callbacks import Codes
from storage.models import HideReason, Quadrant, ReportReason

QUADRANT_CODES = Codes(
    {
        Quadrant.WISH: "w",
        Quadrant.EXAMPLE: "e",
        Quadrant.POSSIBILITY: "p",
        Quadrant.QUESTION: "q",
        Quadrant.OTHER: "o",
    }
)
HIDE_REASON_CODES = Codes(
    {
        HideReason.PRIVATE: "p",
        HideReason.HURTFUL: "h",
        HideReason.ADVERT: "a",
        HideReason.OTHER: "o",
    }
)
REPORT_REASON_CODES = Codes(
    {
        ReportReason.PRIVATE: "p",
        ReportReason.HURTFUL: "h",
        ReportReason.ADVERT: "a",
        ReportReason.WRONG_PLACE: "w",
        ReportReason.OTHER: "o",
    }
)
