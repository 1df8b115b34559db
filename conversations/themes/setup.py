"""/nieuwthema declared as a wizard: title, invitation, question, place, period, quadrant
questions, then the preview. Editing walks the same steps with the theme's own values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.date_answers import date_answer, date_examples
from bot.chat.guards import ambassadors_only
from bot.chat.replies import answer, answer_key
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.wizard import (
    KEEP,
    Choice,
    ChoiceStep,
    ConfirmStep,
    Data,
    Doubt,
    Refusal,
    Repeat,
    Shortcut,
    TextStep,
    Wizard,
)
from bot.core.i18n import plain
from bot.village.dates import format_date
from conversations.themes.actions import FLOW, PREFIX, Action, Field
from conversations.themes.places import place_code, stored, theme_places
from conversations.themes.preview import decide, show_preview
from conversations.themes.publish import today
from storage.models import BOARD_QUADRANTS

TITLE, INVITATION, QUESTION, PLACE = "title", "invitation", "question", "place"
START, END, QUADRANTS_ASK = "start", "end", "quadrants_ask"
QUADRANT, PREVIEW = "quadrant", "preview"
MAX_TITLE, MAX_INVITATION, MAX_QUESTION = 80, 800, 300
# The quadrant being asked; None once the ambassador said no quadrant questions.
QUADRANT_INDEX = "qi"
# Chats stored mid-edit before the wizard keep their edit mark under this key.
BACK = "back"
FIELD_STEPS: dict[str, str] = {
    Field.TITLE: TITLE,
    Field.INVITATION: INVITATION,
    Field.QUESTION: QUESTION,
    Field.PLACE: PLACE,
    Field.PERIOD: START,
    Field.QUADRANTS: QUADRANTS_ASK,
}


def _read_start(text: str, context: BuurtContext, data: Data) -> str | Refusal | Doubt:
    """Read a typed start date; a theme that already runs may keep a start gone by."""
    past = None if data.get("id") else Refusal("newtheme.past_date")
    return date_answer(text, context, bad="newtheme.bad_date", past=past)


def _read_end(text: str, context: BuurtContext, data: Data) -> str | Refusal | Doubt:
    """Read a typed end date: never one before the start."""
    if not data.get("starts"):
        return date_answer(text, context, bad="newtheme.bad_date", past=None)
    start = _start(context, data)
    past = Refusal("newtheme.end_before_start", {"start": format_date(start, context.lang)})
    return date_answer(text, context, bad="newtheme.bad_date", past=past, earliest=start)


def _check_start(value: object, context: BuurtContext, data: Data) -> Refusal | None:
    """Refuse a start in the past, except for a theme that already runs."""
    if date.fromisoformat(str(value)) < today(context) and not data.get("id"):
        return Refusal("newtheme.past_date")
    return None


def _check_end(value: object, context: BuurtContext, data: Data) -> Refusal | None:
    """Refuse an end before the start."""
    if not data.get("starts"):
        return None
    start = _start(context, data)
    if date.fromisoformat(str(value)) < start:
        return Refusal("newtheme.end_before_start", {"start": format_date(start, context.lang)})
    return None


def _start(context: BuurtContext, data: Data) -> date:
    starts = data.get("starts")
    return date.fromisoformat(starts) if starts else today(context)


def _from_today(days: Callable[[date], int]) -> Callable[[BuurtContext, Data], object]:
    return lambda context, _: (today(context) + timedelta(days=days(today(context)))).isoformat()


def _from_start(span: timedelta) -> Callable[[BuurtContext, Data], object]:
    return lambda context, data: (_start(context, data) + span).isoformat()


def _place_choices(update: Update, context: BuurtContext, _: Data) -> list[list[Choice]]:
    """One button per place the ambassador may name a theme for."""
    return [
        [Choice(shorten(label, BUTTON_LABEL_LIMIT), place_code(place), stored(place))]
        for place, label in theme_places(update, context)
    ]


def _quadrant_choices(_: Update, context: BuurtContext, __: Data) -> list[list[Choice]]:
    """Yes starts at the first quadrant; no leaves none to ask."""
    lang = context.lang
    return [
        [
            Choice(plain(lang, "newtheme.yes_questions"), "1", 0),
            Choice(plain(lang, "newtheme.no_questions"), "0", None),
        ]
    ]


def _quadrant_name(context: BuurtContext, data: Data) -> Mapping[str, object]:
    quadrant = BOARD_QUADRANTS[int(data.get(QUADRANT_INDEX) or 0)]
    return {"quadrant": plain(context.lang, f"quadrants.{quadrant.value}")}


def _next_monday(day: date) -> int:
    return (7 - day.weekday()) % 7 or 7


SETUP = Wizard(
    flow=FLOW,
    prefix=PREFIX,
    guard=ambassadors_only,
    back=BACK,
    steps=[
        TextStep(TITLE, "newtheme.ask_title", limit=MAX_TITLE, error="newtheme.bad_title"),
        TextStep(
            INVITATION,
            "newtheme.ask_invitation",
            limit=MAX_INVITATION,
            error="newtheme.bad_invitation",
        ),
        TextStep(
            QUESTION,
            "newtheme.ask_question",
            limit=MAX_QUESTION,
            error="newtheme.bad_question",
            shortcuts=[Shortcut("newtheme.default_question", "default", lambda *_: "")],
            prompt_values=lambda context, _: {
                "usual": plain(context.lang, "talk.default_question")
            },
            action=Action.QUESTION,
        ),
        ChoiceStep(
            PLACE,
            "newtheme.ask_place",
            choices=_place_choices,
            use_buttons="start.use_buttons",
            ask_again=True,
            action=Action.PLACE,
            unknown="access.other_area",
        ),
        TextStep(
            START,
            "newtheme.ask_start",
            field="starts",
            error="newtheme.bad_date",
            parse=_read_start,
            check=_check_start,
            prompt_values=date_examples,
            shortcuts=[
                Shortcut("newtheme.today", "today", _from_today(lambda _: 0)),
                Shortcut("newtheme.tomorrow", "tomorrow", _from_today(lambda _: 1)),
                Shortcut("newtheme.next_monday", "monday", _from_today(_next_monday)),
            ],
            action=Action.START,
            edit_continues=True,
        ),
        TextStep(
            END,
            "newtheme.ask_end",
            field="ends",
            error="newtheme.bad_date",
            parse=_read_end,
            check=_check_end,
            prompt_values=date_examples,
            shortcuts=[
                Shortcut("newtheme.weeks_4", "w4", _from_start(timedelta(weeks=4))),
                Shortcut("newtheme.weeks_6", "w6", _from_start(timedelta(weeks=6))),
                Shortcut("newtheme.months_3", "m3", _from_start(timedelta(days=91))),
            ],
            action=Action.END,
        ),
        ChoiceStep(
            QUADRANTS_ASK,
            "newtheme.ask_quadrant_questions",
            choices=_quadrant_choices,
            field=QUADRANT_INDEX,
            use_buttons="start.use_buttons",
            ask_again=True,
            action=Action.QUADRANTS,
            edit_continues=True,
        ),
        TextStep(
            QUADRANT,
            "newtheme.ask_quadrant",
            limit=MAX_QUESTION,
            error="newtheme.bad_question",
            field="questions",
            repeat=Repeat([q.value for q in BOARD_QUADRANTS], QUADRANT_INDEX),
            # Skipping keeps the question a theme being edited already had.
            shortcuts=[Shortcut("common.skip", "", lambda *_: KEEP)],
            prompt_values=_quadrant_name,
            when=lambda data: data.get(QUADRANT_INDEX) is not None,
            action=Action.QUADRANT_SKIP,
        ),
        ConfirmStep(
            PREVIEW,
            show=show_preview,
            decide=decide,
            use_buttons="start.use_buttons",
            ask_again=True,
            action=Action.DECIDE,
        ),
    ],
)


@ambassadors_only
async def new_theme(update: Update, context: BuurtContext) -> None:
    """Start naming a new theme."""
    await SETUP.start(update, context)


async def on_field(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Ask one part of the theme again, then come back to the preview."""
    state = context.state
    if state.flow != FLOW or state.step != PREVIEW:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    step = FIELD_STEPS.get(args[0], PREVIEW) if args else PREVIEW
    await SETUP.ask(update, context, step, dict(state.data), back=True)
