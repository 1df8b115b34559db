"""The shared timeline (tijdlijn): ambassadors plan meeting and action moments, everyone sees
their agenda, says "ik kom" or "ik kom niet", and takes a moment into their own calendar.

/moment walks the ambassador through a moment (theme or table, kind, title, a typed Dutch
date and time in the municipality's time zone, place); /agenda shows upcoming moments.
Moving or cancelling a moment replaces its reminders and tells who said they come.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat.callbacks import pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only
from bot.chat.replies import answer, answer_key, drop_buttons, edit_or_send, say
from bot.chat.steps import StepHandler
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import chat_id, user_id
from bot.core.clock import local_today
from bot.core.i18n import Html, plain, t
from bot.render.calendar_file import CalendarEntry, calendar_file
from bot.services.scheduler import planning_changed
from bot.village.access import Role, may_manage
from bot.village.dates import format_date, parse_date, parse_time
from bot.village.local_time import format_short, format_when, local_moment
from conversations.reminders import moment_button, moment_lines, reminders_for
from conversations.theme_list import active_themes, managed_themes, offer_themes
from storage.models import (
    MemberStatus,
    Moment,
    MomentKind,
    MomentStatus,
    NewMessage,
    Recipient,
    Theme,
    ThemeStatus,
)

FLOW = "moment"
KIND, TITLE, DATE, TIME, PLACE, PREVIEW = "kind", "title", "date", "time", "place", "preview"
MOVE_DATE, MOVE_TIME, MOVE_CONFIRM = "move_date", "move_time", "move_confirm"
MAX_TITLE, MAX_PLACE = 80, 120
AGENDA_SIZE = 20

_KIND_LETTER = {MomentKind.MEETING: "m", MomentKind.ACTION: "a", MomentKind.CLOSING: "c"}
_LETTER_KIND = {letter: kind for kind, letter in _KIND_LETTER.items()}


def _button(lang: str, key: str, *data: str | int, **values: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        shorten(plain(lang, key, **values), BUTTON_LABEL_LIMIT), callback_data=pack(*data)
    )


def _today(context: BuurtContext) -> date:
    return local_today(context.services.clock, context.services.config.municipality.tz)


def _is_ambassador(context: BuurtContext) -> bool:
    return bool(context.roles & {Role.AMBASSADOR, Role.ADMIN})


def _manages(update: Update, context: BuurtContext, theme: Theme) -> bool:
    return _is_ambassador(context) and may_manage(
        user_id(update), context.services.config, theme.place
    )


# -- /moment: the ambassador plans a moment ----------------------------------------------------


@ambassadors_only
async def moment_command(update: Update, context: BuurtContext) -> None:
    """Ask which theme the moment belongs to."""
    themes = await managed_themes(update, context, (ThemeStatus.ACTIVE, ThemeStatus.CLOSED))
    await offer_themes(update, context, themes, "timeline.ask_theme", "tl", "th")


async def _go(update: Update, context: BuurtContext, step: str, data: dict[str, Any]) -> None:
    """Store the step and ask its question."""
    await context.services.repo.set_state(chat_id(update), FLOW, step, data)
    lang = context.lang
    markup: InlineKeyboardMarkup | None = None
    if step == KIND:
        markup = InlineKeyboardMarkup(
            [
                [
                    _button(lang, f"timeline.kind_{kind.value}", "tl", "k", letter)
                    for kind, letter in _KIND_LETTER.items()
                ]
            ]
        )
        text = t(lang, "timeline.ask_kind")
    elif step == TITLE:
        text = t(lang, "timeline.ask_title")
    elif step in (DATE, MOVE_DATE):
        text = t(lang, "timeline.ask_date" if step == DATE else "timeline.ask_new_date")
    elif step in (TIME, MOVE_TIME):
        text = t(lang, "timeline.ask_time")
    elif step == PLACE:
        text = t(lang, "timeline.ask_place")
        markup = InlineKeyboardMarkup([[_button(lang, "common.skip", "tl", "ps")]])
    elif step == PREVIEW:
        await _preview(update, context, data)
        return
    else:
        await _confirm_move(update, context, data)
        return
    await say(update, context, text, markup)


async def _scope_or_kind(update: Update, context: BuurtContext, theme: Theme) -> None:
    """A theme with tables asks whether the moment is for the whole theme or one table."""
    lang = context.lang
    tables = await context.services.repo.list_tables([theme.id])
    if not tables:
        await _go(update, context, KIND, {"theme": theme.id, "table": 0})
        return
    rows = [[_button(lang, "timeline.whole_theme", "tl", "sc", theme.id, 0)]]
    rows += [
        [
            InlineKeyboardButton(
                shorten(table.title, BUTTON_LABEL_LIMIT),
                callback_data=pack("tl", "sc", theme.id, table.id),
            )
        ]
        for table in tables[:30]
    ]
    await context.services.repo.set_state(chat_id(update), FLOW, KIND, {"theme": theme.id})
    await say(update, context, t(lang, "timeline.ask_scope"), InlineKeyboardMarkup(rows))


async def _scope_name(context: BuurtContext, lang: str, theme_id: int, table_id: int) -> str:
    repo = context.services.repo
    theme = await repo.get_theme(theme_id)
    theme_title = theme.title if theme else "?"
    table = await repo.get_table(table_id) if table_id else None
    if table is None:
        return plain(lang, "timeline.scope_theme", theme=theme_title)
    return plain(lang, "timeline.scope_table", table=table.title, theme=theme_title)


def _audience_name(lang: str, table: bool, widen: bool) -> str:
    key = "timeline.audience_table" if table else "timeline.audience_theme"
    text = plain(lang, key)
    return text + plain(lang, "timeline.audience_widened") if widen else text


def _starts(data: dict[str, Any], context: BuurtContext) -> datetime:
    tz = context.services.config.municipality.tz
    day = date.fromisoformat(str(data["date"]))
    clock = parse_time(str(data["time"]))
    assert clock is not None
    starts = local_moment(day, clock, tz)
    assert starts is not None
    return starts


async def _preview(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    lang = context.lang
    tz = context.services.config.municipality.tz
    table_id = int(data.get("table") or 0)
    widen = bool(data.get("widen"))
    text = t(
        lang,
        "timeline.summary",
        title=data["title"],
        kind=plain(lang, f"timeline.kind_{data['kind']}"),
        scope=await _scope_name(context, lang, int(data["theme"]), table_id),
        when=format_when(_starts(data, context), lang, tz),
        place=data.get("place") or plain(lang, "timeline.no_place"),
        audience=_audience_name(lang, bool(table_id), widen),
    )
    toggle = "timeline.widen_off" if widen else "timeline.widen_on"
    keyboard = InlineKeyboardMarkup(
        [
            [_button(lang, "timeline.save", "tl", "save")],
            [_button(lang, toggle, "tl", "w")],
            [_button(lang, "newtheme.stop", "tl", "stop")],
        ]
    )
    await say(update, context, text, keyboard)


@ambassadors_only
async def on_title(update: Update, context: BuurtContext) -> None:
    """Take the moment's title."""
    message = update.message
    assert message is not None
    value = (message.text or "").strip()
    data = dict(context.state.data)
    if not value or len(value) > MAX_TITLE:
        await say(update, context, t(context.lang, "tables.too_long", max=MAX_TITLE))
        await _go(update, context, TITLE, data)
        return
    await _go(update, context, DATE, dict(data, title=value))


