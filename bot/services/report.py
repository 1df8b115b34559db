"""Gather the council's report of one theme from storage (for /export and `buurtbot export`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.config import Config
from bot.core.i18n import plain
from bot.services.exports import board_export, moments_of
from bot.services.progress import theme_progress
from bot.village.local_time import format_when
from bot.village.report import (
    CouncilReport,
    MomentLine,
    TableLine,
    most_shared,
    reach_by_place,
    totals,
)
from storage.models import (
    Commitment,
    MemberStatus,
    MomentStatus,
    NoteReach,
    PlaceKind,
    PlaceRef,
    Theme,
)
from storage.repository import Repository


async def council_report(
    repo: Repository, config: Config, theme: Theme, *, language: str, now: datetime
) -> CouncilReport:
    """Everything the report shows, read from the database as of now."""
    board = await board_export(repo, config, theme, language=language, now=now)
    rows = [_with_place(config, row) for row in await repo.note_reach(theme.id)]
    names = {
        (row.village_key, row.neighbourhood_key): _place_name(
            config, row.village_key, row.neighbourhood_key
        )
        for row in rows
        if row.village_key or row.neighbourhood_key
    }
    people, per_quadrant, per_origin = totals(rows)
    return CouncilReport(
        board=board,
        progress=await theme_progress(repo, theme, now),
        people=people,
        notes_per_quadrant=per_quadrant,
        notes_per_origin=per_origin,
        reach=reach_by_place(rows, names, plain(language, "council.elsewhere")),
        shared=most_shared(board.notes),
        tables=await _tables(repo, theme, {note.number: note.text for note in board.notes}),
        moments=await _moments(repo, config, theme, language),
    )


def _with_place(config: Config, row: NoteReach) -> NoteReach:
    """A note heard in person counts where its speaker lives, when the ambassador tapped it."""
    if row.heard_in is None or row.writer is not None:
        return row
    if config.municipality.village(row.heard_in) is not None:
        return replace(row, village_key=row.heard_in)
    return replace(row, neighbourhood_key=row.heard_in)


def _place_name(config: Config, village: str | None, hood: str | None) -> str:
    municipality = config.municipality
    if hood and not village:
        found = municipality.village_of_neighbourhood(hood)
        village = found.key if found else None
    parts = []
    if village:
        parts.append(municipality.place_name(PlaceRef(PlaceKind.VILLAGE, village)))
    if hood:
        parts.append(municipality.place_name(PlaceRef(PlaceKind.NEIGHBOURHOOD, hood)))
    return ", ".join(parts)


async def _tables(repo: Repository, theme: Theme, shown: dict[int, str]) -> tuple[TableLine, ...]:
    lines = []
    for table in await repo.list_tables([theme.id]):
        members = await repo.list_members(table.id)
        seated = [m for m in members if m.status == MemberStatus.MEMBER]
        counts = {kind: sum(1 for m in seated if m.commitment == kind) for kind in Commitment}
        lines.append(
            TableLine(
                title=table.title,
                think=counts[Commitment.THINK],
                take_part=counts[Commitment.TAKE_PART],
                connect=counts[Commitment.CONNECT],
                waiting=len(members) - len(seated),
                # Only notes the board shows: a hidden note's words stay out of the report.
                grew_from=tuple(
                    shown[n] for n in await repo.table_note_ids(table.id) if n in shown
                ),
            )
        )
    return tuple(lines)


async def _moments(
    repo: Repository, config: Config, theme: Theme, language: str
) -> tuple[MomentLine, ...]:
    lines = []
    for moment in await moments_of(repo, theme):
        coming, not_coming = await repo.rsvp_counts(moment.id)
        lines.append(
            MomentLine(
                title=moment.title,
                when=format_when(moment.starts_at, language, config.municipality.tz),
                coming=coming,
                not_coming=not_coming,
                cancelled=moment.status == MomentStatus.CANCELLED,
            )
        )
    return tuple(lines)
