"""The groups of alike notes as ambassadors read them, in Dutch and English."""

from __future__ import annotations

from datetime import date

from bot.village.board import ExportNote, note_groups
from conversations.note_groups import groups_text
from storage.models import Quadrant


def _notes(*texts: str, kind: str = "text") -> tuple[ExportNote, ...]:
    return tuple(
        ExportNote(number, Quadrant.WISH, kind, text, date(2027, 3, 1))
        for number, text in enumerate(texts, start=1)
    )


def test_groups_list_every_note_and_keep_voice_notes_alone() -> None:
    notes = (
        *_notes("A bench at the bus stop", "A market on Saturday", "Benches at the bus stop"),
        ExportNote(4, Quadrant.WISH, "voice", "", date(2027, 3, 1)),
    )
    groups = note_groups(notes)
    assert [[n.number for n in g.notes] for g in groups] == [[1, 3], [2], [4]]
    assert groups == note_groups(notes)
    text = groups_text("en", groups)
    assert text.startswith("<b>Notes that are alike</b>\n\n<b>")
    assert ": 2 notes\n  • A bench at the bus stop\n  • Benches at the bus stop" in text
    assert text.endswith("2 more notes are like no other.")


def test_no_notes_says_so() -> None:
    assert groups_text("nl", ()) == "Er staan nog geen briefjes op het bord."
