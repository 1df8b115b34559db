"""Which themes someone sees: a resident the active ones of their place (all when they chose
none), an ambassador those of the places they manage."""

from __future__ import annotations

from collections.abc import Collection

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.chat.callbacks import pack, unpack_int
from bot.chat.context import BuurtContext
from bot.chat.replies import answer_key, say
from bot.chat.text_limits import BUTTON_LABEL_LIMIT, shorten
from bot.chat.updates import user_id
from bot.core.clock import local_today
from bot.core.i18n import t
from bot.village.access import manageable_places, may_manage
from storage.models import Theme, ThemeStatus

# More themes than this in one list helps nobody on a phone; the newest come first.
MAX_CHOICES = 30


async def managed_themes(
    update: Update, context: BuurtContext, statuses: Collection[ThemeStatus]
) -> list[Theme]:
    """Return the themes of the places this person may manage (an admin: all), newest first."""
    places = manageable_places(user_id(update), context.services.config)
    return await context.services.repo.list_themes(places, statuses)


async def managed_theme(
    update: Update, context: BuurtContext, theme_id: str | None
) -> Theme | None:
    """Return the theme a button names when the presser may manage it; answer otherwise."""
    number = unpack_int(theme_id) if theme_id is not None else None
    theme = await context.services.repo.get_theme(number) if number is not None else None
    if theme is None:
        await answer_key(update, context, "talk.theme_gone")
        return None
    if not may_manage(user_id(update), context.services.config, theme.place):
        await answer_key(update, context, "access.other_area", alert=True)
        return None
    return theme


async def offer_themes(
    update: Update, context: BuurtContext, themes: list[Theme], prompt_key: str, *prefix: str
) -> None:
    """Ask which theme, one button each; say so kindly when there is none."""
    if not themes:
        await say(update, context, t(context.lang, "themes.none"))
        return
    await say(update, context, t(context.lang, prompt_key), theme_keyboard(themes, *prefix))


async def active_themes(context: BuurtContext) -> list[Theme]:
    """Return the active themes for the resident's place, newest first."""
    services = context.services
    municipality = services.config.municipality
    today = local_today(services.clock, municipality.tz)
    resident = context.resident
    if resident is None or (resident.village_key is None and resident.neighbourhood_key is None):
        return await services.repo.list_active_themes(None, today)
    places = municipality.places_of(resident.village_key, resident.neighbourhood_key)
    return await services.repo.list_active_themes(places, today)


async def readable_themes(context: BuurtContext) -> list[Theme]:
    """Return the themes whose board a resident can look at: running ones and closed ones."""
    services = context.services
    resident = context.resident
    places = None
    if resident is not None and (resident.village_key or resident.neighbourhood_key):
        municipality = services.config.municipality
        places = municipality.places_of(resident.village_key, resident.neighbourhood_key)
    closed = await services.repo.list_themes(places, (ThemeStatus.CLOSED,))
    return [*await active_themes(context), *closed]


def theme_keyboard(themes: list[Theme], *prefix: str) -> InlineKeyboardMarkup:
    """One button per theme, its data the prefix followed by the theme id."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    shorten(theme.title, BUTTON_LABEL_LIMIT), callback_data=pack(*prefix, theme.id)
                )
            ]
            for theme in themes[:MAX_CHOICES]
        ]
    )
