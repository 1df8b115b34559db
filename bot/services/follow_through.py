"""Follow-through: each consenting writer of a note a table grew from hears of it, once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import t
from bot.village.local_time import format_when
from storage.models import NewMessage, TalkTable
from storage.repository import Repository

# A quote long enough to recognise one's own note, short enough for one line.
_QUOTE = 60


def follow_key(table_id: int, user_id: int) -> str:
    """The dedupe key of a writer's one message about a table: once per person per table."""
    return f"follow-table:{table_id}:{user_id}"


async def queue_follow_up(
    repo: Repository,
    table: TalkTable,
    now: datetime,
    tz: ZoneInfo,
    *,
    note_ids: Collection[int] | None = None,
) -> int:
    """Queue "your note got a follow-up" for each consenting writer (of note_ids only, when
    given: the notes just linked), naming the table's next planned moment when it has one.

    The dedupe key per table and person makes any later call send nothing to someone who
    heard already: a repeated tap, a restart, a note unlinked and linked again, another note
    of theirs, or a moment planned later (that one reaches them as the timeline's news).
    """
    writers = await repo.follow_up_writers(table.id, note_ids)
    if not writers:
        return 0
    upcoming = await repo.upcoming_moments(now, theme_ids=(), table_ids=(table.id,), limit=1)
    starts_at = upcoming[0].starts_at if upcoming else None
    messages = [
        NewMessage(
            writer.user_id,
            t(
                writer.language,
                "follow.table_grew_at" if starts_at else "follow.table_grew",
                note=_quote(writer.note_text),
                table=table.title,
                when=format_when(starts_at, writer.language, tz) if starts_at else "",
            ),
            due_at=now,
            dedupe_key=follow_key(table.id, writer.user_id),
        )
        for writer in writers
    ]
    return await repo.enqueue(messages)


def _quote(text: str) -> str:
    """The start of a note on one line, cut after a whole word."""
    line = " ".join(text.split())
    if len(line) <= _QUOTE:
        return line
    cut = line[:_QUOTE].rsplit(" ", 1)[0] or line[:_QUOTE]
    return cut + "…"
