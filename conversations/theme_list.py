"""Which themes a resident sees: the active ones of their place, or all when they chose none."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import pack
from bot.clock import local_today
from bot.context import BuurtContext
from bot.text_limits import BUTTON_LABEL_LIMIT, shorten
from storage.models import Theme, ThemeStatus


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
            for theme in themes[:20]
        ]
    )
