"""A theme's board as files people can use: Markdown for a newsletter, CSV for a spreadsheet,
JSON for other software, and the contact list of those who agreed to be invited.

Only what the board shows goes in: the notes moderators let through, in the resident's own
words, without names or Telegram ids. The contact list is its own file, for ambassadors and
admins only.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.i18n import plain
from bot.village.board import QUADRANT_ORDER, BoardExport, ExportNote
from storage.models import Quadrant


@dataclass(frozen=True)
class ContactRow:
    """A resident who agreed to be invited to the follow-up of a theme."""

    telegram_id: int
    phone: str
    village: str
    neighbourhood: str
    language: str


def note_words(note: ExportNote, lang: str) -> str:
    """Return what a note says in words; a photo or voice note also says what it was.

    Line breaks stay: the board picture shows them, and the text formats fold them away.
    """
    if note.kind == "voice":
        return plain(lang, "export.voice_note")
    if note.kind == "photo":
        label = plain(lang, "export.photo_note")
        return f"{label} {note.text}" if note.text.strip() else label
    return note.text


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def _md(text: str) -> str:
    """Escape a resident's words so Markdown shows them as written, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def board_markdown(board: BoardExport) -> str:
    """The board as Markdown: the theme, then each quadrant with its notes."""
    lang = board.language
    lines = [f"# {_md(board.title)}", ""]
    about = " · ".join(part for part in (board.place, board.period) if part)
    if about:
        lines += [_md(about), ""]
    if board.invitation:
        lines += [_md(board.invitation), ""]
    if board.question:
        lines += [f"> {_md(board.question)}", ""]
    for quadrant in QUADRANT_ORDER:
        notes = board.in_quadrant(quadrant)
        if quadrant == Quadrant.OTHER and not notes:
            continue
        lines.append(f"## {plain(lang, f'quadrants.{quadrant.value}')} ({len(notes)})")
        lines.append("")
        if not notes:
            lines += [f"_{plain(lang, 'export.empty')}_", ""]
            continue
        for note in notes:
            line = f"- {_md(note_words(note, lang))}"
            if note.in_person:
                line += " " + _md(f"({plain(lang, 'square.board.mark')})")
            if note.also_mentioned:
                line += " " + _md(
                    plain(lang, "export.also_mentioned", count=note.also_mentioned + 1)
                )
            lines.append(line)
        lines.append("")
    lines.append(f"_{_md(board.footer())}_")
    return "\n".join(lines) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """A spreadsheet must not run a note as a formula: such a cell gets a leading quote."""
    return "'" + text if text.startswith(_FORMULA_START) else text


_PHONE = re.compile(r"\+?[0-9 ]{3,20}")


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                # A phone number as Telegram shares it (+31...) is no formula.
                _cell(value) if isinstance(value, str) and not _PHONE.fullmatch(value) else value
                for value in row
            ]
        )
    # With a BOM, spreadsheet programs read the file as UTF-8 (ë, é, emoji).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


CSV_HEADER = (
    "number",
    "quadrant",
    "quadrant_name",
    "kind",
    "text",
    "date",
    "also_mentioned",
    "in_person",
    "heard_in",
)


def board_csv(board: BoardExport) -> bytes:
    """One row per note, oldest first."""
    lang = board.language
    return _csv(
        CSV_HEADER,
        [
            (
                note.number,
                note.quadrant.value,
                plain(lang, f"quadrant.{note.quadrant.value}"),
                note.kind,
                note.text,
                note.date.isoformat(),
                note.also_mentioned,
                1 if note.in_person else 0,
                note.heard_in,
            )
            for note in board.notes
        ],
    )


def board_json(board: BoardExport) -> bytes:
    """The theme and its notes, for other software."""
    data = {
        "theme": {
            "code": board.code,
            "title": board.title,
            "invitation": board.invitation,
            "question": board.question,
            "place": board.place,
            "period": board.period,
            "status": board.status,
        },
        "municipality": board.municipality,
        "exported_at": board.exported_at.isoformat(),
        "counts": {q.value: len(board.in_quadrant(q)) for q in QUADRANT_ORDER},
        # Heard in person at the stand, counted apart from what came in through the chat.
        "counts_in_person": {
            q.value: sum(1 for note in board.in_quadrant(q) if note.in_person)
            for q in QUADRANT_ORDER
        },
        "notes": [
            {
                "number": note.number,
                "quadrant": note.quadrant.value,
                "kind": note.kind,
                "text": note.text,
                "date": note.date.isoformat(),
                "also_mentioned": note.also_mentioned,
                "in_person": note.in_person,
                "heard_in": note.heard_in or None,
            }
            for note in board.notes
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


CONTACT_HEADER = ("telegram_id", "chat_link", "phone", "village", "neighbourhood", "language")


def contacts_csv(contacts: Sequence[ContactRow]) -> bytes:
    """Who agreed to be invited: how to reach them, nothing of what they wrote."""
    return _csv(
        CONTACT_HEADER,
        [
            (
                c.telegram_id,
                f"tg://user?id={c.telegram_id}",
                c.phone,
                c.village,
                c.neighbourhood,
                c.language,
            )
            for c in contacts
        ],
    )


@dataclass(frozen=True)
class TableCardExport:
    """A conversation table's card without names: the initiator's and the members' names,
    and what members wrote about how they take part, stay out (nobody reviewed those)."""

    title: str
    what: str
    ambitions: str
    agreements: str
    working: str
    who: str  # the counts per way of taking part
    places: str


def table_cards_markdown(
    theme_title: str, cards: Sequence[TableCardExport], lang: str, footer: str
) -> str:
    """The theme's table cards (tafelkaarten) as Markdown."""
    lines = [f"# {_md(plain(lang, 'export.cards_title', theme=theme_title))}", ""]
    if not cards:
        lines += [f"_{_md(plain(lang, 'export.no_tables'))}_", ""]
    empty = plain(lang, "export.empty_field")
    for card in cards:
        lines += [f"## {_md(card.title)}", ""]
        for key, value in (
            ("tables.field_what", card.what),
            ("tables.field_ambitions", card.ambitions),
            ("export.field_who", card.who),
            ("tables.field_agreements", card.agreements),
            ("tables.field_working", card.working),
        ):
            shown = _md(value) if value.strip() else _md(empty)
            lines.append(f"- **{_md(plain(lang, key))}:** {shown}")
        lines += [f"- {_md(card.places)}", ""]
    lines.append(f"_{_md(footer)}_")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class InPersonContactRow:
    """Someone at the stand who agreed, in person, to be invited to a theme's tables."""

    first_name: str
    phone: str
    email: str
    purpose: str
    consent: str
    noted_by: str  # the ambassador's Telegram id, or "" when they were erased
    noted_on: str


IN_PERSON_CONTACT_HEADER = (
    "first_name",
    "phone",
    "email",
    "purpose",
    "consent",
    "noted_by",
    "noted_on",
)


def in_person_contacts_csv(contacts: Sequence[InPersonContactRow]) -> bytes:
    """The contacts noted at the stand, with how and when they agreed: nothing else."""
    return _csv(
        IN_PERSON_CONTACT_HEADER,
        [
            (c.first_name, c.phone, c.email, c.purpose, c.consent, c.noted_by, c.noted_on)
            for c in contacts
        ],
    )
