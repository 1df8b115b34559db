"""Typed dates as wizard answers: read, refused kindly, or asked about with the full date."""

from __future__ import annotations

from datetime import date

from bot.chat.context import BuurtContext
from bot.chat.wizard import Data, Doubt, Refusal
from bot.core.clock import local_today
from bot.core.i18n import plain
from bot.village.dates import date_doubt, example_dates, format_day, read_date, weekday_name


def today(context: BuurtContext) -> date:
    """Today on the municipality's clock."""
    return local_today(context.services.clock, context.services.config.municipality.tz)


def date_answer(
    text: str,
    context: BuurtContext,
    *,
    bad: str,
    past: Refusal | None,
    earliest: date | None = None,
) -> str | Refusal | Doubt:
    """A typed date as an ISO answer. A day before earliest (today) is refused with past
    (None: asked about); a weekday that does not fit the date, or a date far ahead, is asked
    about with the full date."""
    lang = context.lang
    first = today(context)
    typed = read_date(text, first)
    if typed is None:
        return Refusal(bad, date_examples(context))
    if past is not None and typed.day < (earliest or first):
        return past
    doubt = date_doubt(typed, first)
    if doubt is None:
        return typed.day.isoformat()
    if doubt.reason == "weekday":
        assert typed.weekday is not None
        options = [(format_day(day, lang), day.isoformat()) for day in doubt.options]
        values = {
            "day": format_day(typed.day, lang),
            "weekday": weekday_name(typed.weekday, lang),
        }
        return Doubt("dates.weekday_mismatch", options, values)
    label = plain(lang, "dates.yes_day", day=format_day(typed.day, lang))
    key = "dates.far_ahead" if doubt.reason == "far" else "dates.in_past"
    return Doubt(key, [(label, typed.day.isoformat())], {"day": format_day(typed.day, lang)})


def date_examples(context: BuurtContext, _: Data | None = None) -> dict[str, object]:
    """Prompt values: a date about two weeks ahead, in words and in numbers."""
    words, numbers = example_dates(today(context), context.lang)
    return {"example": words, "numeric": numbers}
