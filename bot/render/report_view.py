"""The council's report as headed sections of sentences and tables, in the reader's language.

Written once for both files: the PDF (report_pdf.py) and the HTML page (report_html.py) only
lay these sections out, so the two never say different things.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import number, plain
from bot.render.wording import quadrant_name
from bot.village.board import QUADRANT_ORDER
from bot.village.report import ORIGINS, CouncilReport, Count


@dataclass(frozen=True)
class Grid:
    """A table with a caption, column headings, and rows whose first cell names the row."""

    caption: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...] = ()
    grids: tuple[Grid, ...] = ()
    quotes: tuple[tuple[str, str], ...] = ()  # (the note's words, how many share it)


@dataclass(frozen=True)
class ReportView:
    language: str
    title: str
    intro: str
    facts: tuple[tuple[str, str], ...]  # (label, value): the period and the place
    made: str
    sections: tuple[Section, ...]
    footer: str


def report_view(report: CouncilReport) -> ReportView:
    """Turn the report's figures into what a reader sees."""
    board = report.board
    lang = board.language
    made = board.exported_at.strftime("%Y-%m-%d")
    facts = tuple(
        (plain(lang, key), value)
        for key, value in (("council.period", board.period), ("council.place", board.place))
        if value
    )
    return ReportView(
        language=lang,
        title=plain(lang, "council.title", title=board.title),
        intro=plain(lang, "council.intro"),
        facts=facts,
        made=plain(lang, "council.made", date=made),
        sections=(
            _summary(report),
            _reach(report),
            _four_bs(report),
            _shared(report),
            _groups(report),
            _tables(report),
            _grew_from(report),
            _moments(report),
        ),
        footer=plain(lang, "council.footer", municipality=board.municipality, date=made),
    )


def shown(lang: str, count: Count) -> str:
    """A place's figure, or "fewer than 5" where it could point at someone."""
    return plain(lang, "council.fewer") if count.hidden else number(lang, count.value)


def _summary(report: CouncilReport) -> Section:
    lang = report.board.language
    origins = tuple(
        (plain(lang, f"council.origin_{o}"), number(lang, report.notes_per_origin[o]))
        for o in ORIGINS
    )
    caption = plain(lang, "council.origins")
    return Section(
        heading=plain(lang, "council.summary"),
        lines=(
            plain(lang, "council.people", count=report.people),
            plain(lang, "council.notes", count=report.notes),
        ),
        grids=(Grid(caption, (caption, plain(lang, "council.col_notes")), origins),),
    )


def _reach(report: CouncilReport) -> Section:
    lang = report.board.language
    place = plain(lang, "council.col_place")
    heading = plain(lang, "council.reach")
    what = Grid(
        heading,
        (
            place,
            plain(lang, "council.col_people"),
            plain(lang, "council.col_notes"),
            *(quadrant_name(lang, q.value) for q in QUADRANT_ORDER),
        ),
        tuple(
            (
                p.name,
                shown(lang, p.people),
                shown(lang, p.notes),
                *(shown(lang, p.per_quadrant[q]) for q in QUADRANT_ORDER),
            )
            for p in report.reach
        ),
    )
    how = Grid(
        plain(lang, "council.reach_origins"),
        (place, *(plain(lang, f"council.origin_{o}") for o in ORIGINS)),
        tuple((p.name, *(shown(lang, p.per_origin[o]) for o in ORIGINS)) for p in report.reach),
    )
    return Section(heading=heading, grids=(what, how))


def _four_bs(report: CouncilReport) -> Section:
    lang = report.board.language
    p = report.progress
    aware = ", ".join(
        plain(lang, f"counted.{key}", count=p.notes_per_quadrant.get(key, 0))
        for key in ("wish", "example", "possibility", "question")
    )
    return Section(
        heading=plain(lang, "council.four_bs"),
        lines=(
            plain(lang, "council.involved")
            + ": "
            + plain(
                lang,
                "council.involved_text",
                involved=plain(lang, "counted.residents", count=p.involved),
                new=number(lang, p.involved_new_this_week),
            ),
            plain(lang, "council.aware") + ": " + aware,
            plain(lang, "council.available")
            + ": "
            + plain(
                lang,
                "council.available_text",
                tables=plain(lang, "counted.tables", count=p.tables),
                commitments=plain(lang, "counted.commitments", count=p.commitments),
            ),
            plain(lang, "council.capable")
            + ": "
            + plain(
                lang,
                "council.capable_text",
                examples=plain(lang, "counted.example", count=p.examples),
                moments=plain(lang, "counted.moments_held", count=p.moments_held),
            ),
        ),
    )


def _shared(report: CouncilReport) -> Section:
    lang = report.board.language
    if not report.shared:
        return Section(plain(lang, "council.shared"), lines=(plain(lang, "council.shared_none"),))
    quotes = tuple(
        (note.text, plain(lang, "council.shared_by", count=note.shared_by))
        for note in report.shared
    )
    return Section(plain(lang, "council.shared"), quotes=quotes)


def _groups(report: CouncilReport) -> Section:
    lang = report.board.language
    heading = plain(lang, "council.groups")
    # A group of one says nothing about what people share; each group lists all its notes.
    groups = [g for g in report.board.groups if len(g.notes) > 1]
    if not groups:
        return Section(heading, lines=(plain(lang, "council.groups_none"),))
    quotes = tuple(
        (
            " · ".join(note.text for note in group.notes),
            plain(
                lang,
                "council.group_label",
                words=", ".join(group.label),
                count=len(group.notes),
            ),
        )
        for group in groups
    )
    return Section(heading, quotes=quotes)


def _tables(report: CouncilReport) -> Section:
    lang = report.board.language
    heading = plain(lang, "council.tables")
    if not report.tables:
        return Section(heading, lines=(plain(lang, "council.tables_none"),))
    headings = tuple(
        plain(lang, f"council.col_{key}")
        for key in ("table", "think", "take_part", "connect", "waiting")
    )
    rows = tuple(
        (
            table.title,
            number(lang, table.think),
            number(lang, table.take_part),
            number(lang, table.connect),
            number(lang, table.waiting),
        )
        for table in report.tables
    )
    return Section(heading, grids=(Grid(heading, headings, rows),))


def _grew_from(report: CouncilReport) -> Section:
    lang = report.board.language
    heading = plain(lang, "council.grew_from")
    quotes = tuple(
        (words, plain(lang, "council.grew_into", table=table.title))
        for table in report.tables
        for words in table.grew_from
    )
    if not quotes:
        return Section(heading, lines=(plain(lang, "council.grew_from_none"),))
    return Section(heading, quotes=quotes)


def _moments(report: CouncilReport) -> Section:
    lang = report.board.language
    heading = plain(lang, "council.moments")
    if not report.moments:
        return Section(heading, lines=(plain(lang, "council.moments_none"),))
    headings = tuple(
        plain(lang, f"council.col_{key}") for key in ("moment", "when", "coming", "not_coming")
    )
    rows = tuple(
        (
            moment.title + (f" ({plain(lang, 'council.cancelled')})" if moment.cancelled else ""),
            moment.when,
            number(lang, moment.coming),
            number(lang, moment.not_coming),
        )
        for moment in report.moments
    )
    return Section(heading, grids=(Grid(heading, headings, rows),))
