"""/nieuwetafel: an ambassador sets up a table around an initiative, one card field a step.

The steps are declared once in SETUP. The capacity step keeps the tf:cap:0 data its button
always had; the skip, save and stop buttons drawn before the set-up was a wizard (tf:skip,
tf:save, tf:stop) are still answered by the on_old_* handlers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.chat.callbacks import unpack_int
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only, still_manages
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.updates import chat_id, user_id
from bot.chat.wizard import ConfirmStep, DrawnStep, Refusal, Shortcut, TextStep, Wizard
from bot.chat.wizard import Step as WizardStep
from bot.core.i18n import Html, t
from bot.services.follow_through import queue_follow_up
from conversations.tables import origins
from conversations.tables.access import manages
from conversations.tables.actions import (
    FLOW,
    MAX_CAPACITY,
    MAX_FIELD,
    MAX_NAME,
    MAX_TITLE,
    PREFIX,
    Action,
    Step,
    read_capacity,
)
from conversations.tables.card import card_text
from conversations.tables.show import show_card
from conversations.theme_list import managed_themes, offer_themes
from storage.models import TalkTable, Theme, ThemeStatus

Data = dict[str, Any]
SAVE, STOP = "save", "stop"


def _text(step: Step, limit: int, *, skip: bool = True) -> TextStep:
    """A card field typed in, refused when empty or longer than limit."""
    return TextStep(
        step,
        f"tables.ask_{step}",
        limit=limit,
        error="tables.too_long",
        skip="common.skip" if skip else None,
    )


def _capacity(value: str, context: BuurtContext, data: Data) -> object:
    """The number of places typed, or why it is none."""
    capacity = read_capacity(value)
    return Refusal("tables.bad_capacity", {"max": MAX_CAPACITY}) if capacity is None else capacity


async def _preview(update: Update, context: BuurtContext, data: Data) -> None:
    """Show the card as it will be, and ask whether to save it."""
    lang = context.lang
    theme = await context.services.repo.get_theme(int(data["theme"]))
    theme_title = theme.title if theme else "?"
    await say(update, context, t(lang, "tables.preview_intro"))
    card = card_text(lang, _draft(data), theme_title, [], names=True)
    rows = [
        [
            SETUP.button(lang, "tables.save", Step.PREVIEW, SAVE),
            SETUP.button(lang, "newtheme.stop", Step.PREVIEW, STOP),
        ]
    ]
    if data.get("origins") and theme is not None:
        card = Html(card + "\n\n" + await _origin_lines(context, theme, _picked(data)))
        rows = SETUP.edit_rows(lang, [("follow.change_origin", Step.ORIGIN)], per_row=1) + rows
    await say(update, context, card)
    keyboard = InlineKeyboardMarkup(rows)
    await say(update, context, t(lang, "tables.preview_ask"), keyboard)


async def _decide(update: Update, context: BuurtContext, data: Data, code: str) -> None:
    """Save the table as previewed, or stop without saving."""
    await context.services.repo.set_state(chat_id(update), None, None, {})
    if code == SAVE:
        await _save(update, context, data)
    elif code == STOP:
        await say(update, context, t(context.lang, "tables.stopped"))


async def _show_origins(update: Update, context: BuurtContext, data: Data) -> None:
    """The picker of the notes the table grew from (origins.py)."""
    theme = await origins.theme_of(context, data)
    if theme is None:
        await say(update, context, t(context.lang, "access.other_area"))
        return
    await origins.draw(update, context, theme, data, edit=False)


async def on_origins_done(
    update: Update, context: BuurtContext, data: Data, picked: list[int]
) -> None:
    """Done picking while setting up: the notes are the step's answer, on to the preview."""
    await drop_buttons(update)
    await SETUP.take(update, context, Step.ORIGIN, data, picked)


def _picked(data: Data) -> list[int]:
    """The origin step's answer: note ids (one id, from before several could be picked)."""
    value = data.get(Step.ORIGIN)
    if isinstance(value, int):
        return [value] if value else []
    return [v for v in value if isinstance(v, int)] if isinstance(value, list) else []


_STEPS: list[WizardStep] = [
    _text(Step.TITLE, MAX_TITLE, skip=False),
    _text(Step.INITIATOR, MAX_NAME),
    TextStep(
        Step.CAPACITY,
        "tables.ask_capacity",
        parse=_capacity,
        shortcuts=[Shortcut("tables.no_maximum", "0", lambda context, data: 0)],
        action=Action.NO_MAXIMUM,
    ),
    _text(Step.WHAT, MAX_FIELD),
    _text(Step.AMBITIONS, MAX_FIELD),
    _text(Step.AGREEMENTS, MAX_FIELD),
    _text(Step.WORKING, MAX_FIELD),
    DrawnStep(
        Step.ORIGIN,
        show=_show_origins,
        when=lambda data: bool(data.get("origins")),
        typed=origins.on_typed,
    ),
    ConfirmStep(Step.PREVIEW, show=_preview, decide=_decide),
]
SETUP = Wizard(flow=FLOW, prefix=PREFIX, guard=ambassadors_only, steps=_STEPS)
_ORDER = [step.name for step in _STEPS]
_SKIPPABLE = (Step.INITIATOR, Step.WHAT, Step.AMBITIONS, Step.AGREEMENTS, Step.WORKING)


