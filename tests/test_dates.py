"""Dates as ambassadors type them."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.village.dates import format_date, format_period, parse_date, parse_time

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
