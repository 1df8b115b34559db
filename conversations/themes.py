"""Ambassadors name a theme: title, invitation, question, place, period, a preview, publish.

/nieuwthema walks through the steps; /themas lists the themes of the ambassador's area with
what can be done to each. Editing walks through the same steps with the theme's own values.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat.broadcasts import queue_broadcast
from bot.chat.callbacks import pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.steps import StepHandler
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import chat_id, user_id
from bot.core.clock import local_today
from bot.core.i18n import plain, t
from bot.services.announcements import news_recipients, theme_news
from bot.village.access import manageable_places, may_manage
from bot.village.dates import format_date, format_period, parse_date
from conversations import village_talk
from storage.models import (
    BOARD_QUADRANTS,
    MUNICIPALITY,
    BroadcastKind,
    PlaceKind,
    PlaceRef,
    Theme,
    ThemeStatus,
)

FLOW = "theme"
TITLE, INVITATION, QUESTION, PLACE, START, END = (
    "title",
    "invitation",
    "question",
    "place",
    "start",
    "end",
)
QUADRANTS_ASK, QUADRANT, PREVIEW = "quadrants_ask", "quadrant", "preview"
MAX_TITLE, MAX_INVITATION, MAX_QUESTION = 80, 800, 300
ANNOUNCE_AT = time(9, 0)
_KIND_LETTER = {
    PlaceKind.MUNICIPALITY: "m",
    PlaceKind.AREA: "a",
    PlaceKind.VILLAGE: "v",
    PlaceKind.NEIGHBOURHOOD: "n",
}
_LETTER_KIND = {letter: kind for kind, letter in _KIND_LETTER.items()}


def _place_of(data: dict[str, Any]) -> PlaceRef:
    kind, _, key = str(data.get("place", "municipality:")).partition(":")
    return PlaceRef(PlaceKind(kind), key)


def _today(context: BuurtContext) -> date:
    return local_today(context.services.clock, context.services.config.municipality.tz)


async def _go(update: Update, context: BuurtContext, step: str, data: dict[str, Any]) -> None:
    """Store the step and ask its question."""
    await context.services.repo.set_state(chat_id(update), FLOW, step, data)
    lang = context.lang
    buttons: list[list[InlineKeyboardButton]] = []
    if step == TITLE:
        text = t(lang, "newtheme.ask_title")
    elif step == INVITATION:
        text = t(lang, "newtheme.ask_invitation")
    elif step == QUESTION:
        text = t(lang, "newtheme.ask_question")
        buttons = [[_button(lang, "newtheme.default_question", "th", "q", "default")]]
    elif step == PLACE:
        text = t(lang, "newtheme.ask_place")
        buttons = _place_buttons(update, context)
    elif step == START:
        text = t(lang, "newtheme.ask_start")
        buttons = [
            [
                _button(lang, "newtheme.today", "th", "st", "today"),
                _button(lang, "newtheme.tomorrow", "th", "st", "tomorrow"),
                _button(lang, "newtheme.next_monday", "th", "st", "monday"),
            ]
        ]
    elif step == END:
        text = t(lang, "newtheme.ask_end")
        buttons = [
            [
                _button(lang, "newtheme.weeks_4", "th", "en", "w4"),
                _button(lang, "newtheme.weeks_6", "th", "en", "w6"),
                _button(lang, "newtheme.months_3", "th", "en", "m3"),
            ]
        ]
    elif step == QUADRANTS_ASK:
        text = t(lang, "newtheme.ask_quadrant_questions")
        buttons = [
            [
                _button(lang, "newtheme.yes_questions", "th", "qq", 1),
                _button(lang, "newtheme.no_questions", "th", "qq", 0),
            ]
        ]
    elif step == QUADRANT:
        quadrant = BOARD_QUADRANTS[int(data.get("qi", 0))]
        text = t(lang, "newtheme.ask_quadrant", quadrant=plain(lang, f"quadrants.{quadrant.value}"))
        buttons = [[_button(lang, "common.skip", "th", "qs")]]
    else:
        await _preview(update, context, data)
        return
    await say(update, context, text, InlineKeyboardMarkup(buttons) if buttons else None)


def _button(lang: str, key: str, *data: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(plain(lang, key), callback_data=pack(*data))


def _place_buttons(update: Update, context: BuurtContext) -> list[list[InlineKeyboardButton]]:
    municipality = context.services.config.municipality
    allowed = manageable_places(user_id(update), context.services.config)
    places: list[tuple[PlaceRef, str]] = []
    if allowed is None:
        label = plain(context.lang, "newtheme.whole_municipality", municipality=municipality.name)
        places.append((MUNICIPALITY, label))
    for area in municipality.areas:
        places.append((PlaceRef(PlaceKind.AREA, area.key), area.name))
        for village in area.villages:
            places.append((PlaceRef(PlaceKind.VILLAGE, village.key), village.name))
            for hood in village.neighbourhoods:
                label = f"· {hood.name} ({village.name})"
                places.append((PlaceRef(PlaceKind.NEIGHBOURHOOD, hood.key), label))
    return [
        [
            InlineKeyboardButton(
                shorten(label, BUTTON_LABEL_LIMIT),
                callback_data=pack("th", "pl", _KIND_LETTER[place.kind], place.key or "-"),
            )
        ]
        for place, label in places
        if allowed is None or place in allowed
    ][:99]


def _next(step: str, data: dict[str, Any]) -> str:
    """The step after this one, or back to the preview when only one field was being changed."""
    if data.get("back") and step not in (START, QUADRANTS_ASK, QUADRANT):
        return PREVIEW
    order = [TITLE, INVITATION, QUESTION, PLACE, START, END, QUADRANTS_ASK, PREVIEW]
    return order[order.index(step) + 1]


@ambassadors_only
async def new_theme(update: Update, context: BuurtContext) -> None:
    """Start naming a new theme."""
    await _go(update, context, TITLE, {})


async def _text_step(
    update: Update, context: BuurtContext, key: str, limit: int, error: str
) -> None:
    message = update.message
    assert message is not None
    value = (message.text or "").strip()
    step = context.state.step or TITLE
    if not value or len(value) > limit:
        await say(update, context, t(context.lang, error, max=limit))
        await _go(update, context, step, dict(context.state.data))
        return
    data = dict(context.state.data, **{key: value})
    await _go(update, context, _next(step, data), data)


@ambassadors_only
async def on_title(update: Update, context: BuurtContext) -> None:
    """Take the theme's title."""
    await _text_step(update, context, "title", MAX_TITLE, "newtheme.bad_title")


