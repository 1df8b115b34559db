"""Exports of a theme, made the same way in the chat (/export) and on the command line
(`buurtbot export`): read from storage, render, and write a line in the audit trail."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.core.config import Config
from bot.core.i18n import plain
from bot.render.board_html import render_board_html
from bot.render.board_image import MAX_NOTES_PER_QUADRANT, render_board
from bot.render.board_pdf import board_picture, render_board_pdf
from bot.render.calendar_file import CalendarEntry, calendar_file, moment_uid
from bot.render.exports import (
    ContactRow,
    InPersonContactRow,
    TableCardExport,
    board_csv,
    board_json,
    board_markdown,
    contacts_csv,
    in_person_contacts_csv,
    table_cards_markdown,
)
from bot.render.report_html import render_report_html
from bot.render.report_pdf import render_report_pdf
from bot.render.report_view import report_view
from bot.village.board import SHOWN, BoardExport, board_content, board_notes
from storage.models import (
    BOARD_QUADRANTS,
    AuditAction,
    Commitment,
    MemberStatus,
    Moment,
    MomentStatus,
    NoteKind,
    PlaceKind,
    PlaceRef,
    TalkTable,
    Theme,
)
from storage.repository import Repository

BOARD_FORMATS: tuple[str, ...] = ("md", "csv", "json", "png", "pdf", "html")
# The theme's table cards as Markdown, and its timeline as a calendar file.
CARDS, TIMELINE = "cards", "ics"
# The council's report: an A4 PDF and an accessible HTML page (bot/services/report.py).
REPORT = "report"
THEME_FORMATS: tuple[str, ...] = (*BOARD_FORMATS, CARDS, TIMELINE, REPORT)
CONTACTS = "contacts"
_MIME = {
    "md": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
    "png": "image/png",
    "pdf": "application/pdf",
    "html": "text/html",
}
_PAGE = 500
# Every planned moment, also those that have begun: the timeline as a whole.
_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
_MOMENTS = 1000


# Fetches a photo note's photo by its Telegram file id; None when it cannot.
PhotoFetcher = Callable[[str], Awaitable[bytes | None]]


@dataclass(frozen=True)
class ExportFile:
    name: str
    data: bytes
    mime: str
    fmt: str = ""
    """The format asked for that made it (the report makes two files)."""


async def board_export(
    repo: Repository, config: Config, theme: Theme, *, language: str, now: datetime
) -> BoardExport:
    """Everything the theme's board shows, oldest note first, with duplicates counted."""
    notes = []
    offset = 0
    while True:
        page = await repo.list_notes(theme.id, statuses=SHOWN, limit=_PAGE, offset=offset)
        notes.extend(page)
        if len(page) < _PAGE:
            break
        offset += _PAGE
    duplicates = await repo.duplicate_counts(theme.id)
    support = await repo.support_counts(theme.id)
    shown = board_notes(notes, duplicates, config.municipality, support)
    return board_content(theme, config.municipality, shown, language=language, now=now)


async def board_photos(repo: Repository, theme: Theme, fetch: PhotoFetcher) -> dict[int, bytes]:
    """The photos of the photo notes the board picture shows (the newest per quadrant)."""
    wanted = []
    for quadrant in BOARD_QUADRANTS:
        newest = await repo.list_notes(theme.id, quadrant=quadrant, limit=MAX_NOTES_PER_QUADRANT)
        wanted += [n for n in newest if n.kind == NoteKind.PHOTO and n.file_id]
    fetched = await asyncio.gather(*(fetch(n.file_id) for n in wanted if n.file_id))
    return {n.id: data for n, data in zip(wanted, fetched, strict=True) if data}


def render_file(
    board: BoardExport, fmt: str, photos: Mapping[int, bytes] | None = None
) -> ExportFile:
    """One format of the board as a named file; the pictures show the photos given by note."""
    name = f"bord-{board.code}.{fmt}"
    if fmt == "md":
        data = board_markdown(board).encode("utf-8")
    elif fmt == "csv":
        data = board_csv(board)
    elif fmt == "json":
        data = board_json(board)
    elif fmt == "png":
        data = render_board(board_picture(board, photos=photos), language=board.language)
    elif fmt == "pdf":
        data = render_board_pdf(board, photos=photos)
    elif fmt == "html":
        data = render_board_html(board)
    else:
        raise ValueError(f"unknown export format: {fmt!r}")
    return ExportFile(name, data, _MIME[fmt])


