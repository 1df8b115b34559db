"""Places an ambassador may name a theme or a message for, and how buttons and state hold them."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.chat.callbacks import Codes
from bot.chat.context import BuurtContext
from bot.chat.updates import user_id
from bot.core.i18n import plain
from bot.village.access import manageable_places
from storage.models import MUNICIPALITY, PlaceKind, PlaceRef

PLACE_KIND_CODES = Codes(
    {
        PlaceKind.MUNICIPALITY: "m",
        PlaceKind.AREA: "a",
        PlaceKind.VILLAGE: "v",
        PlaceKind.NEIGHBOURHOOD: "n",
    }
)
# Buttons cannot carry an empty part, so the municipality's empty key travels as "-".
_NO_KEY = "-"
# Telegram refuses keyboards much longer than this.
MAX_PLACE_BUTTONS = 99


def stored(place: PlaceRef) -> str:
    """The place as chat_state keeps it: kind:key."""
    return f"{place.kind.value}:{place.key}"


def from_stored(value: object) -> PlaceRef:
    """Read a place chat_state kept; the whole municipality when none was chosen."""
    kind, _, key = str(value or "municipality:").partition(":")
    return PlaceRef(PlaceKind(kind), key)


def place_of(data: dict[str, Any]) -> PlaceRef:
    """The place of the theme being named."""
    return from_stored(data.get("place"))


def place_code(place: PlaceRef) -> str:
    """The place as a button carries it: letter:key."""
    return f"{PLACE_KIND_CODES.code(place.kind)}:{place.key or _NO_KEY}"


def read_place(letter: str, key: str) -> PlaceRef | None:
    """The place a pressed button names, or None when the letter is forged."""
    kind = PLACE_KIND_CODES.value(letter)
    return PlaceRef(kind, "" if key == _NO_KEY else key) if kind else None


def theme_places(update: Update, context: BuurtContext) -> list[tuple[PlaceRef, str]]:
    """Every place the presser may name a theme for, with its label, in the municipality's order."""
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
    mine = [(place, label) for place, label in places if allowed is None or place in allowed]
    return mine[:MAX_PLACE_BUTTONS]