@ambassadors_only
async def new_table(update: Update, context: BuurtContext) -> None:
    """Ask which theme the new table belongs to."""
    themes = await managed_themes(update, context, (ThemeStatus.ACTIVE, ThemeStatus.CLOSED))
    await offer_themes(update, context, themes, "tables.ask_theme", PREFIX, Action.THEME)


async def on_theme(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Start the card of a table in the theme pressed, if it is in the ambassador's area."""
    theme_id = unpack_int(args[0]) if args else None
    theme = await context.services.repo.get_theme(theme_id) if theme_id is not None else None
    if theme is None or not manages(update, context, theme):
        await answer_key(update, context, "access.other_area", alert=True)
        return
    await answer(update)
    await drop_buttons(update)
    # The origin step is asked only when the board shows a note to pick.
    shown = await context.services.repo.list_notes_by_support(theme.id, limit=1)
    await SETUP.start(update, context, {"theme": theme.id, "origins": bool(shown)})


async def _origin_lines(context: BuurtContext, theme: Theme, picked: list[int]) -> Html:
    """The preview's read-back of the notes the table grows from."""
    lang = context.lang
    offered = await origins.offer(context, theme)
    shown = offered.visible(picked)
    if not shown:
        return t(lang, "follow.origin_nothing")
    return Html(t(lang, "follow.origin_title") + "\n" + origins.note_lines(lang, offered, shown))


def _draft(data: Data) -> TalkTable:
    """The card as it will be, from the wizard's answers."""
    now = datetime.now(UTC)
    return TalkTable(
        id=0,
        theme_id=int(data["theme"]),
        code="",
        title=str(data.get(Step.TITLE, "")),
        initiator_name=str(data.get(Step.INITIATOR, "")),
        initiator_id=None,
        what=str(data.get(Step.WHAT, "")),
        ambitions=str(data.get(Step.AMBITIONS, "")),
        agreements=str(data.get(Step.AGREEMENTS, "")),
        working=str(data.get(Step.WORKING, "")),
        capacity=int(data[Step.CAPACITY]) if data.get(Step.CAPACITY) else None,
        created_by=None,
        created_at=now,
        updated_at=now,
    )


async def _save(update: Update, context: BuurtContext, data: Data) -> None:
    """Create the table, if the theme is still the ambassador's, and show its card."""
    repo = context.services.repo
    theme = await repo.get_theme(int(data["theme"]))
    if theme is None:
        await say(update, context, t(context.lang, "access.other_area"))
        return
    if not await still_manages(update, context, theme.place):
        return
    draft = _draft(data)
    table = await repo.create_table(
        theme_id=theme.id,
        title=draft.title,
        initiator_name=draft.initiator_name,
        capacity=draft.capacity,
        what=draft.what,
        ambitions=draft.ambitions,
        agreements=draft.agreements,
        working=draft.working,
        created_by=user_id(update),
    )
    picked = _picked(data)
    if picked:
        # Only notes the board still shows: one hidden meanwhile is left out.
        shown = await origins.shown_ids(context, theme)
        added = await repo.set_table_notes(table.id, [i for i in picked if i in shown])
        services = context.services
        now, tz = services.clock.now(), services.config.municipality.tz
        if await queue_follow_up(repo, table, now, tz, note_ids=added):
            services.outbox_changed()
    await say(update, context, t(context.lang, "tables.saved", title=table.title))
    await show_card(update, context, table, edit=False)


# -- buttons drawn before the set-up was a wizard ---------------------------------------------


async def _at(update: Update, context: BuurtContext, *steps: Step) -> Data | None:
    """The answers so far when the chat is at one of these steps; else answer as stale."""
    state = context.state
    if state.flow != FLOW or state.step not in steps or "theme" not in state.data:
        await answer_key(update, context, "common.stale_button")
        return None
    await answer(update)
    await drop_buttons(update)
    return dict(state.data)


async def on_old_skip(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Leave the chat's current field empty, for a tf:skip button drawn before the wizard."""
    data = await _at(update, context, *_SKIPPABLE)
    if data is not None:
        step = str(context.state.step)
        following = _ORDER[_ORDER.index(step) + 1]
        await SETUP.ask(update, context, following, dict(data, **{step: ""}))


async def on_old_save(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Save, for a tf:save button drawn before the wizard."""
    data = await _at(update, context, Step.PREVIEW)
    if data is not None:
        await _decide(update, context, data, SAVE)


async def on_old_stop(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Stop, for a tf:stop button drawn before the wizard."""
    data = await _at(update, context, Step.PREVIEW)
    if data is not None:
        await _decide(update, context, data, STOP)
