"""Dates and times as people type them in Dutch (and English): 12-3-2027, 12 maart, morgen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Literal

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
DUTCH_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS = {
    **{name: index for index, name in enumerate(DUTCH_DAYS)},
    **{name.lower(): index for index, name in enumerate(ENGLISH_DAYS)},
    **{name[:2]: index for index, name in enumerate(DUTCH_DAYS)},
    **{name[:3].lower(): index for index, name in enumerate(ENGLISH_DAYS)},
}
_WEEKDAY = re.compile(r"^([a-z]+)\.?,?\s+")
FAR_AHEAD = timedelta(days=183)
"""A date further ahead than about half a year is read back before it is taken."""
_RELATIVE = {"vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2}
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.u](\d{2}))?(?:\s*uur)?$")


@dataclass(frozen=True, slots=True)
class TypedDate:
    """A date as read, with the weekday typed beside it (0 is Monday) and whether a year was."""

    day: date
    weekday: int | None
    year_given: bool


@dataclass(frozen=True, slots=True)
class DateDoubt:
    """Why a read date is asked about first, and the days it may mean, most likely first."""

    reason: Literal["weekday", "far", "past"]
    typed: TypedDate
    options: tuple[date, ...]


def parse_date(text: str, today: date) -> date | None:
    """Read a date; without a year, the next such date from today on. None if unreadable."""
    typed = read_date(text, today)
    return typed.day if typed else None


def read_date(text: str, today: date) -> TypedDate | None:
    """Read a date and the weekday typed with it; without a year, the next such date."""
    value = " ".join(text.strip().lower().split())
    weekday: int | None = None
    if (match := _WEEKDAY.match(value)) and match[1] in _WEEKDAYS:
        weekday = _WEEKDAYS[match[1]]
        value = value[match.end() :]
    if value in _RELATIVE:
        return TypedDate(today + timedelta(days=_RELATIVE[value]), weekday, True)
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
            return TypedDate(date(year, month, day), weekday, True)
        candidate = date(today.year, month, day)
        if candidate < today:
            candidate = date(today.year + 1, month, day)
    except ValueError:
        return None
    return TypedDate(candidate, weekday, False)


def date_doubt(typed: TypedDate, today: date) -> DateDoubt | None:
    """Whether a read date must be asked about: a weekday that does not fit the date, a date
    gone by, or one more than half a year ahead. None when it can be taken as it is."""
    day = typed.day
    if typed.weekday is not None and typed.weekday != day.weekday():
        # The typed weekday may be right and the number wrong: offer its nearest such day.
        shift = (typed.weekday - day.weekday() + 3) % 7 - 3
        near = day + timedelta(days=shift)
        options = (day, near) if near >= today else (day,)
        return DateDoubt("weekday", typed, options)
    if day < today:
        return DateDoubt("past", typed, (day,))
    if day - today > FAR_AHEAD:
        return DateDoubt("far", typed, (day,))
    return None


def format_day(value: date, language: str) -> str:
    """Write a date with its weekday: zaterdag 14 november 2026 / Saturday 14 November 2026."""
    days = DUTCH_DAYS if language == "nl" else ENGLISH_DAYS
    return f"{days[value.weekday()]} {format_date(value, language)}"


def weekday_name(index: int, language: str) -> str:
    """The name of a weekday, 0 being Monday."""
    return (DUTCH_DAYS if language == "nl" else ENGLISH_DAYS)[index]


def example_dates(today: date, language: str) -> tuple[str, str]:
    """Two ways to write a date about two weeks from today, for a prompt's example."""
    day = today + timedelta(days=14)
    months = DUTCH_MONTHS if language == "nl" else ENGLISH_MONTHS
    return f"{day.day} {months[day.month - 1]}", f"{day.day}-{day.month}-{day.year}"


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
