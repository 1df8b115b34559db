"""/nieuwetafel: an ambassador sets up a table around an initiative, one card field a step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import unpack_int
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import t
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
    button,
    read_capacity,
)
from conversations.tables.card import card_text
from conversations.tables.show import show_card
from conversations.theme_list import managed_themes, offer_themes
from storage.models import TalkTable, ThemeStatus

ORDER = (
    Step.TITLE,
    Step.INITIATOR,
    Step.CAPACITY,
    Step.WHAT,
    Step.AMBITIONS,
    Step.AGREEMENTS,
    Step.WORKING,
    Step.PREVIEW,
)
TEXT_STEPS = ORDER[:-1]
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
    await _go(update, context, Step.TITLE, {"theme": theme.id})


async def _go(update: Update, context: BuurtContext, step: str, data: dict[str, Any]) -> None:
    """Store the step of /nieuwetafel and ask its question."""
    await context.services.repo.set_state(chat_id(update), FLOW, step, data)
    lang = context.lang
    if step == Step.PREVIEW:
        await _preview(update, context, data)
        return
    buttons: list[list[InlineKeyboardButton]] = []
    if step == Step.CAPACITY:
        buttons = [[button(lang, "tables.no_maximum", Action.NO_MAXIMUM, 0)]]
    elif step in _SKIPPABLE:
        buttons = [[button(lang, "common.skip", Action.SKIP)]]
    text = t(lang, f"tables.ask_{step}")
    await say(update, context, text, InlineKeyboardMarkup(buttons) if buttons else None)


def _next(step: str) -> str:
    return ORDER[ORDER.index(Step(step)) + 1]


def _draft(data: dict[str, Any]) -> TalkTable:
    """The card as it will be, from the flow's data, for the preview."""
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


async def _preview(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    lang = context.lang
    theme = await context.services.repo.get_theme(int(data["theme"]))
    theme_title = theme.title if theme else "?"
    await say(update, context, t(lang, "tables.preview_intro"))
    await say(update, context, card_text(lang, _draft(data), theme_title, [], names=True))
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(lang, "tables.save", Action.SAVE),
                button(lang, "newtheme.stop", Action.STOP),
            ]
        ]
    )
    await say(update, context, t(lang, "tables.preview_ask"), keyboard)


async def _in_setup(update: Update, context: BuurtContext, *steps: str) -> bool:
    """True when the chat is at one of these steps; a stale press is answered as such."""
    state = context.state
    if state.flow == FLOW and state.step in steps and "theme" in state.data:
        await answer(update)
        await drop_buttons(update)
        return True
    await answer_key(update, context, "common.stale_button")
    return False


@ambassadors_only
async def on_setup_text(update: Update, context: BuurtContext) -> None:
    """Take the typed answer of a /nieuwetafel step."""
    message = update.message
    assert message is not None
    lang = context.lang
    step = context.state.step or Step.TITLE
    data = dict(context.state.data)
    value = (message.text or "").strip()
    if step == Step.CAPACITY:
        capacity = read_capacity(value)
        if capacity is None:
            await say(update, context, t(lang, "tables.bad_capacity", max=MAX_CAPACITY))
            await _go(update, context, step, data)
            return
        data[Step.CAPACITY] = capacity
        await _go(update, context, _next(step), data)
        return
    limits: dict[str, int] = {Step.TITLE: MAX_TITLE, Step.INITIATOR: MAX_NAME}
    limit = limits.get(step, MAX_FIELD)
    if not value or len(value) > limit:
        await say(update, context, t(lang, "tables.too_long", max=limit))
        await _go(update, context, step, data)
        return
    data[step] = value
    await _go(update, context, _next(step), data)


async def on_no_maximum(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Set up the table without a maximum number of places."""
    if await _in_setup(update, context, Step.CAPACITY):
        data = dict(context.state.data, capacity=0)
        await _go(update, context, _next(Step.CAPACITY), data)


async def on_skip(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Leave this field of the card empty for now."""
    if await _in_setup(update, context, *_SKIPPABLE):
        step = context.state.step or Step.WHAT
        await _go(update, context, _next(step), dict(context.state.data, **{step: ""}))


async def on_save(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Save the table as previewed and show its card."""
    if not await _in_setup(update, context, Step.PREVIEW):
        return
    data = dict(context.state.data)
    repo = context.services.repo
    await repo.set_state(chat_id(update), None, None, {})
    theme = await repo.get_theme(int(data["theme"]))
    if theme is None or not manages(update, context, theme):
        await say(update, context, t(context.lang, "access.other_area"))
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
    await say(update, context, t(context.lang, "tables.saved", title=table.title))
    await show_card(update, context, table, edit=False)


async def on_stop(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Stop setting up the table; nothing is saved."""
    if await _in_setup(update, context, Step.PREVIEW):
        await context.services.repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(context.lang, "tables.stopped"))
