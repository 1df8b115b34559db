"""Calendar files (.ics) of timeline moments, for any agenda app, made with icalendar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

# Agenda apps want an end; a moment planned before its end was asked blocks this long.
DEFAULT_LENGTH = timedelta(hours=2)
PRODUCT = "-//buurtbot//tijdlijn//NL"


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One moment as a calendar app shows it."""

    uid: str
    title: str
    starts_at: datetime  # aware
    place: str
    description: str
    sequence: int = 0
    cancelled: bool = False
    stamp: datetime | None = None
    length_minutes: int | None = None  # None: not said, DEFAULT_LENGTH


def moment_uid(moment_id: int, host: str) -> str:
    """The moment's UID: the same in every file of this installation, unlike any other's."""
    return f"moment-{moment_id}@{host}"


def calendar_file(entries: Sequence[CalendarEntry], tz: ZoneInfo, name: str) -> bytes:
    """An iCalendar file with one event per entry, times in the municipality's zone."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        start = entry.starts_at.astimezone(tz)
        event = Event()
        event.add("uid", entry.uid)
        event.add("summary", entry.title)
        event.add("dtstart", start)
        event.add(
            "dtend",
            start
            + (timedelta(minutes=entry.length_minutes) if entry.length_minutes else DEFAULT_LENGTH),
        )
        event.add("dtstamp", entry.stamp or entry.starts_at)
        event.add("sequence", entry.sequence)
        if entry.place:
            event.add("location", entry.place)
        if entry.description:
            event.add("description", entry.description)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        calendar.add_component(event)
    if entries:
        # The zone's rules ride along (VTIMEZONE), so that apps need not know Europe/Amsterdam.
        years = [e.starts_at.year for e in entries]
        calendar.add_missing_timezones(date(min(years) - 1, 1, 1), date(max(years) + 2, 1, 1))
    data: bytes = calendar.to_ical()
    return data
