"""Moments in local time: typed times, reminders across the clock changes, how they read."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.village.local_time import (
    format_short,
    format_when,
    local_moment,
    reminder_due,
    reminder_plan,
)

AMS = ZoneInfo("Europe/Amsterdam")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_typed_local_time_becomes_its_utc_instant() -> None:
    assert local_moment(date(2026, 11, 14), time(19, 30), AMS) == utc(2026, 11, 14, 18, 30)
    assert local_moment(date(2026, 7, 1), time(19, 30), AMS) == utc(2026, 7, 1, 17, 30)


def test_the_skipped_hour_does_not_exist_and_the_doubled_hour_is_the_first() -> None:
    # Last Sunday of March 2027: 02:00 becomes 03:00.
    assert local_moment(date(2027, 3, 28), time(2, 30), AMS) is None
    assert local_moment(date(2027, 3, 28), time(3, 0), AMS) == utc(2027, 3, 28, 1, 0)
    # Last Sunday of October 2026: 02:30 happens twice; the first is still summer time.
    assert local_moment(date(2026, 10, 25), time(2, 30), AMS) == utc(2026, 10, 25, 0, 30)


def test_a_day_before_is_the_same_local_hour_across_the_clock_change() -> None:
    autumn = local_moment(date(2026, 10, 25), time(10, 0), AMS)  # Sunday, CET
    assert autumn == utc(2026, 10, 25, 9, 0)
    day_before = reminder_due(autumn, 1440, AMS)
    assert day_before == utc(2026, 10, 24, 8, 0)  # Saturday 10:00 CEST
    assert day_before.astimezone(AMS).hour == 10
    two_hours = reminder_due(autumn, 120, AMS)
    assert autumn - two_hours == timedelta(hours=2)
    assert two_hours.astimezone(AMS).hour == 8

    spring = local_moment(date(2027, 3, 28), time(10, 0), AMS)  # Sunday, CEST
    assert spring == utc(2027, 3, 28, 8, 0)
    day_before = reminder_due(spring, 1440, AMS)
    assert day_before == utc(2027, 3, 27, 9, 0)  # Saturday 10:00 CET
    assert day_before.astimezone(AMS).hour == 10
    assert reminder_due(spring, 120, AMS).astimezone(AMS).hour == 8


def test_only_reminders_still_to_come_are_planned() -> None:
    starts = utc(2026, 11, 14, 18, 30)
    grace = timedelta(minutes=30)
    offsets = (1440, 120)
    assert [o for o, _ in reminder_plan(starts, offsets, AMS, utc(2026, 11, 1), grace)] == [
        1440,
        120,
    ]
    # Planned three hours before: only the two-hour reminder is left.
    three_before = starts - timedelta(hours=3)
    assert [o for o, _ in reminder_plan(starts, offsets, AMS, three_before, grace)] == [120]
    # Planned 100 minutes before: the two-hour reminder is 20 minutes late, within grace.
    late = starts - timedelta(minutes=100)
    assert [o for o, _ in reminder_plan(starts, offsets, AMS, late, grace)] == [120]
    assert reminder_plan(starts, offsets, AMS, starts - timedelta(minutes=60), grace) == []
    assert reminder_plan(starts, offsets, AMS, starts, grace) == []


def test_how_a_moment_reads() -> None:
    moment = utc(2026, 11, 14, 18, 30)
    assert format_when(moment, "nl", AMS) == "zaterdag 14 november 2026 om 19:30"
    assert format_when(moment, "en", AMS) == "Saturday 14 November 2026 at 19:30"
    assert format_short(moment, "nl", AMS) == "za 14 nov 19:30"
    assert format_short(moment, "en", AMS) == "Sat 14 Nov 19:30"
