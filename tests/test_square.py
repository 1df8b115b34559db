"""The square's rules, cards and storage, without the chat."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import zxingcpp
from pypdf import PdfReader

from bot.core.config import parse_config
from bot.render.invitation_card import CardContent, render_card_pdf, render_sheet_pdf
from bot.village.square import speaker_place_name, speaker_places
from storage.models import MUNICIPALITY, PlaceKind, PlaceRef, ThemeStatus
from storage.sql_repository import SqlRepository
from tests.backends import new_repository
from tests.conftest import municipality

T0 = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)
TOWN = parse_config({"municipality": municipality()}, base_dir=Path(".")).municipality


def test_a_village_theme_offers_its_neighbourhoods_then_the_villages_around() -> None:
    places = speaker_places(TOWN, PlaceRef(PlaceKind.VILLAGE, "doorwerth"))
    assert [p.name for p in places] == ["Kasteelweg", "Dorp", "Doorwerth", "Heveadorp"]
    assert speaker_place_name(TOWN, places[0].stored) == "Kasteelweg"
    assert speaker_place_name(TOWN, "v:gone") is None and speaker_place_name(TOWN, None) is None
    everywhere = speaker_places(TOWN, MUNICIPALITY)
    assert [p.name for p in everywhere] == ["Doorwerth", "Heveadorp", "Renkum", "Heelsum"]


def _card(link: str, theme: str = "Thema: Samen wonen") -> CardContent:
    return CardContent("Kom aan tafel", theme, "", "Scan de code", "Werkt één keer", link)


def _links(pdf: bytes) -> list[str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return [code.text for image in page.images for code in zxingcpp.read_barcodes(image.image)]


def test_a_card_is_a6_and_a_sheet_holds_four_codes_of_their_own() -> None:
    card = render_card_pdf(_card("https://t.me/b?start=k_one"))
    assert _links(card) == ["https://t.me/b?start=k_one"]
    sheet = render_sheet_pdf([_card(f"https://t.me/b?start=k_{n}") for n in range(4)])
    assert sorted(_links(sheet)) == [f"https://t.me/b?start=k_{n}" for n in range(4)]
    with pytest.raises(ValueError, match="a sheet holds"):
        render_sheet_pdf([_card("x")] * 5)
    # Text the font cannot draw is left out rather than breaking the card.
    assert render_card_pdf(_card("https://t.me/b?start=k_x", "Thema 🌳 \x00 \ud800 " * 40))


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[SqlRepository]:
    repository = new_repository(tmp_path / "bot.sqlite3", clock=lambda: T0)
    await repository.open()
    yield repository
    await repository.close()


async def test_a_card_works_once_and_contacts_go_after_the_theme_closed(
    repo: SqlRepository,
) -> None:
    theme = await repo.create_theme(
        title="Plein",
        invitation="",
        question="",
        place=MUNICIPALITY,
        status=ThemeStatus.ACTIVE,
        starts_on=None,
        ends_on=None,
    )
    await repo.create_invitation_card(theme.id, "hash-1", T0)
    assert await repo.use_invitation_card("hash-1", T0) == theme.id
    assert await repo.use_invitation_card("hash-1", T0) is None
    assert await repo.use_invitation_card("hash-unknown", T0) is None
    counts = await repo.card_counts(theme.id)
    assert (counts.printed, counts.used) == (1, 1)

    await repo.add_in_person_contact(
        theme.id,
        first_name="Truus",
        phone=None,
        email="t@x.nl",
        noted_by=5,
        noted_on=date(2026, 11, 6),
    )
    assert await repo.next_contacts_closing() is None  # the theme still runs
    assert await repo.forget_in_person_contacts(T0 + timedelta(days=1000)) == 0
    await repo.set_theme_status(theme.id, ThemeStatus.CLOSED, now=T0)
    assert await repo.next_contacts_closing() == T0
    assert await repo.forget_in_person_contacts(T0 - timedelta(seconds=1)) == 0
    assert await repo.forget_in_person_contacts(T0) == 1
    assert await repo.list_in_person_contacts(theme.id) == []
    # Reopening clears the closing time; closing again starts it anew.
    await repo.set_theme_status(theme.id, ThemeStatus.ACTIVE)
    assert (await repo.dump_table("themes"))[0]["closed_at"] is None
