"""The demo's people, and one example theme with a few notes to look at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.core.clock import Clock, local_today
from bot.core.config import Config
from storage.models import Consent, NoteKind, NoteStatus, PlaceKind, PlaceRef, Quadrant, ThemeStatus
from storage.repository import Repository


@dataclass(frozen=True, slots=True)
class DemoPerson:
    role: str
    user_id: int
    first_name: str


# Who `/als ...` switches to; their roles come from demo.toml.
PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("bewoner", 1000001, "Sanne"),
    DemoPerson("ambassadeur", 1000002, "Ahmed"),
    DemoPerson("moderator", 1000003, "Els"),
    DemoPerson("beheerder", 1000004, "Joost"),
)

# Neighbours who already wrote something before you arrived; real chats in the playground too,
# so that a message to the theme's participants reaches them.
NEIGHBOURS: tuple[DemoPerson, ...] = (
    DemoPerson("buur", 1000101, "Fatima"),
    DemoPerson("buur", 1000102, "Kees"),
    DemoPerson("buur", 1000103, "Lotte"),
    DemoPerson("buur", 1000104, "Wim"),
)

_NOTES: tuple[tuple[int, Quadrant, str], ...] = (
    (1000101, Quadrant.WISH, "Een bankje bij de bakker, zodat je even kunt zitten en bijpraten."),
    (
        1000102,
        Quadrant.EXAMPLE,
        "Op woensdagochtend is er koffie in de bieb. Daar komt altijd wel iemand.",
    ),
    (
        1000103,
        Quadrant.POSSIBILITY,
        "De gymzaal staat 's avonds vaak leeg. Daar kan vast iets gebeuren.",
    ),
    (1000101, Quadrant.QUESTION, "Wie heeft eigenlijk de sleutel van het dorpshuis?"),
    (1000104, Quadrant.WISH, "Een moestuin waar jong en oud samen werken."),
)


async def seed_demo(repo: Repository, config: Config, clock: Clock) -> None:
    """Add the example theme and its notes once (their writers are playground chats by then)."""
    today = local_today(clock, config.municipality.tz)
    if await repo.list_active_themes(None, today):
        return
    theme = await repo.create_theme(
        title="Ontmoeten in Bosrand",
        invitation=(
            "Waar kom je andere dorpsgenoten tegen? En waar mis je een plek om even bij te praten?"
        ),
        question="Wat zou jij graag zien in Bosrand? En wat gebeurt er al?",
        place=PlaceRef(PlaceKind.AREA, "noord"),
        status=ThemeStatus.ACTIVE,
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=42),
        created_by=1000002,
    )
    for author, quadrant, text in _NOTES:
        await repo.ensure_resident(author, "nl")
        await repo.set_place(author, "bosrand", None)
        await repo.set_consent(author, Consent.THEME_NEWS, True)
        await repo.add_note(
            theme_id=theme.id,
            author_id=author,
            kind=NoteKind.TEXT,
            text=text,
            file_id=None,
            quadrant=quadrant,
            status=NoteStatus.VISIBLE,
            source_update_id=None,
        )
