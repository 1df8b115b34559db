"""Who hears of a place: the villages and neighbourhoods it reaches, and who asked for it.

A theme for the whole municipality reaches everyone who asked for news, also those who
chose no village; a theme for an area reaches its villages; a neighbourhood's theme only
that neighbourhood. The same holds for an ambassador's message to a place: anyone reached
only because of where they live asked for it (theme news), and /stop ends both.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.config import Municipality
from storage.models import Consent, PlaceKind, PlaceRef

# What a resident reached only by where they live must have agreed to; /stop withdraws it.
PLACE_CONSENT = Consent.THEME_NEWS


@dataclass(frozen=True)
class Audience:
    """The residents a place reaches, by where they said they live; None means no limit."""

    villages: list[str] | None = None
    neighbourhoods: list[str] | None = None
    consent: Consent = PLACE_CONSENT


def theme_audience(municipality: Municipality, place: PlaceRef) -> Audience:
    """Where the residents live who hear of a theme for this place, or of a message to it."""
    if place.kind == PlaceKind.MUNICIPALITY:
        return Audience()
    if place.kind == PlaceKind.AREA:
        area = municipality.area(place.key)
        return Audience(villages=[v.key for v in area.villages] if area else [])
    if place.kind == PlaceKind.VILLAGE:
        return Audience(villages=[place.key])
    return Audience(neighbourhoods=[place.key])