@ambassadors_only
async def on_invitation(update: Update, context: BuurtContext) -> None:
    """Take the invitation text."""
    await _text_step(update, context, "invitation", MAX_INVITATION, "newtheme.bad_invitation")


@ambassadors_only
async def on_question(update: Update, context: BuurtContext) -> None:
    """Take the open question."""
    await _text_step(update, context, "question", MAX_QUESTION, "newtheme.bad_question")


@ambassadors_only
async def on_date(update: Update, context: BuurtContext) -> None:
    """Take a typed start or end date, or ask again kindly."""
    message = update.message
    assert message is not None
    step = context.state.step or START
    parsed = parse_date(message.text or "", _today(context))
    await _take_date(update, context, step, parsed)


async def _take_date(update: Update, context: BuurtContext, step: str, value: date | None) -> None:
    data = dict(context.state.data)
    lang = context.lang
    if value is None:
        await say(update, context, t(lang, "newtheme.bad_date"))
    elif step == START and value < _today(context) and not data.get("id"):
        await say(update, context, t(lang, "newtheme.past_date"))
    elif step == END and data.get("starts") and value < date.fromisoformat(data["starts"]):
        start = format_date(date.fromisoformat(data["starts"]), lang)
        await say(update, context, t(lang, "newtheme.end_before_start", start=start))
    else:
        data["starts" if step == START else "ends"] = value.isoformat()
        await _go(update, context, END if step == START else _next(END, data), data)
        return
    await _go(update, context, step, data)


