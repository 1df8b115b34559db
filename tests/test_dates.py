"""Dates as ambassadors type them."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.village.dates import (
    date_doubt,
    format_date,
    format_period,
    parse_date,
    parse_time,
    read_date,
)

TODAY = date(2027, 3, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12-3-2027", date(2027, 3, 12)),
        ("12/03/2027", date(2027, 3, 12)),
        ("12.3.27", date(2027, 3, 12)),
        ("2027-03-12", date(2027, 3, 12)),
        ("12 maart 2027", date(2027, 3, 12)),
        ("12 Maart", date(2027, 3, 12)),
        ("1 mrt", date(2028, 3, 1)),  # already past this year: next year
        ("zaterdag 13 maart", date(2027, 3, 13)),
        ("vandaag", TODAY),
        ("Morgen", date(2027, 3, 11)),
        ("12-3", date(2027, 3, 12)),
        ("3 October 2027", date(2027, 10, 3)),
    ],
)
def test_readable_dates(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["", "31-2-2027", "13-13-2027", "morgenochtend", "12 maartje", "hallo"]
)
def test_unreadable_dates(text: str) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19:30", time(19, 30)),
        ("19.30", time(19, 30)),
        ("9u15", time(9, 15)),
        ("20 uur", time(20, 0)),
    ],
)
def test_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "19:75", "half acht", ""])
def test_unreadable_times(text: str) -> None:
    assert parse_time(text) is None


def test_formatting() -> None:
    assert format_date(date(2027, 3, 12), "nl") == "12 maart 2027"
    assert format_date(date(2027, 3, 12), "en") == "12 March 2027"
    assert (
        format_period(date(2027, 3, 12), date(2027, 4, 23), "nl") == "12 maart 2027 – 23 april 2027"
    )


def test_a_weekday_that_does_not_fit_is_a_doubt_with_the_nearest_such_day() -> None:
    today = date(2026, 12, 2)
    typed = read_date("vrijdag 12 december", today)
    assert typed is not None and typed.weekday == 4
    doubt = date_doubt(typed, today)
    assert doubt is not None and doubt.reason == "weekday"
    assert doubt.options == (date(2026, 12, 12), date(2026, 12, 11))
    fitting = read_date("za 12 december", today)
    assert fitting is not None and date_doubt(fitting, today) is None


def test_a_date_far_ahead_or_gone_by_is_a_doubt() -> None:
    today = date(2026, 12, 2)
    far = read_date("14 november", today)
    assert far is not None and far.day == date(2027, 11, 14) and not far.year_given
    assert (doubt := date_doubt(far, today)) is not None and doubt.reason == "far"
    gone = read_date("1-12-2026", today)
    assert gone is not None and (doubt := date_doubt(gone, today)) is not None
    assert doubt.reason == "past"
    near = read_date("19 december", today)
    assert near is not None and date_doubt(near, today) is None