async def available_formats(repo: Repository, theme: Theme) -> list[str]:
    """What "everything" means for a theme: the board, cards and timeline when it has them,
    and the council's report."""
    formats = list(BOARD_FORMATS)
    if await repo.list_tables([theme.id]):
        formats.append(CARDS)
    if await moments_of(repo, theme):
        formats.append(TIMELINE)
    formats.append(REPORT)
    return formats


async def report_files(
    repo: Repository, config: Config, theme: Theme, *, language: str, now: datetime
) -> list[ExportFile]:
    """The council's report of the theme as an A4 PDF and an accessible HTML page."""
    # Imported here: the report reads the board export of this very module.
    from bot.services.report import council_report

    view = report_view(await council_report(repo, config, theme, language=language, now=now))
    name = f"participatieverslag-{theme.code}"
    pdf = await asyncio.to_thread(render_report_pdf, view)
    return [
        ExportFile(f"{name}.pdf", pdf, "application/pdf", REPORT),
        ExportFile(f"{name}.html", render_report_html(view), "text/html", REPORT),
    ]


async def board_files(
    repo: Repository,
    config: Config,
    theme: Theme,
    formats: Sequence[str],
    *,
    language: str,
    now: datetime,
    actor_id: int | None,
    actor_name: str | None,
    via: str,
    photos: PhotoFetcher | None = None,
) -> list[ExportFile]:
    """Render the theme in these formats and write the export in the audit trail.

    With photos (the chat has Telegram at hand, the command line has not), the board
    picture and PDF show the photo notes' photos.
    """
    board = await board_export(repo, config, theme, language=language, now=now)
    pictured = photos is not None and any(fmt in ("png", "pdf") for fmt in formats)
    shown = await board_photos(repo, theme, photos) if photos is not None and pictured else {}
    files: list[ExportFile] = []
    for fmt in formats:
        if fmt == CARDS:
            files.append(await _cards_file(repo, config, theme, board))
        elif fmt == TIMELINE:
            files.append(await _timeline_file(repo, config, theme, language))
        elif fmt == REPORT:
            files += await report_files(repo, config, theme, language=language, now=now)
            continue
        else:
            files.append(await asyncio.to_thread(render_file, board, fmt, shown))
        files[-1] = replace(files[-1], fmt=fmt)
    await repo.audit(
        AuditAction.EXPORT,
        actor_id=actor_id,
        actor_name=actor_name,
        now=now,
        theme_id=theme.id,
        detail={"formats": list(formats), "notes": len(board.notes), "via": via},
    )
    return files


def _places(lang: str, table: TalkTable, seated: int, waiting: int) -> str:
    if table.capacity is None:
        return plain(lang, "tables.places_open", count=seated)
    if waiting:
        return plain(
            lang, "tables.places_waiting", taken=seated, capacity=table.capacity, waiting=waiting
        )
    return plain(lang, "tables.places", taken=seated, capacity=table.capacity)


async def _cards_file(
    repo: Repository, config: Config, theme: Theme, board: BoardExport
) -> ExportFile:
    lang = board.language
    cards = []
    for table in await repo.list_tables([theme.id]):
        members = await repo.list_members(table.id)
        seated = [m for m in members if m.status == MemberStatus.MEMBER]
        counts = {kind: sum(1 for m in seated if m.commitment == kind) for kind in Commitment}
        cards.append(
            TableCardExport(
                title=table.title,
                what=table.what,
                ambitions=table.ambitions,
                agreements=table.agreements,
                working=table.working,
                who=plain(
                    lang,
                    "tables.who_counts",
                    think=counts[Commitment.THINK],
                    take_part=counts[Commitment.TAKE_PART],
                    connect=counts[Commitment.CONNECT],
                ),
                places=_places(lang, table, len(seated), len(members) - len(seated)),
            )
        )
    text = table_cards_markdown(theme.title, cards, lang, board.footer("cards"))
    return ExportFile(f"tafelkaarten-{theme.code}.md", text.encode("utf-8"), "text/markdown")