@ambassadors_only
async def on_date(update: Update, context: BuurtContext) -> None:
    """Take a typed date (Dutch or English, with or without a year), or ask again kindly."""
    message = update.message
    assert message is not None
    lang = context.lang
    step = context.state.step or DATE
    data = dict(context.state.data)
    today = _today(context)
    day = parse_date(message.text or "", today)
    if day is None:
        await say(update, context, t(lang, "timeline.bad_date"))
    elif day < today:
        await say(update, context, t(lang, "timeline.past_date"))
    else:
        data["date"] = day.isoformat()
        await _go(update, context, TIME if step == DATE else MOVE_TIME, data)
        return
    await _go(update, context, step, data)


@ambassadors_only
async def on_time(update: Update, context: BuurtContext) -> None:
    """Take the time of day; a time the clocks skip that night is asked again."""
    message = update.message
    assert message is not None
    lang = context.lang
    step = context.state.step or TIME
    data = dict(context.state.data)
    clock = parse_time(message.text or "")
    tz = context.services.config.municipality.tz
    day = date.fromisoformat(str(data["date"]))
    starts = local_moment(day, clock, tz) if clock is not None else None
    if clock is None:
        await say(update, context, t(lang, "timeline.bad_time"))
    elif starts is None:
        await say(
            update,
            context,
            t(lang, "timeline.no_such_time", time=f"{clock:%H:%M}", day=format_date(day, lang)),
        )
    elif starts <= context.services.clock.now():
        await say(update, context, t(lang, "timeline.past_time"))
    else:
        data["time"] = f"{clock:%H:%M}"
        await _go(update, context, PLACE if step == TIME else MOVE_CONFIRM, data)
        return
    await _go(update, context, step, data)


