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
from bot.chat.text_limits import first_words
from bot.chat.updates import chat_id, user_id
from bot.chat.wizard import Choice, ChoiceStep, ConfirmStep, Refusal, Shortcut, TextStep, Wizard
from bot.chat.wizard import Step as WizardStep
from bot.core.i18n import plain, t
from bot.services.follow_through import queue_follow_up
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
from storage.models import TalkTable, ThemeStatus

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
    await say(update, context, card_text(lang, _draft(data), theme_title, [], names=True))
    keyboard = InlineKeyboardMarkup(
        [
            [
                SETUP.button(lang, "tables.save", Step.PREVIEW, SAVE),
                SETUP.button(lang, "newtheme.stop", Step.PREVIEW, STOP),
            ]
        ]
    )
    await say(update, context, t(lang, "tables.preview_ask"), keyboard)


async def _decide(update: Update, context: BuurtContext, data: Data, code: str) -> None:
    """Save the table as previewed, or stop without saving."""
    await context.services.repo.set_state(chat_id(update), None, None, {})
    if code == SAVE:
        await _save(update, context, data)
    elif code == STOP:
        await say(update, context, t(context.lang, "tables.stopped"))


# How many of the theme's most shared notes the origin step offers as buttons.
ORIGIN_CHOICES = 5
NO_ORIGIN = 0


def _origins(update: Update, context: BuurtContext, data: Data) -> list[list[Choice]]:
    """One button per note the table may have grown from (fetched at the start), and skip."""
    rows = [
        [Choice(first_words(str(text)), str(note_id), int(note_id))]
        for note_id, text in data.get("origins", [])
    ]
    rows.append([Choice(plain(context.lang, "common.skip"), str(NO_ORIGIN), NO_ORIGIN)])
    return rows


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
    ChoiceStep(
        Step.ORIGIN,
        "follow.ask_origin",
        choices=_origins,
        when=lambda data: bool(data.get("origins")),
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
    notes = await context.services.repo.list_notes_by_support(theme.id, limit=ORIGIN_CHOICES)
    origins = [[note.id, note.text] for note in notes if note.text]
    await SETUP.start(update, context, {"theme": theme.id, "origins": origins})


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
    origin = int(data.get(Step.ORIGIN) or NO_ORIGIN)
    if origin != NO_ORIGIN and origin in {int(note_id) for note_id, _ in data.get("origins", [])}:
        await repo.link_table_notes(table.id, [origin])
        if await queue_follow_up(repo, table, context.services.clock.now()):
            context.services.outbox_changed()
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
