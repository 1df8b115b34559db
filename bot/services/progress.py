"""Count a theme's four B's from storage, the same for the chat's /voortgang and any screen."""

from __future__ import annotations

from datetime import datetime

from bot.village.progress import NEW_WITHIN, Progress
from storage.models import BOARD_QUADRANTS, Quadrant, Theme
from storage.repository import Repository


async def theme_progress(repo: Repository, theme: Theme, now: datetime) -> Progress:
    """The theme's progress as of now."""
    counts = await repo.count_notes(theme.id)
    participants = await repo.theme_participants(theme.id)
    cards = await repo.card_counts(theme.id)
    return Progress(
        title=theme.title,
        involved=len(participants),
        involved_new_this_week=await repo.new_participants_since(theme.id, now - NEW_WITHIN),
        notes_per_quadrant={q.value: counts[q] for q in BOARD_QUADRANTS},
        tables=await repo.count_tables(theme.id),
        commitments=await repo.count_commitments(theme.id),
        examples=counts[Quadrant.EXAMPLE],
        moments_held=await repo.count_moments_held(theme.id, now),
        in_person=await repo.count_in_person(theme.id),
        cards_printed=cards.printed,
        cards_used=cards.used,
        from_web=await repo.count_web_notes(theme.id),
    )