@ambassadors_only
async def on_quadrant_question(update: Update, context: BuurtContext) -> None:
    """Take the question of one quadrant."""
    message = update.message
    assert message is not None
    value = (message.text or "").strip()
    data = dict(context.state.data)
    if not value or len(value) > MAX_QUESTION:
        await say(update, context, t(context.lang, "newtheme.bad_question", max=MAX_QUESTION))
        await _go(update, context, QUADRANT, data)
        return
    quadrant = BOARD_QUADRANTS[int(data.get("qi", 0))]
    data["questions"] = dict(data.get("questions", {}), **{quadrant.value: value})
    await _after_quadrant(update, context, data)


async def _after_quadrant(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    index = int(data.get("qi", 0)) + 1
    if index < len(BOARD_QUADRANTS):
        await _go(update, context, QUADRANT, dict(data, qi=index))
    else:
        await _go(update, context, PREVIEW, {k: v for k, v in data.items() if k != "qi"})


async def _preview(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    """Show the theme exactly as residents will see it, then what can be done with it."""
    lang = context.lang
    await context.services.repo.set_state(chat_id(update), FLOW, PREVIEW, dict(data, back=True))
    await say(update, context, t(lang, "newtheme.preview_intro"))
    opening = village_talk.opening_text(
        lang, data["title"], data["invitation"], data.get("question") or ""
    )
    rows = [
        [InlineKeyboardButton(b.text, callback_data=pack("th", "noop")) for b in row]
        for row in village_talk.preselect_keyboard(lang, 0).inline_keyboard
    ]
    await say(update, context, opening, InlineKeyboardMarkup(rows))
    status = ThemeStatus.DRAFT
    if data.get("id"):
        theme = await context.services.repo.get_theme(int(data["id"]))
        status = theme.status if theme else ThemeStatus.DRAFT
    starts = date.fromisoformat(data["starts"]) if data.get("starts") else None
    ends = date.fromisoformat(data["ends"]) if data.get("ends") else None
    summary = t(
        lang,
        "newtheme.summary",
        title=data["title"],
        place=context.services.config.municipality.place_name(_place_of(data)),
        period=format_period(starts, ends, lang),
        status=plain(lang, f"newtheme.status_{status.value}"),
    )
    actions = [
        [_button(lang, "newtheme.publish", "th", "act", "publish")],
        [_button(lang, "newtheme.save_draft", "th", "act", "draft")]
        if status == ThemeStatus.DRAFT
        else [],
        [
            _button(lang, "newtheme.edit", "th", "act", "edit"),
            _button(lang, "newtheme.stop", "th", "act", "stop"),
        ],
    ]
    await say(update, context, summary, InlineKeyboardMarkup([row for row in actions if row]))


async def _in_step(update: Update, context: BuurtContext, *steps: str) -> bool:
    """True when the chat is in one of these steps of the flow; answers the press otherwise."""
    state = context.state
    if state.flow == FLOW and state.step in steps:
        return True
    await answer_key(update, context, "common.stale_button")
    return False


@ambassadors_only
async def on_button(update: Update, context: BuurtContext) -> None:
    """Handle every button of the theme editor."""
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    action, args = (parts[1], parts[2:]) if len(parts) > 1 else ("", [])
    data = dict(context.state.data)
    if action == "noop":
        await answer_key(update, context, "newtheme.preview_only")
    elif action == "q" and await _in_step(update, context, QUESTION):
        await answer(update)
        data["question"] = ""
        await _go(update, context, _next(QUESTION, data), data)
    elif action == "pl" and len(args) == 2 and await _in_step(update, context, PLACE):
        await _on_place(update, context, args[0], args[1], data)
    elif action == "st" and args and await _in_step(update, context, START):
        await answer(update)
        today = _today(context)
        offsets = {"today": 0, "tomorrow": 1, "monday": (7 - today.weekday()) % 7 or 7}
        await _take_date(update, context, START, today + timedelta(days=offsets.get(args[0], 0)))
    elif action == "en" and args and await _in_step(update, context, END):
        await answer(update)
        start = date.fromisoformat(data["starts"]) if data.get("starts") else _today(context)
        spans = {"w4": timedelta(weeks=4), "w6": timedelta(weeks=6), "m3": timedelta(days=91)}
        await _take_date(update, context, END, start + spans.get(args[0], timedelta(weeks=6)))
    elif action == "qq" and args and await _in_step(update, context, QUADRANTS_ASK):
        await answer(update)
        if args[0] == "1":
            await _go(update, context, QUADRANT, dict(data, qi=0))
        else:
            await _go(update, context, PREVIEW, data)
    elif action == "qs" and await _in_step(update, context, QUADRANT):
        await answer(update)
        await _after_quadrant(update, context, data)
    elif action == "act" and args and await _in_step(update, context, PREVIEW):
        await answer(update)
        await drop_buttons(update)
        await _on_action(update, context, args[0], data)
    elif action == "fld" and args and await _in_step(update, context, PREVIEW):
        await answer(update)
        fields = {"title": TITLE, "invitation": INVITATION, "question": QUESTION, "place": PLACE}
        fields |= {"period": START, "quadrants": QUADRANTS_ASK}
        await _go(update, context, fields.get(args[0], PREVIEW), dict(data, back=True))
    elif action == "pub" and len(args) == 2:
        await _on_publish_answer(update, context, args[0] == "yes", unpack_int(args[1]))
    elif action in ("card", "edit", "publish") and args:
        await _on_theme_action(update, context, action, unpack_int(args[0]))


async def _on_place(
    update: Update, context: BuurtContext, letter: str, key: str, data: dict[str, Any]
) -> None:
    kind = _LETTER_KIND.get(letter)
    place = PlaceRef(kind, "" if key == "-" else key) if kind else None
    config = context.services.config
    if (
        place is None
        or not may_manage(user_id(update), config, place)
        or not _exists(config, place)
    ):
        await answer_key(update, context, "access.other_area", alert=True)
        return
    await answer(update)
    await drop_buttons(update)
    data["place"] = f"{place.kind.value}:{place.key}"
    await _go(update, context, _next(PLACE, data), data)


def _exists(config: Any, place: PlaceRef) -> bool:
    municipality = config.municipality
    return {
        PlaceKind.MUNICIPALITY: place.key == "",
        PlaceKind.AREA: municipality.area(place.key) is not None,
        PlaceKind.VILLAGE: municipality.village(place.key) is not None,
        PlaceKind.NEIGHBOURHOOD: municipality.neighbourhood(place.key) is not None,
    }[place.kind]


async def _on_action(
    update: Update, context: BuurtContext, action: str, data: dict[str, Any]
) -> None:
    lang = context.lang
    repo = context.services.repo
    if action == "stop":
        await repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(lang, "newtheme.cancelled"))
        return
    if action == "edit":
        fields = ["title", "invitation", "question", "place", "period", "quadrants"]
        rows = [
            [
                _button(lang, f"newtheme.field_{a}", "th", "fld", a),
                _button(lang, f"newtheme.field_{b}", "th", "fld", b),
            ]
            for a, b in zip(fields[::2], fields[1::2], strict=True)
        ]
        await say(update, context, t(lang, "newtheme.which_field"), InlineKeyboardMarkup(rows))
        return
    theme = await _save(update, context, data)
    await repo.set_state(chat_id(update), None, None, {})
    if theme.status != ThemeStatus.DRAFT:
        # A running or closed theme is changed in place; residents see the new text at once.
        await say(update, context, t(lang, "newtheme.saved_active"))
    elif action == "draft":
        await say(update, context, t(lang, "newtheme.saved_draft"))
    else:
        await _confirm_publish(update, context, theme)


async def _save(update: Update, context: BuurtContext, data: dict[str, Any]) -> Theme:
    repo = context.services.repo
    fields: dict[str, Any] = {
        "title": data["title"],
        "invitation": data["invitation"],
        "question": data.get("question") or "",
        "place": _place_of(data),
        "starts_on": date.fromisoformat(data["starts"]) if data.get("starts") else None,
        "ends_on": date.fromisoformat(data["ends"]) if data.get("ends") else None,
        "quadrant_questions": dict(data.get("questions", {})),
    }
    if data.get("id"):
        theme = await repo.update_theme(int(data["id"]), **fields)
        if theme is not None:
            return theme
    return await repo.create_theme(status=ThemeStatus.DRAFT, created_by=user_id(update), **fields)


async def _confirm_publish(update: Update, context: BuurtContext, theme: Theme) -> None:
    lang = context.lang
    services = context.services
    recipients = await news_recipients(services.repo, services.config.municipality, theme.place)
    if theme.starts_on and theme.starts_on > _today(context):
        text = t(
            lang,
            "newtheme.confirm_later",
            start=format_date(theme.starts_on, lang),
            count=len(recipients),
        )
    elif recipients:
        text = t(lang, "newtheme.confirm_publish", title=theme.title, count=len(recipients))
    else:
        text = t(lang, "newtheme.confirm_publish_none")
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(lang, "newtheme.yes_publish", "th", "pub", "yes", theme.id),
                _button(lang, "newtheme.not_yet", "th", "pub", "no", theme.id),
            ]
        ]
    )
    await say(update, context, text, keyboard)


