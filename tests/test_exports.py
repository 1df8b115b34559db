"""The export files on their own, and `buurtbot export` on the command line."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from bot.render.board_html import render_board_html
from bot.render.board_pdf import render_board_pdf
from bot.render.exports import (
    BoardExport,
    ContactRow,
    ExportNote,
    board_csv,
    board_json,
    board_markdown,
    contacts_csv,
)
from conversations import board
from conversations.moderation import reports
from storage.models import (
    MUNICIPALITY,
    AuditAction,
    Consent,
    NoteKind,
    NoteStatus,
    Quadrant,
    ThemeStatus,
)
from storage.sqlite import SqliteRepository
from tests.process import ROOT, env_with, write_config

NOW = datetime(2027, 3, 12, 15, 30, tzinfo=UTC)
NASTY = "Hart voor elkaar <3 & *meer* _echt_ [link](x) # kop | ~ `code`"


def _board(notes: list[ExportNote], language: str = "nl") -> BoardExport:
    return BoardExport(
        code="abc23456",
        title="Samen wonen, jong en oud",
        invitation="Hoe willen we hier wonen?",
        question="Wat zou jij graag zien?",
        place="Doorwerth",
        period="1 maart 2027 – 12 april 2027",
        status="active",
        municipality="Renkum",
        exported_at=NOW,
        language=language,
        notes=tuple(notes),
    )


def _note(number: int, quadrant: Quadrant, text: str, **kw: object) -> ExportNote:
    return ExportNote(
        number=number,
        quadrant=quadrant,
        kind=str(kw.get("kind", "text")),
        text=text,
        date=date(2027, 3, 1),
        also_mentioned=int(kw.get("also", 0)),  # type: ignore[call-overload]
    )


def test_markdown_escapes_and_groups_by_quadrant() -> None:
    text = board_markdown(
        _board(
            [
                _note(1, Quadrant.WISH, NASTY, also=2),
                _note(2, Quadrant.EXAMPLE, "Het buurthuis", kind="photo"),
                _note(3, Quadrant.QUESTION, "", kind="voice"),
                _note(4, Quadrant.OTHER, "Iets over de bus\nmet een nieuwe regel"),
            ]
        )
    )
    assert text.startswith(
        "# Samen wonen, jong en oud\n\nDoorwerth · 1 maart 2027 – 12 april 2027\n"
    )
    assert "> Wat zou jij graag zien?" in text
    assert (
        "- Hart voor elkaar \\<3 & \\*meer\\* \\_echt\\_ \\[link\\](x) \\# kop \\| \\~ \\`code\\`"
        " (gedeeld door 3)" in text
    )
    assert "## Voorbeelden (1)\n\n- \\[foto\\] Het buurthuis\n" in text
    assert "## Mogelijkheden (0)\n\n_Nog leeg_\n" in text
    assert "## Vragen (1)\n\n- \\[gesproken briefje\\]\n" in text
    assert "## Iets anders (1)\n\n- Iets over de bus met een nieuwe regel\n" in text
    english = board_markdown(_board([_note(1, Quadrant.WISH, "A bench")], "en"))
    assert "## Wishes (1)\n\n- A bench\n" in english and "## Examples (0)" in english


def test_csv_and_json_read_back() -> None:
    notes = [
        _note(1, Quadrant.WISH, NASTY),
        _note(2, Quadrant.POSSIBILITY, '=HYPERLINK("http://x")'),
        _note(3, Quadrant.QUESTION, "Wat kost het? 😀 é"),
    ]
    rows = list(csv.DictReader(io.StringIO(board_csv(_board(notes)).decode("utf-8-sig"))))
    assert [r["text"] for r in rows] == [NASTY, '\'=HYPERLINK("http://x")', "Wat kost het? 😀 é"]
    assert [r["quadrant_name"] for r in rows] == ["Wens", "Mogelijkheid", "Vraag"]
    assert rows[0]["date"] == "2027-03-01"
    data = json.loads(board_json(_board(notes)))
    assert data["theme"]["code"] == "abc23456"
    assert [n["text"] for n in data["notes"]] == [n.text for n in notes]
    assert data["counts"]["wish"] == 1 and data["counts"]["other"] == 0


def test_contacts_csv() -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(
                contacts_csv(
                    [ContactRow(123, "+31612345678", "Doorwerth", "Kasteelweg", "nl")]
                ).decode("utf-8-sig")
            )
        )
    )
    assert rows == [
        {
            "telegram_id": "123",
            "chat_link": "tg://user?id=123",
            "phone": "+31612345678",
            "village": "Doorwerth",
            "neighbourhood": "Kasteelweg",
            "language": "nl",
        }
    ]


def test_pdf_is_a4_with_every_note_as_text() -> None:
    notes = [
        _note(i, quadrant, f"Briefje {i}: " + "een lang verhaal over het dorp " * (i % 7 + 1))
        for i, quadrant in enumerate(
            [Quadrant.WISH, Quadrant.EXAMPLE, Quadrant.POSSIBILITY, Quadrant.QUESTION] * 20
        )
    ]
    notes.append(_note(999, Quadrant.WISH, "Emoji 🌳 en <3 & meer"))
    pdf = PdfReader(io.BytesIO(render_board_pdf(_board(notes))))
    assert len(pdf.pages) >= 3
    for page in pdf.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    for i in (0, 41, 79):
        assert f"Briefje {i}:" in text
    assert "Emoji 🌳 en <3 & meer" in text
    assert "Samen wonen, jong en oud" in text
    empty = PdfReader(io.BytesIO(render_board_pdf(_board([]))))
    assert len(empty.pages) == 1


def test_report_list_matches_the_board_pages() -> None:
    assert reports.PAGE_SIZE == board.PAGE_SIZE


# -- the command line ------------------------------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "export", *args],
        cwd=ROOT,
        env=env_with(None),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _fill(database: Path) -> tuple[str, int, int]:
    repo = SqliteRepository(database)
    await repo.open()
    try:
        theme = await repo.create_theme(
            title="Groen dorp",
            invitation="Praat mee",
            question="Wat mis je?",
            place=MUNICIPALITY,
            status=ThemeStatus.ACTIVE,
            starts_on=date(2027, 3, 1),
            ends_on=None,
        )
        shown_by, hidden_by = 555_000_111, 555_000_222
        for user, text, status in (
            (shown_by, "Meer bomen op het plein", NoteStatus.VISIBLE),
            (hidden_by, "Geheim van Bertus", NoteStatus.PENDING),
        ):
            await repo.ensure_resident(user, "nl")
            await repo.add_note(
                theme_id=theme.id,
                author_id=user,
                kind=NoteKind.TEXT,
                text=text,
                file_id=None,
                quadrant=Quadrant.WISH,
                status=status,
                source_update_id=None,
            )
        await repo.set_consent(shown_by, Consent.CONTACT, True)
        return theme.code, shown_by, hidden_by
    finally:
        await repo.close()


def test_cli_writes_every_format_and_logs_it(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    code, shown_by, hidden_by = asyncio.run(_fill(database))
    config = write_config(tmp_path / "buurtbot.toml", "http://127.0.0.1:9", database)
    out = tmp_path / "out"
    result = _run("--config", str(config), "--theme", code.upper(), "--out", str(out))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    report = [f"participatieverslag-{code}.pdf", f"participatieverslag-{code}.html"]
    board = [f"bord-{code}.{e}" for e in ("md", "csv", "json", "png", "pdf", "html")]
    assert names == sorted(board + report)
    assert result.stdout.strip().splitlines() == [str(out / name) for name in board + report]
    page = (out / report[1]).read_text("utf-8")
    assert "Meer bomen op het plein" not in page  # shared by nobody: only counted
    assert "1 persoon deed mee" in page
    data = json.loads((out / f"bord-{code}.json").read_text("utf-8"))
    assert [n["text"] for n in data["notes"]] == ["Meer bomen op het plein"]
    assert Image.open(out / f"bord-{code}.png").size == (1080, 1350)
    assert PdfReader(out / f"bord-{code}.pdf").pages
    for path in out.iterdir():
        content = path.read_bytes().decode("latin-1")
        for needle in (str(shown_by), str(hidden_by), "Bertus"):
            assert needle not in content, path.name

    result = _run(
        "--config", str(config), "--theme", code, "--format", "contacts", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    contacts = (out / f"contacten-{code}.csv").read_text("utf-8-sig")
    assert str(shown_by) in contacts and str(hidden_by) not in contacts

    async def audit() -> list[tuple[str, str | None]]:
        repo = SqliteRepository(database)
        await repo.open()
        try:
            return [(e.action.value, e.detail.get("via")) for e in await repo.list_audit()]
        finally:
            await repo.close()

    assert asyncio.run(audit()) == [
        (AuditAction.CONTACTS_EXPORT.value, "cli"),
        (AuditAction.EXPORT.value, "cli"),
    ]


def test_cli_mistakes_exit_2_with_one_line(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    code, _, _ = asyncio.run(_fill(database))
    config = write_config(tmp_path / "buurtbot.toml", "http://127.0.0.1:9", database)
    bad = write_config(
        tmp_path / "bad.toml", "http://127.0.0.1:9", database, extra='[moderation]\nmode = "x"\n'
    )
    missing = write_config(tmp_path / "missing.toml", "http://127.0.0.1:9", tmp_path / "no.db")
    for args, words in (
        (("--config", str(bad), "--theme", code), "moderation.mode"),
        (("--config", str(config), "--theme", "zzzzzzzz"), "no theme with code"),
        (("--config", str(missing), "--theme", code), "no database at"),
        (("--theme", code), "no config"),
    ):
        result = _run(*args, "--out", str(tmp_path / "never"))
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (args, result.stderr)
    assert not (tmp_path / "never").exists()


def test_html_is_an_accessible_page_of_every_note() -> None:
    notes = [
        _note(1, Quadrant.WISH, NASTY, also=1),
        _note(2, Quadrant.QUESTION, "Wie beheert de moestuin?"),
        _note(3, Quadrant.EXAMPLE, "", kind="photo"),
    ]
    page = render_board_html(_board(notes)).decode("utf-8")
    assert page.startswith("<!doctype html>") and '<html lang="nl">' in page
    assert "<script" not in page and "http" not in page.split("<body>", 1)[1]
    # One heading per quadrant, every note in its own words, escaped by the template engine.
    assert page.count("<h2 ") == 4
    assert html.escape(NASTY, quote=False) in page and NASTY not in page
    assert "Wie beheert de moestuin?" in page and "gedeeld door 2" in page
    assert "[foto]" in page
