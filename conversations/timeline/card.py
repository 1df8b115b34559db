"""The moment card: what everyone sees of a moment, their answer, and its calendar file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import ButtonHandler, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, edit_or_send, say
from bot.chat.updates import chat_id, user_id
from bot.chat.visible import visible_moment
from bot.core.i18n import Html, plain, t
from bot.render.calendar_file import CalendarEntry, calendar_file, moment_uid
from bot.village.local_time import format_span
from conversations.timeline.actions import Action, button
from conversations.timeline.moments import audience_name, is_open, manages, moment_lines, scope_name
from storage.models import Moment, MomentStatus

MomentHandler = Callable[[Update, BuurtContext, Moment, list[str]], Awaitable[None]]
"""Handles a button about one moment; gets the moment and the callback parts after its id."""

_ANSWER_LINE = {True: "timeline.you_come", False: "timeline.you_dont", None: "timeline.will_you"}


def about_moment(handler: MomentHandler) -> ButtonHandler:
    """Look up the moment a button names; a gone, forged or hidden one is answered so."""

    async def press(update: Update, context: BuurtContext, args: list[str]) -> None:
        moment_id = unpack_int(args[0]) if args else None
        if (moment := await visible_moment(update, context, moment_id)) is None:
            return
        await handler(update, context, moment, args[1:])

    press.__doc__ = handler.__doc__
    press.__name__ = handler.__name__
    return press


async def show(update: Update, context: BuurtContext, moment: Moment, *, edit: bool) -> None:
    """Show a moment with what this person can do: answer, take it into their calendar,
    and for its ambassador: move, cancel, widen the reminders, tell people."""
    lang = context.lang
    services = context.services
    repo = services.repo
    theme = await repo.get_theme(moment.theme_id)
    if theme is None:
        await say(update, context, t(lang, "timeline.gone"))
        return
    text = t(
        lang,
        "timeline.card",
        kind=plain(lang, f"timeline.kind_{moment.kind.value}"),
        scope=await scope_name(context, lang, moment.theme_id, moment.table_id or 0),
        **dict(
            moment_lines(services, lang, moment),
            when=format_span(
                moment.starts_at, moment.length_minutes, lang, services.config.municipality.tz
            ),
        ),
    )
    rows: list[list[InlineKeyboardButton]] = []
    open_ = is_open(context, moment)
    if moment.status == MomentStatus.CANCELLED:
        text = Html(text + "\n" + t(lang, "timeline.is_cancelled"))
    elif not open_:
        text = Html(text + "\n" + t(lang, "timeline.is_past"))
    else:
        said = await repo.get_rsvp(moment.id, user_id(update))
        text = Html(text + "\n" + t(lang, _ANSWER_LINE[said]))
        rows.append(
            [
                button(lang, "timeline.coming", Action.COMING, moment.id),
                button(lang, "timeline.not_coming", Action.NOT_COMING, moment.id),
            ]
        )
    if manages(update, context, theme):
        text = Html(text + "\n" + await _ambassador_lines(context, moment))
        if open_:
            rows += _ambassador_rows(lang, moment)
    rows.append([button(lang, "timeline.to_calendar", Action.CALENDAR, moment.id)])
    markup = InlineKeyboardMarkup(rows)
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


async def _ambassador_lines(context: BuurtContext, moment: Moment) -> str:
    """Tell the ambassador who answered and who gets the reminders."""
    lang = context.lang
    yes, no = await context.services.repo.rsvp_counts(moment.id)
    audience = audience_name(lang, moment.table_id is not None, moment.remind_theme)
    return (
        t(lang, "timeline.counts", yes=yes, no=no)
        + "\n"
        + t(lang, "timeline.reminders_to", audience=audience)
    )


def _ambassador_rows(lang: str, moment: Moment) -> list[list[InlineKeyboardButton]]:
    toggle = "timeline.widen_off" if moment.remind_theme else "timeline.widen_on"
    return [
        [
            button(lang, "timeline.move", Action.MOVE, moment.id),
            button(lang, "timeline.cancel", Action.CANCEL, moment.id),
        ],
        [button(lang, toggle, Action.WIDEN, moment.id, 0 if moment.remind_theme else 1)],
        [button(lang, "timeline.announce", Action.ANNOUNCE, moment.id)],
    ]


@about_moment
async def on_open(update: Update, context: BuurtContext, moment: Moment, _: list[str]) -> None:
    """Open a moment from the agenda or a reminder."""
    await answer(update)
    await show(update, context, moment, edit=False)


@about_moment
async def on_coming(update: Update, context: BuurtContext, moment: Moment, _: list[str]) -> None:
    """Note that this person comes."""
    await _rsvp(update, context, moment, coming=True)


@about_moment
async def on_not_coming(
    update: Update, context: BuurtContext, moment: Moment, _: list[str]
) -> None:
    """Note that this person does not come."""
    await _rsvp(update, context, moment, coming=False)


async def _rsvp(update: Update, context: BuurtContext, moment: Moment, *, coming: bool) -> None:
    if not is_open(context, moment):
        await answer_key(update, context, "timeline.closed_for_answers")
        return
    await context.services.repo.set_rsvp(moment.id, user_id(update), coming)
    await answer_key(update, context, "timeline.thanks_coming" if coming else "timeline.thanks_not")
    await show(update, context, moment, edit=True)


@about_moment
async def on_calendar(update: Update, context: BuurtContext, moment: Moment, _: list[str]) -> None:
    """Send the moment as a calendar file to take into one's own calendar."""
    await answer(update)
    await send_calendar(update, context, [moment], f"moment-{moment.id}.ics")


async def send_calendar(
    update: Update, context: BuurtContext, moments: list[Moment], filename: str
) -> None:
    """Send moments as one calendar file; a moved or cancelled one updates the earlier copy."""
    lang = context.lang
    services = context.services
    entries = []
    for moment in moments:
        scope = await scope_name(context, lang, moment.theme_id, moment.table_id or 0)
        entries.append(
            CalendarEntry(
                uid=moment_uid(moment.id, services.config.municipality.calendar_host),
                length_minutes=moment.length_minutes,
                title=moment.title,
                starts_at=moment.starts_at,
                place=moment.place,
                description=f"{plain(lang, f'timeline.kind_{moment.kind.value}')} · {scope}",
                sequence=moment.sequence,
                cancelled=moment.status == MomentStatus.CANCELLED,
                stamp=moment.updated_at,
            )
        )
    name = plain(lang, "timeline.calendar_name", municipality=services.config.municipality.name)
    data = calendar_file(entries, services.config.municipality.tz, name)
    await context.bot.send_document(
        chat_id(update), data, filename=filename, caption=plain(lang, "timeline.calendar_caption")
    )