async def _managed_theme(
    update: Update, context: BuurtContext, theme_id: int | None
) -> Theme | None:
    """Return the theme when it exists and the presser may manage it; answer otherwise."""
    theme = await context.services.repo.get_theme(theme_id) if theme_id is not None else None
    if theme is None:
        await answer_key(update, context, "talk.theme_gone")
        return None
    if not may_manage(user_id(update), context.services.config, theme.place):
        await answer_key(update, context, "access.other_area", alert=True)
        return None
    return theme


async def _on_publish_answer(
    update: Update, context: BuurtContext, yes: bool, theme_id: int | None
) -> None:
    theme = await _managed_theme(update, context, theme_id)
    if theme is None:
        return
    lang = context.lang
    if theme.status != ThemeStatus.DRAFT:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    if not yes:
        await say(update, context, t(lang, "newtheme.saved_draft"))
        return
    services = context.services
    published = await services.repo.set_theme_status(theme.id, ThemeStatus.ACTIVE)
    assert published is not None
    recipients = await news_recipients(services.repo, services.config.municipality, theme.place)
    due_at: datetime | None = None
    if theme.starts_on and theme.starts_on > _today(context):
        tz = services.config.municipality.tz
        due_at = datetime.combine(theme.starts_on, ANNOUNCE_AT, tz)
        await say(
            update,
            context,
            t(lang, "newtheme.published_later", start=format_date(theme.starts_on, lang)),
        )
    else:
        await say(update, context, t(lang, "newtheme.published"))
    if recipients:
        render = theme_news(published, services.config.municipality)
        await queue_broadcast(
            update,
            context,
            BroadcastKind.THEME,
            recipients,
            render,
            theme_id=theme.id,
            due_at=due_at,
        )