@ambassadors_only
async def on_place(update: Update, context: BuurtContext) -> None:
    """Take where the moment is."""
    message = update.message
    assert message is not None
    value = (message.text or "").strip()
    data = dict(context.state.data)
    if not value or len(value) > MAX_PLACE:
        await say(update, context, t(context.lang, "tables.too_long", max=MAX_PLACE))
        await _go(update, context, PLACE, data)
        return
    await _go(update, context, PREVIEW, dict(data, place=value))


async def _in_step(context: BuurtContext, *steps: str) -> bool:
    state = context.state
    return state.flow == FLOW and state.step in steps


async def _on_flow_button(
    update: Update, context: BuurtContext, action: str, args: list[str]
) -> None:
    repo = context.services.repo
    lang = context.lang
    data = dict(context.state.data)
    if action in ("th", "sc"):
        theme_id = unpack_int(args[0]) if args else None
        theme = await repo.get_theme(theme_id) if theme_id is not None else None
        if theme is None or not _manages(update, context, theme):
            await answer_key(update, context, "access.other_area", alert=True)
            return
        await answer(update)
        await drop_buttons(update)
        if action == "th":
            await _scope_or_kind(update, context, theme)
            return
        table_id = unpack_int(args[1]) if len(args) > 1 else None
        table = await repo.get_table(table_id) if table_id else None
        if table_id and (table is None or table.theme_id != theme.id):
            await say(update, context, t(lang, "tables.gone"))
            return
        await _go(update, context, KIND, {"theme": theme.id, "table": table.id if table else 0})
        return
    if action == "k" and args and args[0] in _LETTER_KIND and await _in_step(context, KIND):
        kind = _LETTER_KIND[args[0]]
        if "table" not in data:
            await answer_key(update, context, "common.stale_button")
            return
        await answer(update)
        if kind == MomentKind.CLOSING:
            closing = await repo.closing_moment(int(data["theme"]))
            if closing is not None:
                tz = context.services.config.municipality.tz
                when = format_when(closing.starts_at, lang, tz)
                await say(
                    update,
                    context,
                    t(lang, "timeline.closing_exists", title=closing.title, when=when),
                )
                return
        await drop_buttons(update)
        await _go(update, context, TITLE, dict(data, kind=kind.value))
    elif action == "ps" and await _in_step(context, PLACE):
        await answer(update)
        await drop_buttons(update)
        await _go(update, context, PREVIEW, dict(data, place=""))
    elif action == "w" and await _in_step(context, PREVIEW):
        await answer(update)
        await drop_buttons(update)
        await _go(update, context, PREVIEW, dict(data, widen=not data.get("widen")))
    elif action in ("save", "stop") and await _in_step(context, PREVIEW):
        await answer(update)
        await drop_buttons(update)
        await repo.set_state(chat_id(update), None, None, {})
        if action == "stop":
            await say(update, context, t(lang, "timeline.stopped"))
            return
        await _save(update, context, data)
    else:
        await answer_key(update, context, "common.stale_button")


