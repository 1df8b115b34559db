"""Quick notes: texts a resident sends within seconds of each other are asked about once.

Each quick text stays its own note; one question ("Waar horen deze 2 briefjes bij?") covers
them all and one tap places them all. The burst lives in chat_state, so a restart keeps it
and a replayed update adds nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update

from bot.chat.context import BuurtContext
from bot.chat.replies import say_with_buttons
from bot.chat.updates import chat_id, user_id
from bot.core.i18n import t
from bot.village.redaction import contact_details_in
from conversations.village_talk.actions import PREFIX, Action
from conversations.village_talk.keyboards import quadrant_pairs
from storage.models import Note, NoteKind, NoteStatus

BURST_SECONDS = 10
"""A text this close after the resident's last unplaced one joins its question."""
BURST = "burst"
"""Chat state: the quick notes asked about together, the theme, the last date and update."""


def _waits_for_place(note: Note | None, author: int, theme_id: int) -> bool:
    """A text draft of this author and theme that waits for a quadrant and for nothing else."""
    return (
        note is not None
        and note.author_id == author
        and note.theme_id == theme_id
        and note.kind == NoteKind.TEXT
        and note.status == NoteStatus.DRAFT
        and note.quadrant is None
        and not contact_details_in(note.text or "")
    )


async def _waiting(context: BuurtContext, burst: dict[str, Any], author: int) -> list[Note]:
    """The burst's notes that still wait only for a place (not kept as 'ik ook', not placed)."""
    ids, theme_id = burst.get("notes"), burst.get("theme")
    if not isinstance(ids, list) or not isinstance(theme_id, int):
        return []
    repo = context.services.repo
    counted = await repo.counted_notes(author)
    notes = [await repo.get_note(i) for i in ids if isinstance(i, int) and i not in counted]
    return [n for n in notes if n is not None and _waits_for_place(n, author, theme_id)]


def _quick(burst: object, note: Note, date: datetime) -> bool:
    """Whether the note came within BURST_SECONDS of the burst's last note, in its theme."""
    if not isinstance(burst, dict) or burst.get("theme") != note.theme_id:
        return False
    at = burst.get("at")
    if not isinstance(at, str):
        return False
    return (date - datetime.fromisoformat(at)).total_seconds() <= BURST_SECONDS


async def ask_once(update: Update, context: BuurtContext, note: Note) -> bool:
    """Ask once where this note and the quick unplaced ones before it belong; False if alone."""
    message = update.message
    author = user_id(update)
    if message is None or not _waits_for_place(note, author, note.theme_id):
        return False
    repo = context.services.repo
    cid = chat_id(update)
    state = await repo.get_state(cid)
    burst = state.data.get(BURST)
    notes: list[Note] = []
    last = burst.get("update") if isinstance(burst, dict) else None
    if isinstance(burst, dict) and isinstance(last, int) and update.update_id <= last:
        # The same update again after a restart: it counts once, in the question it had.
        if note.id not in (burst.get("notes") or []):
            return False
        notes = await _waiting(context, burst, author)
    else:
        if _quick(burst, note, message.date):
            assert isinstance(burst, dict)
            notes = await _waiting(context, burst, author)
        fresh = {
            "theme": note.theme_id,
            "notes": [*(n.id for n in notes if n.id != note.id), note.id],
            "at": message.date.isoformat(),
            "update": update.update_id,
        }
        await repo.set_state(cid, state.flow, state.step, {**state.data, BURST: fresh})
        notes = [*(n for n in notes if n.id != note.id), note]
    ids = [n.id for n in notes]
    if len(ids) < 2:
        return False
    lang = context.lang
    await say_with_buttons(
        update,
        context,
        t(lang, "understanding.burst_where", count=len(ids)),
        quadrant_pairs(lang, PREFIX, Action.QUADRANT, note.id),
    )
    return True


async def burst_of(update: Update, context: BuurtContext, note: Note) -> list[Note]:
    """The waiting notes of the burst this note belongs to; empty when it stands alone."""
    state = await context.services.repo.get_state(chat_id(update))
    burst = state.data.get(BURST)
    if not isinstance(burst, dict) or note.id not in (burst.get("notes") or []):
        return []
    notes = await _waiting(context, burst, user_id(update))
    return notes if len(notes) > 1 and note.id in {n.id for n in notes} else []


async def forget_burst(update: Update, context: BuurtContext) -> None:
    """The burst was placed: the next quick text starts anew (its update stays, for replays)."""
    repo = context.services.repo
    cid = chat_id(update)
    state = await repo.get_state(cid)
    burst = state.data.get(BURST)
    if isinstance(burst, dict):
        emptied = {**burst, "notes": []}
        await repo.set_state(cid, state.flow, state.step, {**state.data, BURST: emptied})
