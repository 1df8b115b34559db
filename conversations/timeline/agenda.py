"""/agenda: the person's upcoming moments, each to open, and all of them as one file."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.chat.context import BuurtContext
from bot.chat.replies import answer, say
from bot.chat.updates import user_id
from bot.core.i18n import Html, t
from bot.village.local_time import format_short
from conversations.theme_list import active_themes, managed_themes
from conversations.timeline.actions import Action, button, labelled
from conversations.timeline.card import send_calendar
from conversations.timeline.moments import is_ambassador
from storage.models import MemberStatus, Moment, ThemeStatus

AGENDA_SIZE = 20


async def _agenda(update: Update, context: BuurtContext) -> list[Moment]:
    """The moments of the person's themes and tables; an ambassador's own themes' too."""
    repo = context.services.repo
    now = context.services.clock.now()
    uid = user_id(update)
    memberships = await repo.memberships_of(uid)
    tables = [m.table_id for m in memberships if m.status == MemberStatus.MEMBER]
    theme_ids = {theme.id for theme in await active_themes(context)}
    moments = await repo.upcoming_moments(
        now, theme_ids=theme_ids, table_ids=tables, user_id=uid, limit=AGENDA_SIZE
    )
    if is_ambassador(context):
        managed = [
            theme.id
            for theme in await managed_themes(
                update, context, (ThemeStatus.ACTIVE, ThemeStatus.CLOSED)
            )
        ]
        moments += await repo.upcoming_moments(
            now, theme_ids=managed, with_tables=True, limit=AGENDA_SIZE
        )
    unique = {moment.id: moment for moment in moments}
    return sorted(unique.values(), key=lambda m: (m.starts_at, m.id))[:AGENDA_SIZE]


async def agenda_command(update: Update, context: BuurtContext) -> None:
    """Show the person's upcoming moments, each to open, and the whole agenda as a file."""
    lang = context.lang
    tz = context.services.config.municipality.tz
    moments = await _agenda(update, context)
    if not moments:
        await say(update, context, t(lang, "timeline.agenda_empty"))
        return
    lines = [t(lang, "timeline.agenda_title")]
    rows = []
    for moment in moments:
        short = format_short(moment.starts_at, lang, tz)
        lines.append(t(lang, "timeline.agenda_line", when=short, title=moment.title))
        rows.append([labelled(f"{short} · {moment.title}", Action.OPEN, moment.id)])
    rows.append([button(lang, "timeline.agenda_file", Action.AGENDA_FILE)])
    await say(update, context, Html("\n".join(lines)), InlineKeyboardMarkup(rows))


async def on_agenda_file(update: Update, context: BuurtContext, _: list[str]) -> None:
    """Send the whole agenda as one calendar file."""
    await answer(update)
    moments = await _agenda(update, context)
    if not moments:
        await say(update, context, t(context.lang, "timeline.agenda_empty"))
        return
    await send_calendar(update, context, moments, "buurtbot-agenda.ics")