async def _save(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    services = context.services
    repo = services.repo
    theme = await repo.get_theme(int(data["theme"]))
    if theme is None or not _manages(update, context, theme):
        await say(update, context, t(context.lang, "access.other_area"))
        return
    kind = MomentKind(str(data["kind"]))
    if kind == MomentKind.CLOSING and await repo.closing_moment(theme.id) is not None:
        kind = MomentKind.MEETING
    starts = _starts(data, context)
    moment = await repo.create_moment(
        theme_id=theme.id,
        table_id=int(data.get("table") or 0) or None,
        kind=kind,
        title=str(data["title"]),
        starts_at=starts,
        place=str(data.get("place") or ""),
        remind_theme=bool(data.get("widen")),
        created_by=user_id(update),
        reminders=reminders_for(services, starts),
    )
    planning_changed(context.application)
    await say(update, context, t(context.lang, "timeline.saved"))
    await _show(update, context, moment, edit=False)


# -- the moment card ---------------------------------------------------------------------------


async def _show(update: Update, context: BuurtContext, moment: Moment, *, edit: bool) -> None:
    """Show a moment with what this person can do: answer, take it into their calendar,
    and for its ambassador: move, cancel, widen the reminders, tell people."""
    lang = context.lang
    services = context.services
    repo = services.repo
    theme = await repo.get_theme(moment.theme_id)
    if theme is None:
        await say(update, context, t(lang, "timeline.gone"))
        return
    manages = _manages(update, context, theme)
    text = t(
        lang,
        "timeline.card",
        kind=plain(lang, f"timeline.kind_{moment.kind.value}"),
        scope=await _scope_name(context, lang, moment.theme_id, moment.table_id or 0),
        **moment_lines(services, lang, moment),
    )
    rows: list[list[InlineKeyboardButton]] = []
    open_ = moment.status == MomentStatus.PLANNED and moment.starts_at > services.clock.now()
    if moment.status == MomentStatus.CANCELLED:
        text = Html(text + "\n" + t(lang, "timeline.is_cancelled"))
    elif not open_:
        text = Html(text + "\n" + t(lang, "timeline.is_past"))
    else:
        answer_ = await repo.get_rsvp(moment.id, user_id(update))
        key = {True: "timeline.you_come", False: "timeline.you_dont", None: "timeline.will_you"}
        text = Html(text + "\n" + t(lang, key[answer_]))
        rows.append(
            [
                _button(lang, "timeline.coming", "tl", "y", moment.id),
                _button(lang, "timeline.not_coming", "tl", "n", moment.id),
            ]
        )
    if manages:
        yes, no = await repo.rsvp_counts(moment.id)
        text = Html(text + "\n" + t(lang, "timeline.counts", yes=yes, no=no))
        audience = _audience_name(lang, moment.table_id is not None, moment.remind_theme)
        text = Html(text + "\n" + t(lang, "timeline.reminders_to", audience=audience))
        if open_:
            toggle = "timeline.widen_off" if moment.remind_theme else "timeline.widen_on"
            rows.append(
                [
                    _button(lang, "timeline.move", "tl", "mv", moment.id),
                    _button(lang, "timeline.cancel", "tl", "cx", moment.id),
                ]
            )
            rows.append(
                [_button(lang, toggle, "tl", "wd", moment.id, 0 if moment.remind_theme else 1)]
            )
            rows.append([_button(lang, "timeline.announce", "tl", "ann", moment.id)])
    rows.append([_button(lang, "timeline.to_calendar", "tl", "ics", moment.id)])
    markup = InlineKeyboardMarkup(rows)
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        await say(update, context, text, markup)


def _rsvp_rows(lang: str, moment: Moment) -> tuple[tuple[tuple[str, str], ...], ...]:
    return (
        (
            (plain(lang, "timeline.coming"), pack("tl", "y", moment.id)),
            (plain(lang, "timeline.not_coming"), pack("tl", "n", moment.id)),
        ),
    )


async def _rsvp(update: Update, context: BuurtContext, moment: Moment, coming: bool) -> None:
    services = context.services
    if moment.status != MomentStatus.PLANNED or moment.starts_at <= services.clock.now():
        await answer_key(update, context, "timeline.closed_for_answers")
        return
    await services.repo.set_rsvp(moment.id, user_id(update), coming)
    await answer_key(update, context, "timeline.thanks_coming" if coming else "timeline.thanks_not")
    await _show(update, context, moment, edit=True)


async def _send_calendar(
    update: Update, context: BuurtContext, moments: list[Moment], filename: str
) -> None:
    lang = context.lang
    services = context.services
    entries = []
    for moment in moments:
        scope = await _scope_name(context, lang, moment.theme_id, moment.table_id or 0)
        entries.append(
            CalendarEntry(
                uid=f"moment-{moment.id}@buurtbot",
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


# -- /agenda ---------------------------------------------------------------------------------


async def _agenda(update: Update, context: BuurtContext) -> list[Moment]:
    repo = context.services.repo
    now = context.services.clock.now()
    uid = user_id(update)
    memberships = await repo.memberships_of(uid)
    tables = [m.table_id for m in memberships if m.status == MemberStatus.MEMBER]
    theme_ids = {theme.id for theme in await active_themes(context)}
    moments = await repo.upcoming_moments(
        now, theme_ids=theme_ids, table_ids=tables, user_id=uid, limit=AGENDA_SIZE
    )
    if _is_ambassador(context):
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
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(f"{short} · {moment.title}", BUTTON_LABEL_LIMIT),
                    callback_data=pack("tl", "m", moment.id),
                )
            ]
        )
    rows.append([_button(lang, "timeline.agenda_file", "tl", "all")])
    await say(update, context, Html("\n".join(lines)), InlineKeyboardMarkup(rows))


