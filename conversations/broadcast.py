"""/bericht: an ambassador writes one message to a theme's participants or to a place."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.broadcasts import queue_broadcast
from bot.chat.callbacks import ButtonHandler, button_routes, pack, unpack_int
from bot.chat.confirm import settle
from bot.chat.context import BuurtContext
from bot.chat.guards import ambassadors_only, still_manages
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.steps import StepHandler
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import Html, escape, plain, t
from bot.services.announcements import news_recipients
from bot.services.paid_broadcast import cost_line
from bot.village.access import manageable_places, may_manage
from conversations.theme_list import managed_themes, offer_themes
from conversations.themes.actions import MESSAGE_PREFIX, MessageAction
from conversations.themes.places import (
    MAX_PLACE_BUTTONS,
    from_stored,
    place_code,
    read_place,
    stored,
)
from storage.models import (
    MUNICIPALITY,
    BroadcastKind,
    PlaceKind,
    PlaceRef,
    Recipient,
    ThemeStatus,
)

FLOW = "message"
TEXT, CONFIRM = "text", "confirm"
MAX_TEXT = 3500


# Whom /bericht writes to, as its first buttons carry it.
TO_THEME, TO_PLACE = "t", "p"


@ambassadors_only
async def message_command(update: Update, context: BuurtContext) -> None:
    """Ask who the message is for."""
    lang = context.lang
    keyboard = InlineKeyboardMarkup(
        [
            [_button(lang, "broadcast.to_participants", MessageAction.WHO, TO_THEME)],
            [_button(lang, "broadcast.to_place", MessageAction.WHO, TO_PLACE)],
        ]
    )
    await say(update, context, t(lang, "broadcast.ask_target"), keyboard)


def _button(lang: str, key: str, action: MessageAction, *args: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(plain(lang, key), callback_data=pack(MESSAGE_PREFIX, action, *args))


async def _recipients(context: BuurtContext, data: dict[str, Any]) -> list[Recipient]:
    """Everyone the message reaches: the theme's participants, or the residents of the place
    who asked for news (the same audience as a new theme's: /stop ends both)."""
    repo = context.services.repo
    if "theme" in data:
        return await repo.theme_participants(int(data["theme"]))
    municipality = context.services.config.municipality
    return await news_recipients(repo, municipality, from_stored(data["place"]))


async def on_who(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Offer the ambassador's running themes, or the places they may write to."""
    if args == [TO_THEME]:
        await answer(update)
        themes = await managed_themes(update, context, (ThemeStatus.ACTIVE,))
        await offer_themes(
            update, context, themes, "broadcast.pick_theme", MESSAGE_PREFIX, MessageAction.THEME
        )
    elif args == [TO_PLACE]:
        await answer(update)
        keyboard = _place_keyboard(update, context)
        await say(update, context, t(context.lang, "broadcast.pick_place"), keyboard)
    else:
        await answer_key(update, context, "common.stale_button")


async def on_theme(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Write to the participants of a theme in the ambassador's own area."""
    if len(args) != 1:
        await answer_key(update, context, "common.stale_button")
        return
    theme_id = unpack_int(args[0])
    theme = await context.services.repo.get_theme(theme_id) if theme_id is not None else None
    if theme is None or not may_manage(user_id(update), context.services.config, theme.place):
        await answer_key(update, context, "access.other_area", alert=True)
        return
    await answer(update)
    await drop_buttons(update)
    await _ask_text(update, context, {"theme": theme.id})


async def on_place(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Write to the residents of a place in the ambassador's own area."""
    if len(args) != 2:
        await answer_key(update, context, "common.stale_button")
        return
    place = read_place(*args)
    if place is None or not may_manage(user_id(update), context.services.config, place):
        await answer_key(update, context, "access.other_area", alert=True)
        return
    await answer(update)
    await drop_buttons(update)
    await _ask_text(update, context, {"place": stored(place)})


async def on_send(update: Update, context: BuurtContext, _: list[str]) -> None:
    """Send the message that was shown."""
    await _decided(update, context, send=True)


async def on_cancel(update: Update, context: BuurtContext, _: list[str]) -> None:
    """Drop the message that was shown."""
    await _decided(update, context, send=False)


async def _decided(update: Update, context: BuurtContext, *, send: bool) -> None:
    # A second tap finds the message sent already: answered quietly, nothing edited.
    if not await settle(
        update, still_open=context.state.flow == FLOW and context.state.step == CONFIRM
    ):
        return
    if send and not await still_manages(update, context, await _target(context)):
        await context.services.repo.set_state(chat_id(update), None, None, {})
        return
    await _finish(update, context, send=send)


async def _target(context: BuurtContext) -> PlaceRef:
    """The place the prepared message goes to: its theme's place, or the place chosen."""
    data = context.state.data
    if "theme" in data:
        theme = await context.services.repo.get_theme(int(data["theme"]))
        # A theme gone meanwhile belongs to nobody's area; only an admin may still send.
        return theme.place if theme is not None else MUNICIPALITY
    return from_stored(data["place"])


def _place_keyboard(update: Update, context: BuurtContext) -> InlineKeyboardMarkup:
    """The municipality (for an admin), then each area the ambassador has, with its villages."""
    municipality = context.services.config.municipality
    allowed = manageable_places(user_id(update), context.services.config)
    rows: list[list[InlineKeyboardButton]] = []
    if allowed is None:
        label = plain(context.lang, "newtheme.whole_municipality", municipality=municipality.name)
        rows.append([_place_button(label, MUNICIPALITY)])
    for area in municipality.areas:
        if allowed is None or PlaceRef(PlaceKind.AREA, area.key) in allowed:
            rows.append([_place_button(area.name, PlaceRef(PlaceKind.AREA, area.key))])
            for village in area.villages:
                place = PlaceRef(PlaceKind.VILLAGE, village.key)
                rows.append([_place_button(village.name, place)])
    return InlineKeyboardMarkup(rows[:MAX_PLACE_BUTTONS])


def _place_button(label: str, place: PlaceRef) -> InlineKeyboardButton:
    data = pack(MESSAGE_PREFIX, MessageAction.PLACE, place_code(place))
    return InlineKeyboardButton(label, callback_data=data)


async def _ask_text(update: Update, context: BuurtContext, data: dict[str, Any]) -> None:
    """Remember whom the message is for and ask for its text."""
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
        nobody = "broadcast.nobody" if "theme" in data else "place_message.nobody"
        await say(update, context, t(lang, nobody))
        return
    await context.services.repo.set_state(chat_id(update), FLOW, CONFIRM, data)
    await say(update, context, t(lang, "broadcast.preview"))
    await say(update, context, t(lang, "broadcast.from_ambassador", text=text))
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(lang, "broadcast.send", MessageAction.SEND),
                _button(lang, "broadcast.cancel", MessageAction.CANCEL),
            ]
        ]
    )
    confirm = "broadcast.confirm" if "theme" in data else "place_message.confirm"
    text = t(lang, confirm, count=len(recipients))
    cost = cost_line(lang, context.services.config.delivery, len(recipients))
    if cost is not None:
        text = Html(f"{cost}\n\n{text}")
    await say(update, context, text, keyboard)


async def _finish(update: Update, context: BuurtContext, *, send: bool) -> None:
    """Queue the message for everyone it reaches, or say it was not sent."""
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
    # A message to a place has no theme: the audit line names the place instead.
    where = {} if "theme" in data else {"place": str(data["place"])}
    await queue_broadcast(
        update,
        context,
        BroadcastKind.MESSAGE,
        recipients,
        render,
        theme_id=theme_id,
        audit_detail=where,
    )


# A new text at the confirm step replaces the message, and is shown again.
STEPS: dict[str, StepHandler] = {TEXT: on_text, CONFIRM: on_text}


ROUTES: dict[str, ButtonHandler] = {
    MessageAction.WHO: on_who,
    MessageAction.THEME: on_theme,
    MessageAction.PLACE: on_place,
    MessageAction.SEND: on_send,
    MessageAction.CANCEL: on_cancel,
}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of /bericht."""
    return [
        CommandHandler("bericht", message_command, filters=filters.ChatType.PRIVATE),
        *button_routes(MESSAGE_PREFIX, ROUTES, guard=ambassadors_only),
    ]
