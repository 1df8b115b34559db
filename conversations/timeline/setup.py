"""/moment: an ambassador plans a moment on a theme's timeline.

First the theme, then (when it has tables) the whole theme or one table, then the kind:
buttons that name what they choose, checked against the places the ambassador manages and
the theme's one closing meeting. Then the wizard asks title, date, time and place, and
shows a preview to save, stop, or widen who gets the reminders.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Update

from bot.chat.callbacks import ButtonHandler, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.date_answers import date_answer, date_examples
from bot.chat.guards import ambassadors_only, still_manages
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.updates import chat_id, user_id
from bot.chat.wizard import ConfirmStep, Data, Doubt, Refusal, Shortcut, TextStep, Wizard
from bot.core.i18n import plain, t
from bot.services.scheduler import planning_changed
from bot.village.dates import format_date, parse_time
from bot.village.local_time import format_span, format_when, local_moment
from conversations.theme_list import managed_themes, offer_themes
from conversations.timeline.actions import (
    FLOW,
    KIND_CODES,
    PREFIX,
    Action,
    button,
    labelled,
)
from conversations.timeline.card import show
from conversations.timeline.moments import (
    audience_name,
    manages,
    reminders_for,
    scope_name,
    starts,
)
from storage.models import MomentKind, Theme, ThemeStatus

KIND, PREVIEW = "kind", "preview"
MAX_TITLE, MAX_PLACE = 80, 120
MAX_TABLES = 30
ABOUT_TWO_HOURS = timedelta(hours=2)


@ambassadors_only
async def moment_command(update: Update, context: BuurtContext) -> None:
    """Ask which theme the moment belongs to."""
    themes = await managed_themes(update, context, (ThemeStatus.ACTIVE, ThemeStatus.CLOSED))
    await offer_themes(update, context, themes, "timeline.ask_theme", PREFIX, Action.THEME)


async def _managed_theme(update: Update, context: BuurtContext, args: list[str]) -> Theme | None:
    """The theme a button names, if this ambassador manages it; otherwise say so."""
    theme_id = unpack_int(args[0]) if args else None
    theme = await context.services.repo.get_theme(theme_id) if theme_id is not None else None
    if theme is None or not manages(update, context, theme):
        await answer_key(update, context, "access.other_area", alert=True)
        return None
    await answer(update)
    await drop_buttons(update)
    return theme


@ambassadors_only
async def on_theme(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Take the theme; one with tables asks next whether the moment is for one of them."""
    theme = await _managed_theme(update, context, args)
    if theme is None:
        return
    lang = context.lang
    tables = await context.services.repo.list_tables([theme.id])
    if not tables:
        await _ask_kind(update, context, {"theme": theme.id, "table": 0})
        return
    rows = [[button(lang, "timeline.whole_theme", Action.SCOPE, theme.id, 0)]]
    rows += [
        [labelled(table.title, Action.SCOPE, theme.id, table.id)] for table in tables[:MAX_TABLES]
    ]
    # Stored as the kind step without a table: typed text hears "use the buttons".
    await context.services.repo.set_state(chat_id(update), FLOW, KIND, {"theme": theme.id})
    await say(update, context, t(lang, "timeline.ask_scope"), InlineKeyboardMarkup(rows))


