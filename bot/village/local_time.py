"""Moments in the municipality's time zone: typed local times, reminder times across the
clock changes, and the way dates and times are written back to people."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.village.dates import DUTCH_DAYS, DUTCH_MONTHS, ENGLISH_DAYS, ENGLISH_MONTHS

MINUTES_PER_DAY = 1440


def local_moment(day: date, clock_time: time, tz: ZoneInfo) -> datetime | None:
    """Return the UTC instant of a local date and time; None for a time that does not exist
    (the hour skipped when the clocks go forward). A time that happens twice (when the clocks
    go back) is the first of the two, still in summer time."""
    wall = datetime.combine(day, clock_time)
    aware = wall.replace(tzinfo=tz, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        return None
    return instant


def reminder_due(starts_at: datetime, offset_minutes: int, tz: ZoneInfo) -> datetime:
    """When a reminder offset_minutes before a moment is due.

    Whole days count on the local clock, so that "a day before" a Sunday 10:00 meeting is
    Saturday 10:00 even across the night the clocks change; the rest counts in real minutes,
    so that "two hours before" is two real hours.
    """
    days, minutes = divmod(offset_minutes, MINUTES_PER_DAY)
    local = starts_at.astimezone(tz).replace(tzinfo=None)
    earlier = (local - timedelta(days=days)).replace(tzinfo=tz, fold=0)
    return earlier.astimezone(UTC) - timedelta(minutes=minutes)


def reminder_plan(
    starts_at: datetime,
    offsets: tuple[int, ...],
    tz: ZoneInfo,
    now: datetime,
    grace: timedelta,
) -> list[tuple[int, datetime]]:
    """The reminders worth planning for a moment: those due from now on, or due at most
    grace ago (a moment planned or moved at short notice still gets its nearest one).
    Nothing is planned for a moment that has begun."""
    if starts_at <= now:
        return []
    plan: list[tuple[int, datetime]] = []
    for offset in offsets:
        due = reminder_due(starts_at, offset, tz)
        if due >= now - grace:
            plan.append((offset, due))
    return plan


def format_when(moment: datetime, language: str, tz: ZoneInfo) -> str:
    """zaterdag 24 oktober 2026 om 10:00 / Saturday 24 October 2026 at 10:00."""
    local = moment.astimezone(tz)
    if language == "nl":
        day = DUTCH_DAYS[local.weekday()]
        month = DUTCH_MONTHS[local.month - 1]
        return f"{day} {local.day} {month} {local.year} om {local:%H:%M}"
    day = ENGLISH_DAYS[local.weekday()]
    month = ENGLISH_MONTHS[local.month - 1]
    return f"{day} {local.day} {month} {local.year} at {local:%H:%M}"


def format_span(moment: datetime, length_minutes: int | None, language: str, tz: ZoneInfo) -> str:
    """format_when with the end: ... om 19:30 tot 21:30; a length not said leaves it out."""
    when = format_when(moment, language, tz)
    if not length_minutes:
        return when
    end = (moment + timedelta(minutes=length_minutes)).astimezone(tz)
    days = (end.date() - moment.astimezone(tz).date()).days
    until = f"{end:%H:%M}" if days == 0 else format_when(end, language, tz)
    return f"{when} {'tot' if language == 'nl' else 'until'} {until}"


def format_short(moment: datetime, language: str, tz: ZoneInfo) -> str:
    """za 24 okt 10:00 / Sat 24 Oct 10:00, for buttons and lists."""
    local = moment.astimezone(tz)
    if language == "nl":
        day, month = DUTCH_DAYS[local.weekday()][:2], DUTCH_MONTHS[local.month - 1][:3]
    else:
        day, month = ENGLISH_DAYS[local.weekday()][:3], ENGLISH_MONTHS[local.month - 1][:3]
    return f"{day} {local.day} {month} {local:%H:%M}"