@ambassadors_only
async def list_themes(update: Update, context: BuurtContext) -> None:
    """List the themes of the ambassador's area, each with its card."""
    places = manageable_places(user_id(update), context.services.config)
    statuses = (ThemeStatus.DRAFT, ThemeStatus.ACTIVE, ThemeStatus.CLOSED)
    themes = await context.services.repo.list_themes(places, statuses)
    lang = context.lang
    if not themes:
        await say(update, context, t(lang, "themes.none"))
        return
    rows = [
        [
            InlineKeyboardButton(
                shorten(
                    f"{th.title} ({plain(lang, f'newtheme.status_{th.status.value}')})",
                    BUTTON_LABEL_LIMIT,
                ),
                callback_data=pack("th", "card", th.id),
            )
        ]
        for th in themes[:30]
    ]
    await say(update, context, t(lang, "themes.pick"), InlineKeyboardMarkup(rows))


def deep_link(username: str | None, theme: Theme) -> str:
    """The t.me link that opens a theme's talk; the poster's QR code holds it."""
    return f"https://t.me/{username or 'buurtbot'}?start=t_{theme.code}"


async def _on_theme_action(
    update: Update, context: BuurtContext, action: str, theme_id: int | None
) -> None:
    theme = await _managed_theme(update, context, theme_id)
    if theme is None:
        return
    await answer(update)
    lang = context.lang
    if action == "publish":
        await _confirm_publish(update, context, theme)
    elif action == "edit":
        data = {
            "id": theme.id,
            "title": theme.title,
            "invitation": theme.invitation,
            "question": theme.question,
            "place": f"{theme.place.kind.value}:{theme.place.key}",
            "starts": theme.starts_on.isoformat() if theme.starts_on else None,
            "ends": theme.ends_on.isoformat() if theme.ends_on else None,
            "questions": theme.quadrant_questions,
            "back": True,
        }
        await _preview(update, context, data)
    else:
        counts = await context.services.repo.count_notes(theme.id)
        text = t(
            lang,
            "themes.card",
            title=theme.title,
            place=context.services.config.municipality.place_name(theme.place),
            period=format_period(theme.starts_on, theme.ends_on, lang),
            status=plain(lang, f"newtheme.status_{theme.status.value}"),
            notes=sum(counts.values()),
            link=deep_link(context.bot.username, theme),
        )
        await say(update, context, text, _card_keyboard(lang, theme))


