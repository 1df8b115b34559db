"""Follow-through: each consenting writer of a note a table grew from hears of it, once."""

from __future__ import annotations

from datetime import datetime

from bot.core.i18n import t
from storage.models import NewMessage, TalkTable
from storage.repository import Repository

# A quote long enough to recognise one's own note, short enough for one line.
_QUOTE = 60


async def queue_follow_up(repo: Repository, table: TalkTable, now: datetime) -> int:
    """Queue "your note got a follow-up" for each consenting writer; the dedupe key per
    table and person makes a second call (a repeated tap, a restart) send nothing again."""
    messages = [
        NewMessage(
            writer.user_id,
            t(
                writer.language,
                "follow.table_grew",
                note=_quote(writer.note_text),
                table=table.title,
            ),
            due_at=now,
            dedupe_key=f"follow-table:{table.id}:{writer.user_id}",
        )
        for writer in await repo.follow_up_writers(table.id)
    ]
    return await repo.enqueue(messages) if messages else 0


def _quote(text: str) -> str:
    """The start of a note on one line, cut after a whole word."""
    line = " ".join(text.split())
    if len(line) <= _QUOTE:
        return line
    cut = line[:_QUOTE].rsplit(" ", 1)[0] or line[:_QUOTE]
    return cut + "…"
