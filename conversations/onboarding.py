"""Onboarding: /start welcomes a resident, asks their village and whether they want theme news."""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.chat.callbacks import ButtonHandler, button_routes, pack
from bot.chat.commands import set_personal_menu
from bot.chat.context import BuurtContext
from bot.chat.replies import answer, answer_key, drop_buttons, say
from bot.chat.steps import StepHandler
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import Html, plain, t
from bot.village.access import Role
from conversations import village_talk
from storage.models import Consent, PlaceKind, PlaceRef

FLOW = "onboarding"
VILLAGE, NEIGHBOURHOOD, NEWS = "village", "neighbourhood", "news"
SKIP = "-"
PREFIX = "ob"
# A poster's QR code opens t.me/<bot>?start=t_<theme code>.
DEEP_LINK_PREFIX = "t_"
_ANSWERS = {"0": False, "1": True}


class Action(StrEnum):
    """What an ob: button answers."""

    VILLAGE = "v"
    NEIGHBOURHOOD = "n"
    NEWS = "news"


def _rows(buttons: list[InlineKeyboardButton], width: int = 2) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _village_keyboard(context: BuurtContext) -> InlineKeyboardMarkup:
    municipality = context.services.config.municipality
    buttons = [
        InlineKeyboardButton(village.name, callback_data=pack(PREFIX, Action.VILLAGE, village.key))
        for area in municipality.areas
        for village in area.villages
    ]
    rows = _rows(buttons)
    rows.append(
        [
            InlineKeyboardButton(
                plain(context.lang, "common.skip"), callback_data=pack(PREFIX, Action.VILLAGE, SKIP)
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def _neighbourhood_keyboard(context: BuurtContext, village_key: str) -> InlineKeyboardMarkup:
    village = context.services.config.municipality.village(village_key)
    assert village is not None
    buttons = [
        InlineKeyboardButton(n.name, callback_data=pack(PREFIX, Action.NEIGHBOURHOOD, n.key))
        for n in village.neighbourhoods
    ]
    rows = _rows(buttons)
    rows.append(
        [
            InlineKeyboardButton(
                plain(context.lang, "common.skip"),
                callback_data=pack(PREFIX, Action.NEIGHBOURHOOD, SKIP),
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def _news_keyboard(context: BuurtContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(context.lang, "common.yes_please"),
                    callback_data=pack(PREFIX, Action.NEWS, 1),
                ),
                InlineKeyboardButton(
                    plain(context.lang, "common.no_thanks"),
                    callback_data=pack(PREFIX, Action.NEWS, 0),
                ),
            ]
        ]
    )


def _name(update: Update, context: BuurtContext) -> str:
    user = update.effective_user
    return (
        user.first_name
        if user is not None and user.first_name
        else plain(context.lang, "start.someone")
    )


async def start(update: Update, context: BuurtContext) -> None:
    """Welcome the resident and ask where they live, or open the theme a deep link names."""
    if context.args and context.args[0].startswith(DEEP_LINK_PREFIX):
        code = context.args[0].removeprefix(DEEP_LINK_PREFIX)
        if await village_talk.open_by_code(update, context, code):
            return
    if context.roles != {Role.RESIDENT}:
        await set_personal_menu(
            context.bot, context.services.config, user_id(update), context.roles
        )
    resident = context.resident
    if resident is not None and resident.onboarded:
        await say(
            update, context, t(context.lang, "start.welcome_back", name=_name(update, context))
        )
        return
    await say(
        update,
        context,
        t(
            context.lang,
            "start.welcome",
            name=_name(update, context),
            municipality=context.services.config.municipality.name,
        ),
    )
    await ask_village(update, context)


async def ask_village(update: Update, context: BuurtContext) -> None:
    """Ask which village the resident lives in (skippable)."""
    if not any(area.villages for area in context.services.config.municipality.areas):
        await _ask_news(update, context)
        return
    await context.services.repo.set_state(chat_id(update), FLOW, VILLAGE, {})
    await say(update, context, t(context.lang, "start.ask_village"), _village_keyboard(context))


async def _ask_news(update: Update, context: BuurtContext) -> None:
    await context.services.repo.set_state(chat_id(update), FLOW, NEWS, {})
    await say(update, context, await _news_question(update, context), _news_keyboard(context))


async def _news_question(update: Update, context: BuurtContext) -> Html:
    """The news question names the village only to a resident who chose one."""
    resident = await context.services.repo.get_resident(user_id(update))
    if resident is not None and resident.village_key:
        return t(context.lang, "start.ask_news")
    return t(context.lang, "understanding.ask_news_anywhere")


def _answer_to(context: BuurtContext, step: str, args: list[str]) -> str | None:
    """The one answer a button gives, when it belongs to the question being asked now."""
    state = context.state
    if len(args) != 1 or state.flow != FLOW or state.step != step:
        return None
    return args[0]


async def on_village(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Store the chosen village and ask for the neighbourhood when the village has them."""
    key = _answer_to(context, VILLAGE, args)
    if key is None:
        await answer_key(update, context, "common.stale_button")
        return
    municipality = context.services.config.municipality
    village = municipality.village(key) if key != SKIP else None
    if key != SKIP and village is None:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    repo = context.services.repo
    if village is None:
        await repo.set_place(user_id(update), None, None)
        await say(update, context, t(context.lang, "start.village_skipped"))
        await _ask_news(update, context)
        return
    await repo.set_place(user_id(update), village.key, None)
    if village.neighbourhoods:
        await repo.set_state(chat_id(update), FLOW, NEIGHBOURHOOD, {"village": village.key})
        await say(
            update,
            context,
            t(context.lang, "start.ask_neighbourhood", village=village.name),
            _neighbourhood_keyboard(context, village.key),
        )
        return
    place = municipality.place_name(PlaceRef(PlaceKind.VILLAGE, village.key))
    await say(update, context, t(context.lang, "start.village_chosen", place=place))
    await _ask_news(update, context)


async def on_neighbourhood(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Store the chosen neighbourhood, then ask about theme news."""
    key = _answer_to(context, NEIGHBOURHOOD, args)
    if key is None:
        await answer_key(update, context, "common.stale_button")
        return
    municipality = context.services.config.municipality
    village = municipality.village(str(context.state.data.get("village", "")))
    neighbourhood = municipality.neighbourhood(key) if key != SKIP else None
    if village is None or (
        key != SKIP and (neighbourhood is None or neighbourhood not in village.neighbourhoods)
    ):
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    await context.services.repo.set_place(
        user_id(update), village.key, neighbourhood.key if neighbourhood else None
    )
    place = neighbourhood.name + ", " + village.name if neighbourhood else village.name
    await say(update, context, t(context.lang, "start.village_chosen", place=place))
    await _ask_news(update, context)


async def on_news(update: Update, context: BuurtContext, args: list[str]) -> None:
    """Record the answer on theme news (default no) and finish onboarding."""
    wants = _ANSWERS.get(_answer_to(context, NEWS, args) or "")
    if wants is None:
        await answer_key(update, context, "common.stale_button")
        return
    await answer(update)
    await drop_buttons(update)
    repo = context.services.repo
    await repo.set_consent(user_id(update), Consent.THEME_NEWS, wants)
    await repo.set_onboarded(user_id(update))
    await repo.set_state(chat_id(update), None, None, {})
    await say(update, context, t(context.lang, "start.news_yes" if wants else "start.news_no"))
    await say(update, context, t(context.lang, "start.finished"))


async def _repeat_question(update: Update, context: BuurtContext) -> None:
    """Ask the current onboarding question again when the resident typed instead of tapping."""
    await say(update, context, t(context.lang, "start.use_buttons"))
    step = context.state.step
    if step == VILLAGE:
        await say(update, context, t(context.lang, "start.ask_village"), _village_keyboard(context))
    elif step == NEIGHBOURHOOD:
        village_key = str(context.state.data.get("village", ""))
        village = context.services.config.municipality.village(village_key)
        if village is None:
            await ask_village(update, context)
            return
        await say(
            update,
            context,
            t(context.lang, "start.ask_neighbourhood", village=village.name),
            _neighbourhood_keyboard(context, village.key),
        )
    else:
        await say(update, context, await _news_question(update, context), _news_keyboard(context))


STEPS: dict[str, StepHandler] = {
    VILLAGE: _repeat_question,
    NEIGHBOURHOOD: _repeat_question,
    NEWS: _repeat_question,
}


ROUTES: dict[str, ButtonHandler] = {
    Action.VILLAGE: on_village,
    Action.NEIGHBOURHOOD: on_neighbourhood,
    Action.NEWS: on_news,
}


def handlers() -> list[BaseHandler[Update, BuurtContext, None]]:
    """Return the handlers of the onboarding flow."""
    return [
        CommandHandler("start", start, filters=filters.ChatType.PRIVATE),
        *button_routes(PREFIX, ROUTES),
    ]
