"""Finding the theme, table, moment or note a button or link names, for this person only:
one lookup per kind that fetches, asks bot.village.visibility, and refuses kindly."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import answer_key, say
from bot.chat.updates import user_id
from bot.core.clock import local_today
from bot.core.i18n import t
from bot.village.access import Role, manageable_places
from bot.village.visibility import (
    NoteWindow,
    Viewer,
    may_change_note,
    may_see_moment,
    may_see_table,
    may_see_theme,
    note_window,
)
from storage.models import MemberStatus, Moment, Note, TalkTable, Theme


async def viewer_of(update: Update, context: BuurtContext, *, ties: bool = False) -> Viewer:
    """The person of this update as the rules see them; ties adds their tables and themes."""
    uid = user_id(update)
    services = context.services
    resident = context.resident
    places = None
    if resident is not None and (resident.village_key or resident.neighbourhood_key):
        places = services.config.municipality.places_of(
            resident.village_key, resident.neighbourhood_key
        )
    managed = (
        manageable_places(uid, services.config)
        if context.roles & {Role.AMBASSADOR, Role.ADMIN}
        else frozenset()
    )
    if not ties:
        return Viewer(uid, places, managed)
    repo = services.repo
    memberships = await repo.memberships_of(uid)
    return Viewer(
        uid,
        places,
        managed,
        tables=frozenset(m.table_id for m in memberships),
        seated=frozenset(m.table_id for m in memberships if m.status == MemberStatus.MEMBER),
        took_part=frozenset(n.theme_id for n in await repo.list_notes_by_author(uid)),
    )


async def refuse(update: Update, context: BuurtContext, key: str, *, alert: bool = True) -> None:
    """Say no kindly: on the button pressed, or as a message when a link was followed."""
    if update.callback_query is not None:
        await answer_key(update, context, key, alert=alert)
    else:
        await say(update, context, t(context.lang, key))


async def visible_theme(
    update: Update, context: BuurtContext, theme_id: int | None
) -> Theme | None:
    """The theme when this person may see it; otherwise answered and None."""
    theme = await context.services.repo.get_theme(theme_id) if theme_id is not None else None
    if theme is None:
        await refuse(update, context, "talk.theme_gone", alert=False)
        return None
    if not may_see_theme(theme, await viewer_of(update, context)):
        await refuse(update, context, "visible.theme")
        return None
    return theme


async def visible_table(
    update: Update, context: BuurtContext, table_id: int | None
) -> tuple[TalkTable, Theme] | None:
    """The table and its theme when this person may see them; otherwise answered and None."""
    repo = context.services.repo
    table = await repo.get_table(table_id) if table_id is not None else None
    theme = await repo.get_theme(table.theme_id) if table is not None else None
    if table is None or theme is None:
        await refuse(update, context, "tables.gone", alert=False)
        return None
    if not may_see_table(table, theme, await viewer_of(update, context, ties=True)):
        await refuse(update, context, "visible.table")
        return None
    return table, theme


async def visible_moment(
    update: Update, context: BuurtContext, moment_id: int | None
) -> Moment | None:
    """The moment when this person may see it (and where it meets); otherwise answered."""
    repo = context.services.repo
    moment = await repo.get_moment(moment_id) if moment_id is not None else None
    theme = await repo.get_theme(moment.theme_id) if moment is not None else None
    if moment is None or theme is None:
        await refuse(update, context, "timeline.gone", alert=False)
        return None
    table = await repo.get_table(moment.table_id) if moment.table_id else None
    viewer = await viewer_of(update, context, ties=True)
    if await repo.get_rsvp(moment.id, viewer.user_id):
        viewer = replace(viewer, coming=frozenset({moment.id}))
    if not may_see_moment(moment, theme, table, viewer):
        await refuse(update, context, "visible.moment")
        return None
    return moment


async def own_note(update: Update, context: BuurtContext, note_id: int | None) -> Note | None:
    """The note when it is this person's own; otherwise answered and None."""
    note = await context.services.repo.get_note(note_id) if note_id is not None else None
    if note is None:
        await refuse(update, context, "talk.note_gone", alert=False)
        return None
    if not may_change_note(note, await viewer_of(update, context)):
        await refuse(update, context, "common.not_yours")
        return None
    return note


def notes_today(context: BuurtContext, theme: Theme) -> NoteWindow:
    """Whether the theme takes notes today, on the municipality's calendar."""
    services = context.services
    return note_window(theme, local_today(services.clock, services.config.municipality.tz))