# -- moving, cancelling, telling ------------------------------------------------------------


async def _confirm_move(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    lang = context.lang
    repo = context.services.repo
    moment_id = int(data["move"])
    coming = await repo.rsvp_recipients(moment_id)
    when = format_when(_starts(data, context), lang, context.services.config.municipality.tz)
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(lang, "timeline.move_yes", "tl", "mvy", moment_id),
                _button(lang, "timeline.move_no", "tl", "mvn", moment_id),
            ]
        ]
    )
    await say(
        update, context, t(lang, "timeline.move_confirm", when=when, count=len(coming)), keyboard
    )


async def _tell(
    context: BuurtContext,
    recipients: list[Recipient],
    moment: Moment,
    key: str,
    dedupe: str,
    buttons: bool = True,
) -> int:
    """Queue one message about the moment to each recipient, in their language."""
    services = context.services
    messages = [
        NewMessage(
            r.user_id,
            t(r.language, key, **moment_lines(services, r.language, moment)),
            moment_button(r.language, moment) if buttons else (),
            due_at=services.clock.now(),
            dedupe_key=f"{dedupe}:{r.user_id}",
        )
        for r in recipients
    ]
    queued = await services.repo.enqueue(messages)
    services.outbox_changed()
    return queued


async def _move(update: Update, context: BuurtContext, moment: Moment) -> None:
    services = context.services
    repo = services.repo
    data = dict(context.state.data)
    await repo.set_state(chat_id(update), None, None, {})
    if data.get("move") != moment.id or "time" not in data:
        await say(update, context, t(context.lang, "common.stale_button"))
        return
    starts = _starts(data, context)
    moved = await repo.move_moment(moment.id, starts, reminders_for(services, starts))
    if moved is None:
        await say(update, context, t(context.lang, "timeline.gone"))
        return
    await repo.cancel_pending(f"reminder:{moment.id}:")
    count = await _tell(
        context,
        await repo.rsvp_recipients(moment.id),
        moved,
        "timeline.moved_notice",
        f"moment-moved:{moment.id}:{starts:%Y%m%dT%H%MZ}",
    )
    planning_changed(context.application)
    await say(update, context, t(context.lang, "timeline.moved", count=count))
    await _show(update, context, moved, edit=False)


async def _cancel(update: Update, context: BuurtContext, moment: Moment) -> None:
    repo = context.services.repo
    cancelled = await repo.cancel_moment(moment.id)
    if cancelled is None:
        await say(update, context, t(context.lang, "timeline.gone"))
        return
    await repo.cancel_pending(f"reminder:{moment.id}:")
    count = await _tell(
        context,
        await repo.rsvp_recipients(moment.id),
        moment,
        "timeline.cancelled_notice",
        f"moment-cancelled:{moment.id}",
        buttons=False,
    )
    planning_changed(context.application)
    await say(update, context, t(context.lang, "timeline.cancelled", count=count))


async def _announce(update: Update, context: BuurtContext, moment: Moment, theme: Theme) -> None:
    services = context.services
    recipients = await services.repo.moment_invitees(moment)
    messages = []
    for r in recipients:
        values = moment_lines(services, r.language, moment)
        messages.append(
            NewMessage(
                r.user_id,
                t(r.language, "timeline.new_moment", theme=theme.title, **values),
                _rsvp_rows(r.language, moment),
                due_at=services.clock.now(),
                dedupe_key=f"moment-new:{moment.id}:{r.user_id}",
            )
        )
    queued = await services.repo.enqueue(messages)
    services.outbox_changed()
    await say(update, context, t(context.lang, "timeline.announced", count=queued))


