"""The village talk on the square: where the speaker of a note heard in person may live."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.config import Area, Municipality
from storage.models import PlaceKind, PlaceRef

MAX_SPEAKER_PLACES = 8
"""More buttons than this under every note would bury the five places."""


@dataclass(frozen=True)
class SpeakerPlace:
    """A village or neighbourhood a speaker at the stand may come from."""

    stored: str  # "v:<key>" or "n:<key>", as notes.heard_in keeps it
    name: str


def _area_of(municipality: Municipality, place: PlaceRef) -> Area | None:
    match place.kind:
        case PlaceKind.AREA:
            return municipality.area(place.key)
        case PlaceKind.VILLAGE:
            return municipality.area_of_village(place.key)
        case PlaceKind.NEIGHBOURHOOD:
            village = municipality.village_of_neighbourhood(place.key)
            return municipality.area_of_village(village.key) if village else None
        case _:
            return None


def speaker_places(municipality: Municipality, place: PlaceRef) -> tuple[SpeakerPlace, ...]:
    """The theme's own village's neighbourhoods, then the villages around it, in config order."""
    found: list[SpeakerPlace] = []
    village_key = place.key if place.kind == PlaceKind.VILLAGE else None
    if place.kind == PlaceKind.NEIGHBOURHOOD:
        village = municipality.village_of_neighbourhood(place.key)
        village_key = village.key if village else None
    village = municipality.village(village_key) if village_key else None
    if village is not None:
        found += [SpeakerPlace(f"n:{n.key}", n.name) for n in village.neighbourhoods]
    area = _area_of(municipality, place)
    areas = (area,) if area is not None else municipality.areas
    for each in areas:
        found += [SpeakerPlace(f"v:{v.key}", v.name) for v in each.villages]
    return tuple(found[:MAX_SPEAKER_PLACES])


def speaker_place_name(municipality: Municipality, stored: str | None) -> str | None:
    """The name of a stored speaker place; None when none was given or it left the config."""
    if not stored or ":" not in stored:
        return None
    kind, key = stored.split(":", 1)
    found = municipality.neighbourhood(key) if kind == "n" else municipality.village(key)
    return found.name if found is not None else None