@ambassadors_only
async def on_scope(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Take the whole theme (table 0) or one of its tables."""
    theme = await _managed_theme(update, context, args)
    if theme is None:
        return
    table_id = unpack_int(args[1]) if len(args) > 1 else None
    table = await context.services.repo.get_table(table_id) if table_id else None
    if table_id and (table is None or table.theme_id != theme.id):
        await say(update, context, t(context.lang, "tables.gone"))
        return
    await _ask_kind(update, context, {"theme": theme.id, "table": table.id if table else 0})


async def _ask_kind(update: Update, context: BuurtContext, answers: Data) -> None:
    lang = context.lang
    await context.services.repo.set_state(chat_id(update), FLOW, KIND, answers)
    row = [
        button(lang, f"timeline.kind_{kind.value}", Action.KIND, code)
        for kind, code in KIND_CODES.items()
    ]
    await say(update, context, t(lang, "timeline.ask_kind"), InlineKeyboardMarkup([row]))


@ambassadors_only
async def on_kind(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Take the kind; a theme has one closing meeting at most."""
    state = context.state
    kind = KIND_CODES.value(args[0]) if args else None
    answers = dict(state.data)
    if kind is None or state.flow != FLOW or state.step != KIND or "table" not in answers:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    if kind == MomentKind.CLOSING:
        closing = await context.services.repo.closing_moment(int(answers["theme"]))
        if closing is not None:
            lang = context.lang
            when = format_when(closing.starts_at, lang, context.services.config.municipality.tz)
            text = t(lang, "timeline.closing_exists", title=closing.title, when=when)
            await say(update, context, text)
            return
    await drop_buttons(update)
    await SETUP.start(update, context, dict(answers, kind=kind.value))


def read_date(text: str, context: BuurtContext, _: Data) -> str | Refusal | Doubt:
    """Read a typed date (Dutch or English, with or without a year), from today on."""
    return date_answer(text, context, bad="timeline.bad_date", past=Refusal("timeline.past_date"))


def read_time(text: str, context: BuurtContext, answers: Data) -> str | Refusal:
    """Read the time of day; a time the clocks skip that night, or one gone by, is refused."""
    clock = parse_time(text)
    if clock is None:
        return Refusal("timeline.bad_time")
    day = date.fromisoformat(str(answers["date"]))
    start = local_moment(day, clock, context.services.config.municipality.tz)
    if start is None:
        values = {"time": f"{clock:%H:%M}", "day": format_date(day, context.lang)}
        return Refusal("timeline.no_such_time", values)
    if start <= context.services.clock.now():
        return Refusal("timeline.past_time")
    return f"{clock:%H:%M}"


def read_end(text: str, context: BuurtContext, answers: Data) -> int | Refusal:
    """Read the time it ends, stored as its length in minutes; it ends after it starts."""
    clock = parse_time(text)
    if clock is None:
        return Refusal("planning.bad_end")
    start = starts(answers, context)
    day = date.fromisoformat(str(answers["date"]))
    end = local_moment(day, clock, context.services.config.municipality.tz)
    if end is None or end <= start:
        return Refusal("planning.end_before_start")
    return (end - start) // timedelta(minutes=1)


def end_values(context: BuurtContext, answers: Data) -> dict[str, object]:
    """The start, and an end two hours later as the example."""
    start = starts(answers, context).astimezone(context.services.config.municipality.tz)
    return {"start": f"{start:%H:%M}", "example": f"{start + ABOUT_TWO_HOURS:%H:%M}"}


async def show_preview(update: Update, context: BuurtContext, answers: Data) -> None:
    """Show the moment as it will be saved, with who gets its reminders."""
    lang = context.lang
    tz = context.services.config.municipality.tz
    table_id = int(answers.get("table") or 0)
    widen = bool(answers.get("widen"))
    text = t(
        lang,
        "timeline.summary",
        title=answers["title"],
        kind=plain(lang, f"timeline.kind_{answers['kind']}"),
        scope=await scope_name(context, lang, int(answers["theme"]), table_id),
        when=format_span(starts(answers, context), _length(answers), lang, tz),
        place=answers.get("place") or plain(lang, "timeline.no_place"),
        audience=audience_name(lang, bool(table_id), widen),
    )
    toggle = "timeline.widen_off" if widen else "timeline.widen_on"
    keyboard = InlineKeyboardMarkup(
        [
            [SETUP.button(lang, "timeline.save", PREVIEW, Action.SAVE)],
            *SETUP.edit_rows(lang, EDITABLE),
            [SETUP.button(lang, toggle, PREVIEW, Action.WIDEN_NEW)],
            [SETUP.button(lang, "newtheme.stop", PREVIEW, Action.STOP)],
        ]
    )
    await say(update, context, text, keyboard)


async def decide(update: Update, context: BuurtContext, answers: Data, code: str) -> None:
    """Save the moment, stop, or widen the reminders and show the preview again."""
    if code == Action.WIDEN_NEW:
        await SETUP.ask(update, context, PREVIEW, dict(answers, widen=not answers.get("widen")))
        return
    if code not in (Action.SAVE, Action.STOP):
        await SETUP.ask(update, context, PREVIEW, answers)
        return
    await context.services.repo.set_state(chat_id(update), None, None, {})
    if code == Action.STOP:
        await say(update, context, t(context.lang, "timeline.stopped"))
        return
    await _save(update, context, answers)


async def _save(update: Update, context: BuurtContext, answers: Data) -> None:
    """Put the moment on the timeline with its reminders; the rights are checked again."""
    services = context.services
    repo = services.repo
    theme = await repo.get_theme(int(answers["theme"]))
    if theme is None:
        await say(update, context, t(context.lang, "access.other_area"))
        return
    if not await still_manages(update, context, theme.place):
        return
    kind = MomentKind(str(answers["kind"]))
    # Another ambassador may have planned the closing meeting since the kind was chosen.
    if kind == MomentKind.CLOSING and await repo.closing_moment(theme.id) is not None:
        kind = MomentKind.MEETING
    start = starts(answers, context)
    moment = await repo.create_moment(
        theme_id=theme.id,
        table_id=int(answers.get("table") or 0) or None,
        kind=kind,
        title=str(answers["title"]),
        starts_at=start,
        place=str(answers.get("place") or ""),
        remind_theme=bool(answers.get("widen")),
        created_by=user_id(update),
        reminders=reminders_for(services, start),
        length_minutes=_length(answers),
    )
    planning_changed(context.application)
    await say(update, context, t(context.lang, "timeline.saved"))
    await show(update, context, moment, edit=False)


def _length(answers: Data) -> int | None:
    """The moment's length in minutes; None for a chat stored before the end was asked."""
    length = answers.get("length")
    return int(length) if length else None


EDITABLE = (
    ("moment_edit.title", "title"),
    ("moment_edit.date", "date"),
    ("moment_edit.time", "time"),
    ("moment_edit.end", "end"),
    ("moment_edit.place", "place"),
)
"""The preview's edit buttons: (label, step); a new date asks the time again."""

SETUP = Wizard(
    flow=FLOW,
    prefix=PREFIX,
    guard=ambassadors_only,
    steps=[
        TextStep("title", "timeline.ask_title", limit=MAX_TITLE, error="tables.too_long"),
        TextStep(
            "date",
            "timeline.ask_date",
            parse=read_date,
            error="timeline.bad_date",
            prompt_values=date_examples,
            edit_continues=True,
        ),
        TextStep("time", "timeline.ask_time", parse=read_time, error="timeline.bad_time"),
        TextStep(
            "end",
            "planning.ask_end",
            field="length",
            parse=read_end,
            error="planning.bad_end",
            prompt_values=end_values,
            shortcuts=[
                Shortcut(
                    "planning.about_two_hours",
                    "2h",
                    lambda c, d: ABOUT_TWO_HOURS // timedelta(minutes=1),
                )
            ],
        ),
        TextStep(
            "place",
            "timeline.ask_place",
            limit=MAX_PLACE,
            error="tables.too_long",
            skip="common.skip",
        ),
        ConfirmStep(PREVIEW, show=show_preview, decide=decide),
    ],
)


def _old_button(step: str, code: str) -> ButtonHandler:
    """Keep a set-up button drawn before the wizard (tl:ps, tl:save...) doing what it did."""

    @ambassadors_only
    async def press(update: Update, context: BuurtContext, _: list[str]) -> None:
        state = context.state
        if state.flow != FLOW or state.step != step:
            await answer_key(update, context, "common.stale_button")
            return
        await answer(update)
        await drop_buttons(update)
        answers = dict(state.data)
        if step == PREVIEW:
            await decide(update, context, answers, code)
        else:
            await SETUP.ask(update, context, PREVIEW, dict(answers, place=""))

    return press


OLD_BUTTONS: dict[str, ButtonHandler] = {
    Action.SKIP_PLACE: _old_button("place", ""),
    Action.WIDEN_NEW: _old_button(PREVIEW, Action.WIDEN_NEW),
    Action.SAVE: _old_button(PREVIEW, Action.SAVE),
    Action.STOP: _old_button(PREVIEW, Action.STOP),
}
"""Buttons of previews sent before the wizard drew them; their data cannot change."""
