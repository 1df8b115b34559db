"""What the parts of the timeline share about a moment: who manages it, its scope, its start,
the lines every message about it shows, and the reminders it gets."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.updates import user_id
from bot.core.clock import local_today
from bot.core.i18n import plain
from bot.services import Services
from bot.village.access import Role, may_manage
from bot.village.dates import parse_time
from bot.village.local_time import format_when, local_moment, reminder_plan
from conversations.timeline.actions import Action, data
from storage.models import Moment, MomentStatus, Theme

MessageButtons = tuple[tuple[tuple[str, str], ...], ...]
"""Buttons of a queued message, as (label, callback data) rows."""


def today(context: BuurtContext) -> date:
    """Today on the municipality's clock: no moment is planned before it."""
    return local_today(context.services.clock, context.services.config.municipality.tz)


def is_ambassador(context: BuurtContext) -> bool:
    """Whether this person plans moments at all (an admin does too)."""
    return bool(context.roles & {Role.AMBASSADOR, Role.ADMIN})


def manages(update: Update, context: BuurtContext, theme: Theme) -> bool:
    """Whether this person is an ambassador of the theme's place."""
    return is_ambassador(context) and may_manage(
        user_id(update), context.services.config, theme.place
    )


def is_open(context: BuurtContext, moment: Moment) -> bool:
    """Whether people may still answer and the ambassador may still change it."""
    return moment.status == MomentStatus.PLANNED and moment.starts_at > context.services.clock.now()


async def scope_name(context: BuurtContext, lang: str, theme_id: int, table_id: int) -> str:
    """Name the theme, or the table and its theme, a moment belongs to."""
    repo = context.services.repo
    theme = await repo.get_theme(theme_id)
    theme_title = theme.title if theme else "?"
    table = await repo.get_table(table_id) if table_id else None
    if table is None:
        return plain(lang, "timeline.scope_theme", theme=theme_title)
    return plain(lang, "timeline.scope_table", table=table.title, theme=theme_title)


def audience_name(lang: str, table: bool, widen: bool) -> str:
    """Say who gets the reminders: who comes, widened to the table or the theme."""
    key = "timeline.audience_table" if table else "timeline.audience_theme"
    text = plain(lang, key)
    return text + plain(lang, "timeline.audience_widened") if widen else text


def starts(answers: dict[str, Any], context: BuurtContext) -> datetime:
    """The start of a moment from its stored date and time, already checked to exist."""
    tz = context.services.config.municipality.tz
    day = date.fromisoformat(str(answers["date"]))
    clock = parse_time(str(answers["time"]))
    assert clock is not None
    start = local_moment(day, clock, tz)
    assert start is not None
    return start


def reminders_for(services: Services, starts_at: datetime) -> list[tuple[int, datetime]]:
    """The reminders to plan for a moment starting then, as (offset, due)."""
    config = services.config
    return reminder_plan(
        starts_at,
        config.reminders.offsets_minutes,
        config.municipality.tz,
        services.clock.now(),
        timedelta(minutes=config.reminders.grace_minutes),
    )


def moment_lines(services: Services, lang: str, moment: Moment) -> dict[str, object]:
    """The values every moment text uses: title, when and place."""
    tz = services.config.municipality.tz
    return {
        "title": moment.title,
        "when": format_when(moment.starts_at, lang, tz),
        "place": moment.place or plain(lang, "timeline.no_place"),
    }


def moment_button(lang: str, moment: Moment) -> MessageButtons:
    """The one button under a reminder or notice: open the moment."""
    return (((plain(lang, "timeline.open_moment"), data(Action.OPEN, moment.id)),),)


def rsvp_buttons(lang: str, moment: Moment) -> MessageButtons:
    """The buttons under news of a moment: answer right there."""
    return (
        (
            (plain(lang, "timeline.coming"), data(Action.COMING, moment.id)),
            (plain(lang, "timeline.not_coming"), data(Action.NOT_COMING, moment.id)),
        ),
    )