async def moments_of(repo: Repository, theme: Theme) -> list[Moment]:
    """Every moment of the theme and its tables, begun or not: the timeline as a whole."""
    return await repo.upcoming_moments(
        _BEGINNING, theme_ids=[theme.id], with_tables=True, limit=_MOMENTS
    )


async def _timeline_file(
    repo: Repository, config: Config, theme: Theme, language: str
) -> ExportFile:
    tables = {table.id: table.title for table in await repo.list_tables([theme.id])}
    entries = [
        CalendarEntry(
            uid=moment_uid(moment.id, config.municipality.calendar_host),
            length_minutes=moment.length_minutes,
            title=moment.title,
            starts_at=moment.starts_at,
            place=moment.place,
            description=" · ".join(
                [
                    plain(language, f"timeline.kind_{moment.kind.value}"),
                    tables.get(moment.table_id or 0, theme.title),
                ]
            ),
            sequence=moment.sequence,
            cancelled=moment.status == MomentStatus.CANCELLED,
            stamp=moment.updated_at,
        )
        for moment in await moments_of(repo, theme)
    ]
    name = plain(language, "timeline.calendar_name", municipality=config.municipality.name)
    data = await asyncio.to_thread(calendar_file, entries, config.municipality.tz, name)
    return ExportFile(f"tijdlijn-{theme.code}.ics", data, "text/calendar")


def _place_names(config: Config, village: str | None, hood: str | None) -> tuple[str, str]:
    municipality = config.municipality
    village_name = municipality.place_name(PlaceRef(PlaceKind.VILLAGE, village)) if village else ""
    hood_name = municipality.place_name(PlaceRef(PlaceKind.NEIGHBOURHOOD, hood)) if hood else ""
    return village_name, hood_name


async def contacts_file(
    repo: Repository,
    config: Config,
    theme: Theme,
    *,
    now: datetime,
    actor_id: int | None,
    actor_name: str | None,
    via: str,
) -> ExportFile:
    """The theme's participants who agreed to be invited, as CSV; the export is audited."""
    rows = []
    for contact in await repo.theme_contacts(theme.id):
        village, hood = _place_names(config, contact.village_key, contact.neighbourhood_key)
        rows.append(
            ContactRow(
                telegram_id=contact.user_id,
                phone=contact.phone or "",
                village=village,
                neighbourhood=hood,
                language=contact.language,
            )
        )
    await repo.audit(
        AuditAction.CONTACTS_EXPORT,
        actor_id=actor_id,
        actor_name=actor_name,
        now=now,
        theme_id=theme.id,
        detail={"contacts": len(rows), "via": via},
    )
    return ExportFile(f"contacten-{theme.code}.csv", contacts_csv(rows), "text/csv")


async def in_person_contacts_file(
    repo: Repository,
    theme: Theme,
    *,
    now: datetime,
    actor_id: int | None,
    actor_name: str | None,
    via: str,
) -> ExportFile | None:
    """The contacts noted in person at the stand, as CSV (None when there are none); audited."""
    contacts = await repo.list_in_person_contacts(theme.id)
    if not contacts:
        return None
    rows = [
        InPersonContactRow(
            first_name=c.first_name,
            phone=c.phone or "",
            email=c.email or "",
            purpose=c.purpose,
            consent=c.consent,
            noted_by="" if c.noted_by is None else str(c.noted_by),
            noted_on=c.noted_on.isoformat(),
        )
        for c in contacts
    ]
    await repo.audit(
        AuditAction.CONTACTS_EXPORT,
        actor_id=actor_id,
        actor_name=actor_name,
        now=now,
        theme_id=theme.id,
        detail={"in_person_contacts": len(rows), "via": via},
    )
    return ExportFile(f"contacten-plein-{theme.code}.csv", in_person_contacts_csv(rows), "text/csv")
