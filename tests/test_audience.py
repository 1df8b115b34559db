"""Who hears of a theme: the whole municipality, an area's villages, one village, one street."""

from __future__ import annotations

from pathlib import Path

from bot.core.config import Municipality, parse_config
from bot.village.audience import Audience, theme_audience
from storage.models import MUNICIPALITY, PlaceKind, PlaceRef
from tests.conftest import config_data


def _municipality(tmp_path: Path) -> Municipality:
    data = config_data("http://127.0.0.1:1", tmp_path / "bot.db")
    return parse_config(data, base_dir=tmp_path, token="1:x").municipality


def test_a_theme_for_the_municipality_reaches_everyone(tmp_path: Path) -> None:
    assert theme_audience(_municipality(tmp_path), MUNICIPALITY) == Audience()


def test_an_area_theme_reaches_the_villages_of_that_area(tmp_path: Path) -> None:
    place = PlaceRef(PlaceKind.AREA, "doorwerth-heveadorp")
    assert theme_audience(_municipality(tmp_path), place) == Audience(
        villages=["doorwerth", "heveadorp"]
    )


def test_an_unknown_area_reaches_no_one(tmp_path: Path) -> None:
    place = PlaceRef(PlaceKind.AREA, "nergens")
    assert theme_audience(_municipality(tmp_path), place) == Audience(villages=[])


def test_a_village_or_neighbourhood_theme_reaches_only_that_place(tmp_path: Path) -> None:
    municipality = _municipality(tmp_path)
    village = PlaceRef(PlaceKind.VILLAGE, "renkum")
    hood = PlaceRef(PlaceKind.NEIGHBOURHOOD, "kasteelweg")
    assert theme_audience(municipality, village) == Audience(villages=["renkum"])
    assert theme_audience(municipality, hood) == Audience(neighbourhoods=["kasteelweg"])