def _card_keyboard(lang: str, theme: Theme) -> InlineKeyboardMarkup:
    rows = [[_button(lang, "themes.edit", "th", "edit", theme.id)]]
    if theme.status == ThemeStatus.DRAFT:
        rows[0].append(_button(lang, "themes.publish", "th", "publish", theme.id))
    rows.append(
        [
            _button(lang, "themes.poster", "tt", "poster", theme.id),
            _button(lang, "themes.progress", "tt", "progress", theme.id),
        ]
    )
    if theme.status == ThemeStatus.ACTIVE:
        rows.append(
            [
                _button(lang, "themes.message", "bc", "theme", theme.id),
                _button(lang, "themes.close", "tt", "close", theme.id),
            ]
        )
    return InlineKeyboardMarkup(rows)


STEPS: dict[str, StepHandler] = {
    TITLE: on_title,
    INVITATION: on_invitation,
    QUESTION: on_question,
    START: on_date,
    END: on_date,
    QUADRANT: on_quadrant_question,
}


@ambassadors_only
async def _use_buttons(update: Update, context: BuurtContext) -> None:
    """Ask the current question again when text arrives where a button is needed."""
    await say(update, context, t(context.lang, "start.use_buttons"))
    await _go(update, context, context.state.step or PREVIEW, dict(context.state.data))


STEPS |= {PLACE: _use_buttons, QUADRANTS_ASK: _use_buttons, PREVIEW: _use_buttons}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the theme editor."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("nieuwthema", new_theme, filters=private),
        CommandHandler("themas", list_themes, filters=private),
        CallbackQueryHandler(on_button, pattern=r"^th:"),
    ]
