"""Dates and times as people type them in Dutch (and English): 12-3-2027, 12 maart, morgen."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "february": 2,
    "maart": 3, "mrt": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "augustus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
DUTCH_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_RELATIVE = {"vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2}
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.u](\d{2}))?(?:\s*uur)?$")


def parse_date(text: str, today: date) -> date | None:
    """Read a date; without a year, the next such date from today on. None if unreadable."""
    value = " ".join(text.strip().lower().split())
    value = re.sub(r"^(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)\s+", "", value)
    if value in _RELATIVE:
        return today + timedelta(days=_RELATIVE[value])
    day: int
    month: int
    year: int | None
    if match := _ISO.match(value):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _NUMERIC.match(value):
        day, month = int(match[1]), int(match[2])
        year = None if match[3] is None else int(match[3])
    elif (match := _WORDS.match(value)) and match[2] in MONTHS:
        day, month = int(match[1]), MONTHS[match[2]]
        year = None if match[3] is None else int(match[3])
    else:
        return None
    if year is not None and year < 100:
        year += 2000
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def parse_time(text: str) -> time | None:
    """Read a time of day: 19:30, 19.30, 19u30, 19 uur. None if unreadable."""
    match = _TIME.match(" ".join(text.strip().lower().split()))
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def format_date(value: date, language: str) -> str:
    """Write a date the way people say it: 12 maart 2027 / 12 March 2027."""
    months = DUTCH_MONTHS if language == "nl" else ENGLISH_MONTHS
    return f"{value.day} {months[value.month - 1]} {value.year}"


def format_period(start: date | None, end: date | None, language: str) -> str:
    """Write a theme's period; an open end or start is left out."""
    if start and end:
        return f"{format_date(start, language)} – {format_date(end, language)}"
    if start:
        return format_date(start, language)
    return format_date(end, language) if end else ""
