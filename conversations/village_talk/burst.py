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


class _CleanTexts:
    """Notes whose text was found free of contact details, by id and the text's hash.

    A burst's notes are looked at again with every quick note that joins it (a text may have
    changed since: a cut message joined, an edit in /mijn); unchanged ones are known clean.
    Only a hash is kept, never the words, and only for the last ``size`` notes.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: dict[int, int] = {}

    def clean(self, note_id: int, text: str) -> bool:
        """Whether the text holds no contact details (a regex run only for a new text)."""
        digest = hash(text)
        if self._seen.get(note_id) == digest:
            return True
        if contact_details_in(text):
            return False
        if len(self._seen) >= self._size:
            del self._seen[next(iter(self._seen))]  # the oldest first
        self._seen[note_id] = digest
        return True


_CLEAN = _CleanTexts()


def _waits_for_place(note: Note | None, author: int, theme_id: int) -> bool:
    """A text draft of this author and theme that waits for a quadrant and for nothing else."""
    return (
        note is not None
        and note.author_id == author
        and note.theme_id == theme_id
        and note.kind == NoteKind.TEXT
        and note.status == NoteStatus.DRAFT
        and note.quadrant is None
        and _CLEAN.clean(note.id, note.text or "")
    )


async def _waiting(context: BuurtContext, burst: dict[str, Any], author: int) -> list[int]:
    """The burst's notes that still wait only for a place (not kept as 'ik ook', not placed)."""
    ids, theme_id = burst.get("notes"), burst.get("theme")
    if not isinstance(ids, list) or not isinstance(theme_id, int):
        return []
    wanted = [i for i in ids if isinstance(i, int)]
    drafts = await context.services.repo.waiting_drafts(author, theme_id, wanted)
    return [i for i, text in drafts.items() if _CLEAN.clean(i, text)]


def _quick(burst: object, note: Note, date: datetime) -> bool:
    """Whether the note came within BURST_SECONDS of the burst's last note, in its theme."""
    if not isinstance(burst, dict) or burst.get("theme") != note.theme_id:
        return False
    at = burst.get("at")
    if not isinstance(at, str):
        return False
    return (date - datetime.fromisoformat(at)).total_seconds() <= BURST_SECONDS


async def ask_once(update: Update, context: BuurtContext, note: Note) -> bool:
    """Ask where this note belongs: once for it and the quick unplaced ones before it.

    The burst goes into the chat state with the reply's buttons, in one write.
    """
    message = update.message
    author = user_id(update)
    if message is None or not _waits_for_place(note, author, note.theme_id):
        return False
    state = await context.services.repo.get_state(chat_id(update))  # this update's own, read once
    burst = state.data.get(BURST)
    notes: list[int] = []
    keep: dict[str, Any] | None = None
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
        notes = [*(n for n in notes if n != note.id), note.id]
        keep = {
            BURST: {
                "theme": note.theme_id,
                "notes": notes,
                "at": message.date.isoformat(),
                "update": update.update_id,
            }
        }
    lang = context.lang
    alone = len(notes) < 2
    await say_with_buttons(
        update,
        context,
        t(lang, "talk.where") if alone else t(lang, "understanding.burst_where", count=len(notes)),
        quadrant_pairs(lang, PREFIX, Action.QUADRANT, note.id),
        keep=keep,
    )
    return True


async def burst_of(update: Update, context: BuurtContext, note: Note) -> list[int]:
    """The waiting notes of the burst this note belongs to; empty when it stands alone."""
    state = await context.services.repo.get_state(chat_id(update))
    burst = state.data.get(BURST)
    if not isinstance(burst, dict) or note.id not in (burst.get("notes") or []):
        return []
    notes = await _waiting(context, burst, user_id(update))
    return notes if len(notes) > 1 and note.id in notes else []


async def forget_burst(update: Update, context: BuurtContext) -> None:
    """The burst was placed: the next quick text starts anew (its update stays, for replays)."""
    repo = context.services.repo
    cid = chat_id(update)
    state = await repo.get_state(cid)
    burst = state.data.get(BURST)
    if isinstance(burst, dict):
        emptied = {**burst, "notes": []}
        await repo.set_state(cid, state.flow, state.step, {**state.data, BURST: emptied})
