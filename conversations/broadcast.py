"""/bericht: an ambassador writes one message to a theme's participants or to a place."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat.broadcasts import queue_broadcast
from bot.chat.callbacks import pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.steps import StepHandler
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import Html, escape, plain, t
from bot.village.access import manageable_places, may_manage
from conversations.theme_list import managed_themes, offer_themes
from storage.models import BroadcastKind, PlaceKind, PlaceRef, Recipient, ThemeStatus

FLOW = "message"
TEXT, CONFIRM = "text", "confirm"
MAX_TEXT = 3500


@ambassadors_only
async def message_command(update: Update, context: BuurtContext) -> None:
    """Ask who the message is for."""
    lang = context.lang
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(lang, "broadcast.to_participants"), callback_data="bc:who:t"
                )
            ],
            [InlineKeyboardButton(plain(lang, "broadcast.to_place"), callback_data="bc:who:p")],
        ]
    )
    await say(update, context, t(lang, "broadcast.ask_target"), keyboard)


async def _recipients(context: BuurtContext, data: dict[str, Any]) -> list[Recipient]:
    repo = context.services.repo
    if "theme" in data:
        return await repo.theme_participants(int(data["theme"]))
    kind, _, key = str(data["place"]).partition(":")
    place = PlaceRef(PlaceKind(kind), key)
    municipality = context.services.config.municipality
    if place.kind == PlaceKind.MUNICIPALITY:
        return await repo.recipients(villages=None)
    if place.kind == PlaceKind.AREA:
        area = municipality.area(place.key)
        return await repo.recipients(villages=[v.key for v in area.villages] if area else [])
    if place.kind == PlaceKind.VILLAGE:
        return await repo.recipients(villages=[place.key])
    return await repo.recipients(villages=None, neighbourhoods=[place.key])


@ambassadors_only
async def on_button(update: Update, context: BuurtContext) -> None:
    """Handle the buttons of /bericht: whom, which theme or place, send or not."""
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    lang = context.lang
    config = context.services.config
    repo = context.services.repo
    action, args = (parts[1], parts[2:]) if len(parts) > 1 else ("", [])
    if action == "who" and args == ["t"]:
        await answer(update)
        themes = await managed_themes(update, context, (ThemeStatus.ACTIVE,))
        await offer_themes(update, context, themes, "broadcast.pick_theme", "bc", "theme")
    elif action == "who" and args == ["p"]:
        await answer(update)
        await say(
            update, context, t(lang, "broadcast.pick_place"), _place_keyboard(update, context)
        )
    elif action == "theme" and args:
        theme_id = unpack_int(args[0])
        theme = await repo.get_theme(theme_id) if theme_id is not None else None
        if theme is None or not may_manage(user_id(update), config, theme.place):
            await answer_key(update, context, "access.other_area", alert=True)
            return
        await answer(update)
        await drop_buttons(update)
        await _ask_text(update, context, {"theme": theme.id})
    elif action == "pl" and len(args) == 2:
        kinds = {
            "m": PlaceKind.MUNICIPALITY,
            "a": PlaceKind.AREA,
            "v": PlaceKind.VILLAGE,
            "n": PlaceKind.NEIGHBOURHOOD,
        }
        kind = kinds.get(args[0])
        place = PlaceRef(kind, "" if args[1] == "-" else args[1]) if kind else None
        if place is None or not may_manage(user_id(update), config, place):
            await answer_key(update, context, "access.other_area", alert=True)
            return
        await answer(update)
        await drop_buttons(update)
        await _ask_text(update, context, {"place": f"{place.kind.value}:{place.key}"})
    elif (
        action in ("send", "cancel")
        and context.state.flow == FLOW
        and context.state.step == CONFIRM
    ):
        await answer(update)
        await drop_buttons(update)
        await _finish(update, context, send=action == "send")
    else:
        await answer_key(update, context, "common.stale_button")


def _place_keyboard(update: Update, context: BuurtContext) -> InlineKeyboardMarkup:
    municipality = context.services.config.municipality
    allowed = manageable_places(user_id(update), context.services.config)
    rows: list[list[InlineKeyboardButton]] = []
    if allowed is None:
        label = plain(context.lang, "newtheme.whole_municipality", municipality=municipality.name)
        rows.append([InlineKeyboardButton(label, callback_data=pack("bc", "pl", "m", "-"))])
    for area in municipality.areas:
        if allowed is None or PlaceRef(PlaceKind.AREA, area.key) in allowed:
            rows.append(
                [InlineKeyboardButton(area.name, callback_data=pack("bc", "pl", "a", area.key))]
            )
            for village in area.villages:
                button = InlineKeyboardButton(
                    village.name, callback_data=pack("bc", "pl", "v", village.key)
                )
                rows.append([button])
    return InlineKeyboardMarkup(rows[:99])


async def _ask_text(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    await context.services.repo.set_state(chat_id(update), FLOW, TEXT, data)
    await say(update, context, t(context.lang, "broadcast.ask_text"))


@ambassadors_only
async def on_text(update: Update, context: BuurtContext) -> None:
    """Take the message, show it as it will arrive, and ask to confirm with the count."""
    message = update.message
    assert message is not None
    lang = context.lang
    text = (message.text or "").strip()
    if not text:
        await say(update, context, t(lang, "broadcast.text_only"))
        return
    if len(text) > MAX_TEXT:
        await say(update, context, t(lang, "broadcast.too_long", max=MAX_TEXT))
        return
    data = dict(context.state.data, text=text)
    recipients = await _recipients(context, data)
    if not recipients:
        await context.services.repo.set_state(chat_id(update), None, None, {})
        await say(update, context, t(lang, "broadcast.nobody"))
        return
    await context.services.repo.set_state(chat_id(update), FLOW, CONFIRM, data)
    await say(update, context, t(lang, "broadcast.preview"))
    await say(update, context, t(lang, "broadcast.from_ambassador", text=text))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(plain(lang, "broadcast.send"), callback_data="bc:send"),
                InlineKeyboardButton(plain(lang, "broadcast.cancel"), callback_data="bc:cancel"),
            ]
        ]
    )
    await say(update, context, t(lang, "broadcast.confirm", count=len(recipients)), keyboard)


async def _finish(update: Update, context: BuurtContext, *, send: bool) -> None:
    data = dict(context.state.data)
    await context.services.repo.set_state(chat_id(update), None, None, {})
    if not send:
        await say(update, context, t(context.lang, "broadcast.cancelled"))
        return
    recipients = await _recipients(context, data)
    text = str(data["text"])

    def render(lang: str) -> tuple[Html, tuple[tuple[tuple[str, str], ...], ...]]:
        return t(lang, "broadcast.from_ambassador", text=escape(text)), ()

    theme_id = int(data["theme"]) if "theme" in data else None
    await queue_broadcast(
        update, context, BroadcastKind.MESSAGE, recipients, render, theme_id=theme_id
    )


# A new text at the confirm step replaces the message, and is shown again.
STEPS: dict[str, StepHandler] = {TEXT: on_text, CONFIRM: on_text}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of /bericht."""
    return [
        CommandHandler("bericht", message_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_button, pattern=r"^bc:"),
    ]