async def _manage_button(
    update: Update, context: BuurtContext, action: str, args: list[str], moment: Moment
) -> None:
    repo = context.services.repo
    lang = context.lang
    theme = await repo.get_theme(moment.theme_id)
    if theme is None or not _manages(update, context, theme):
        key = "access.other_area" if _is_ambassador(context) else "access.denied"
        await answer_key(update, context, key, alert=True)
        return
    open_ = (
        moment.status == MomentStatus.PLANNED and moment.starts_at > context.services.clock.now()
    )
    if not open_:
        await answer_key(update, context, "timeline.closed_for_changes")
        return
    await answer(update)
    if action == "mv":
        await _go(update, context, MOVE_DATE, {"move": moment.id})
    elif action == "mvy" and await _in_step(context, MOVE_CONFIRM):
        await drop_buttons(update)
        await _move(update, context, moment)
    elif action == "mvn":
        await drop_buttons(update)
        await repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(lang, "timeline.not_moved"))
    elif action == "cx":
        keyboard = InlineKeyboardMarkup(
            [
                [
                    _button(lang, "timeline.cancel_yes", "tl", "cxy", moment.id),
                    _button(lang, "timeline.cancel_no", "tl", "cxn", moment.id),
                ]
            ]
        )
        await say(update, context, t(lang, "timeline.cancel_confirm", title=moment.title), keyboard)
    elif action == "cxy":
        await drop_buttons(update)
        await _cancel(update, context, moment)
    elif action == "cxn":
        await drop_buttons(update)
        await say(update, context, t(lang, "timeline.not_cancelled"))
    elif action == "wd" and args and args[-1] in ("0", "1"):
        updated = await repo.set_remind_theme(moment.id, args[-1] == "1")
        await _show(update, context, updated or moment, edit=True)
    elif action == "ann":
        count = len(await repo.moment_invitees(moment))
        if not count:
            await say(update, context, t(lang, "timeline.announce_nobody"))
            return
        keyboard = InlineKeyboardMarkup(
            [
                [
                    _button(lang, "broadcast.send", "tl", "anny", moment.id),
                    _button(lang, "broadcast.cancel", "tl", "annn", moment.id),
                ]
            ]
        )
        await say(update, context, t(lang, "timeline.announce_confirm", count=count), keyboard)
    elif action == "anny":
        await drop_buttons(update)
        await _announce(update, context, moment, theme)
    elif action == "annn":
        await drop_buttons(update)
        await say(update, context, t(lang, "broadcast.cancelled"))


async def on_button(update: Update, context: BuurtContext) -> None:
    """Handle every button of the timeline."""
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    action, args = (parts[1], parts[2:]) if len(parts) > 1 else ("", [])
    if action in ("th", "sc", "k", "ps", "w", "save", "stop"):
        await _ambassador_flow_button(update, context, action, args)
        return
    if action == "all":
        await answer(update)
        moments = await _agenda(update, context)
        if not moments:
            await say(update, context, t(context.lang, "timeline.agenda_empty"))
            return
        await _send_calendar(update, context, moments, "buurtbot-agenda.ics")
        return
    moment_id = unpack_int(args[0]) if args else None
    repo = context.services.repo
    moment = await repo.get_moment(moment_id) if moment_id is not None else None
    if moment is None:
        await answer_key(update, context, "timeline.gone")
        return
    if action == "m":
        await answer(update)
        await _show(update, context, moment, edit=False)
    elif action in ("y", "n"):
        await _rsvp(update, context, moment, action == "y")
    elif action == "ics":
        await answer(update)
        await _send_calendar(update, context, [moment], f"moment-{moment.id}.ics")
    elif action in ("mv", "mvy", "mvn", "cx", "cxy", "cxn", "wd", "ann", "anny", "annn"):
        await _manage_button(update, context, action, args, moment)
    else:
        await answer_key(update, context, "common.stale_button")


async def _ambassador_flow_button(
    update: Update, context: BuurtContext, action: str, args: list[str]
) -> None:
    if not _is_ambassador(context):
        await answer_key(update, context, "access.denied", alert=True)
        return
    await _on_flow_button(update, context, action, args)


@ambassadors_only
async def _use_buttons(update: Update, context: BuurtContext) -> None:
    await say(update, context, t(context.lang, "tables.use_buttons"))


STEPS: dict[str, StepHandler] = {
    KIND: _use_buttons,
    TITLE: on_title,
    DATE: on_date,
    MOVE_DATE: on_date,
    TIME: on_time,
    MOVE_TIME: on_time,
    PLACE: on_place,
    PREVIEW: _use_buttons,
    MOVE_CONFIRM: _use_buttons,
}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the timeline."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("moment", moment_command, filters=private),
        CommandHandler("agenda", agenda_command, filters=private),
        CallbackQueryHandler(on_button, pattern=r"^tl:"),
    ]
