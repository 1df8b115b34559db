"""The square's buttons: the five places and the speaker's village under every note, and the
mode's own tools."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.callbacks import pack
from bot.chat.codes import QUADRANT_CODES
from bot.chat.replies import ButtonRows
from bot.core.i18n import Html, plain, t
from bot.village.square import SpeakerPlace
from conversations.square.actions import PREFIX, Action
from storage.models import Quadrant

UNKNOWN = "x"
_PLACES_PER_ROW = 3


def markup(rows: ButtonRows) -> InlineKeyboardMarkup:
    """(label, data) rows as an inline keyboard."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def where_text(lang: str, places: Sequence[SpeakerPlace], heard: str | None) -> Html:
    """Ask where the note belongs, and say whom it was heard from."""
    name = next((p.name for p in places if p.stored == heard), None)
    origin = (
        t(lang, "square.from_place", place=f"{name} ({plain(lang, 'square.same_as_before')})")
        if name
        else t(lang, "square.from_unknown")
    )
    return Html(f"{t(lang, 'square.where')}\n{origin}")


def note_rows(
    lang: str, note_id: int, places: Sequence[SpeakerPlace], heard: str | None
) -> list[list[tuple[str, str]]]:
    """The five places, two by two, then the speaker's village or neighbourhood to tap."""

    def place(q: Quadrant) -> tuple[str, str]:
        return plain(lang, f"quadrant.{q.value}"), pack(
            PREFIX, Action.PLACE, note_id, QUADRANT_CODES.code(q)
        )

    rows = [
        [place(Quadrant.WISH), place(Quadrant.EXAMPLE)],
        [place(Quadrant.POSSIBILITY), place(Quadrant.QUESTION)],
        [place(Quadrant.OTHER)],
    ]
    choices = [
        (("✓ " if p.stored == heard else "") + p.name, pack(PREFIX, Action.HEARD, note_id, index))
        for index, p in enumerate(places)
    ]
    if places:
        unknown = plain(lang, "square.unknown_place")
        choices.append(
            (
                ("✓ " if heard is None else "") + unknown,
                pack(PREFIX, Action.HEARD, note_id, UNKNOWN),
            )
        )
    rows += [choices[i : i + _PLACES_PER_ROW] for i in range(0, len(choices), _PLACES_PER_ROW)]
    return rows


def stop_row(lang: str) -> list[tuple[str, str]]:
    """Leaving the square: one tap."""
    return [(plain(lang, "square.stop"), pack(PREFIX, Action.STOP))]


def mode_rows(lang: str, theme_id: int) -> list[list[tuple[str, str]]]:
    """The square's tools: a card to hand out, a contact to note, the contact list, leave."""
    return [
        [
            (plain(lang, "square.card_button"), pack(PREFIX, Action.CARD, theme_id)),
            (plain(lang, "square.contact_button"), pack(PREFIX, Action.CONTACT, theme_id)),
        ],
        [(plain(lang, "square.contacts_button"), pack(PREFIX, Action.CONTACTS, theme_id))],
        stop_row(lang),
    ]
