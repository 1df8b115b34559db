"""The outbox in shared SQL: broadcasts and their messages, claimed and settled one by one."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from storage.connection import Connection, Row
from storage.models import (
    Broadcast,
    BroadcastKind,
    Consent,
    NewMessage,
    OutboxMessage,
    OutboxStatus,
    Recipient,
)
from storage.outbox_repository import OutboxRepository
from storage.sql_core import SqlCore, _parse_ts, _placeholders, _ts

# The messages to the person go; a broadcast they sent stays (its counts are the village's),
# without the sender's chat or the progress message in it.
_ERASE_OUTBOX = (
    "DELETE FROM outbox WHERE chat_id = :user_id",
    "UPDATE broadcasts SET sender_chat_id = NULL, progress_message_id = NULL"
    " WHERE sender_chat_id = :user_id",
)

# The dedupe key of the one message an erasure leaves: "Alles is gewist", queued in the
# erasing transaction so that a crash cannot lose it, and deleted once it is settled, so
# that not even the chat id stays behind.
FAREWELL_KEY = "farewell:"

_INSERT_MESSAGE = (
    "INSERT INTO outbox (broadcast_id, chat_id, text, buttons, due_at, dedupe_key, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING"
)


async def enqueue_messages(
    conn: Connection,
    messages: Sequence[NewMessage],
    now: str,
    *,
    broadcast_id: int | None = None,
) -> int:
    """Put messages in the outbox within the caller's transaction; return how many are new.

    A message whose dedupe_key is already there is left out: that is how a digest or a
    reminder goes out once even when its job runs twice.
    """
    return await conn.executemany(
        _INSERT_MESSAGE,
        [
            (
                broadcast_id,
                m.chat_id,
                m.text,
                json.dumps([list(map(list, row)) for row in m.buttons], ensure_ascii=False),
                _ts(m.due_at) if m.due_at is not None else now,
                m.dedupe_key,
                now,
            )
            for m in messages
        ],
    )


async def _drop_farewell(conn: Connection, message_id: int) -> bool:
    """Delete an erasure's farewell once it is settled; whether this message was one."""
    deleted = await conn.execute(
        "DELETE FROM outbox WHERE id = ? AND dedupe_key LIKE ?", (message_id, f"{FAREWELL_KEY}%")
    )
    return deleted > 0


def _buttons(raw: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    return tuple(tuple((label, data) for label, data in row) for row in json.loads(raw))


def _message(row: Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        broadcast_id=row["broadcast_id"],
        chat_id=row["chat_id"],
        text=row["text"],
        buttons=_buttons(row["buttons"]),
        due_at=_parse_ts(row["due_at"]),
        status=OutboxStatus(row["status"]),
        attempts=row["attempts"],
    )


def _broadcast(row: Row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        kind=BroadcastKind(row["kind"]),
        theme_id=row["theme_id"],
        sender_chat_id=row["sender_chat_id"],
        progress_message_id=row["progress_message_id"],
        total=row["total"],
        finished=bool(row["finished"]),
        created_at=_parse_ts(row["created_at"]),
    )


class SqlOutbox(SqlCore, OutboxRepository):
    def _erase_steps(self) -> tuple[str, ...]:
        return _ERASE_OUTBOX + super()._erase_steps()

    async def export_resident(self, user_id: int) -> dict[str, Any]:
        data = await super().export_resident(user_id)
        # In a private chat the chat id is the user id: these are the messages to them.
        rows = await self._select(
            "SELECT text, buttons, status, due_at, updated_at FROM outbox"
            " WHERE chat_id = ? AND text <> '' ORDER BY id",
            (user_id,),
        )
        data["messages"] = [
            {
                "text": row["text"],
                # The labels they saw; the buttons' data are the bot's internal codes.
                "buttons": [label for line in _buttons(row["buttons"]) for label, _ in line],
                "status": row["status"],
                "due_at": row["due_at"],
                "updated_at": row["updated_at"],
            }
            for row in rows
        ]
        return data

    async def _queue_farewell(self, conn: Connection, user_id: int, farewell: NewMessage) -> None:
        # Keyed by the person: pressing "wis alles" twice before it went out says it once.
        message = replace(farewell, chat_id=user_id, dedupe_key=f"{FAREWELL_KEY}{user_id}")
        await enqueue_messages(conn, [message], self._now())

    async def create_broadcast(
        self,
        kind: BroadcastKind,
        messages: Sequence[NewMessage],
        *,
        theme_id: int | None = None,
        sender_chat_id: int | None = None,
        sender_name: str | None = None,
        audit_detail: Mapping[str, str | int] | None = None,
    ) -> Broadcast:
        now = self._now()
        async with self._write() as conn:
            broadcast_id = await conn.insert(
                "INSERT INTO broadcasts (kind, theme_id, sender_chat_id, total, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (kind.value, theme_id, sender_chat_id, len(messages), now),
            )
            await enqueue_messages(conn, messages, now, broadcast_id=broadcast_id)
        broadcast = await self.get_broadcast(broadcast_id)
        assert broadcast is not None
        return broadcast

    async def enqueue(self, messages: Sequence[NewMessage]) -> int:
        if not messages:
            return 0
        now = self._now()
        async with self._write() as conn:
            return await enqueue_messages(conn, messages, now)

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        async with self._write() as conn:
            rows = await conn.fetch_all(
                "SELECT * FROM outbox WHERE status = 'pending' AND due_at <= ?"
                " ORDER BY due_at, id LIMIT ?",
                (_ts(now), limit),
            )
            if not rows:
                return []
            ids = [row["id"] for row in rows]
            await conn.execute(
                f"UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?"
                f" WHERE id IN ({_placeholders(len(ids))})",
                (self._now(), *ids),
            )
        return [_claimed(row) for row in rows]

    async def _settle(
        self, message_id: int, assignments: str, values: Sequence[Any], *, final: bool = False
    ) -> None:
        async with self._write() as conn:
            if final and await _drop_farewell(conn, message_id):
                return
            await conn.execute(
                f"UPDATE outbox SET {assignments}, updated_at = ? WHERE id = ?",
                (*values, self._now(), message_id),
            )

    async def mark_sent(self, message_id: int) -> None:
        await self._settle(message_id, "status = 'sent'", (), final=True)

    async def retry_later(self, message_id: int, due_at: datetime, error: str) -> None:
        await self._settle(
            message_id, "status = 'pending', due_at = ?, last_error = ?", (_ts(due_at), error[:500])
        )

    async def release(self, message_id: int, due_at: datetime | None = None) -> None:
        if due_at is None:
            await self._settle(message_id, "status = 'pending', attempts = attempts - 1", ())
            return
        await self._settle(
            message_id, "status = 'pending', attempts = attempts - 1, due_at = ?", (_ts(due_at),)
        )

    async def mark_failed(self, message_id: int, error: str) -> None:
        await self._settle(
            message_id, "status = 'failed', last_error = ?", (error[:500],), final=True
        )

    async def mark_blocked(self, message_id: int) -> None:
        now = self._now()
        async with self._write() as conn:
            if await _drop_farewell(conn, message_id):
                return
            rows = await conn.fetch_all("SELECT chat_id FROM outbox WHERE id = ?", (message_id,))
            if not rows:
                return
            chat_id = rows[0]["chat_id"]
            await conn.execute(
                "UPDATE outbox SET status = 'blocked', updated_at = ? WHERE id = ?",
                (now, message_id),
            )
            await conn.execute(
                "UPDATE outbox SET status = 'cancelled', updated_at = ?"
                " WHERE chat_id = ? AND status = 'pending'",
                (now, chat_id),
            )
            await conn.execute("UPDATE residents SET active = 0 WHERE user_id = ?", (chat_id,))

    async def requeue_in_flight(self) -> int:
        async with self._write() as conn:
            return await conn.execute(
                "UPDATE outbox SET status = 'pending', updated_at = ? WHERE status = 'sending'",
                (self._now(),),
            )

    async def next_due_at(self) -> datetime | None:
        row = await self._select_one(
            "SELECT MIN(due_at) AS due FROM outbox WHERE status = 'pending'"
        )
        return None if row is None or row["due"] is None else _parse_ts(row["due"])

    async def outbox_pending_count(self) -> int:
        row = await self._select_one(
            "SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending')"
        )
        return 0 if row is None else int(row["n"])

    async def outbox_forget_texts(self, settled_before: datetime) -> int:
        # The row stays: its dedupe key keeps a reminder or a farewell from going out twice,
        # and a broadcast's counts read its status. Only the words to the resident go.
        async with self._write() as conn:
            return await conn.execute(
                "UPDATE outbox SET text = '', buttons = '[]'"
                " WHERE status IN ('sent', 'failed', 'blocked', 'cancelled')"
                " AND updated_at < ? AND text <> ''",
                (_ts(settled_before),),
            )

    async def cancel_pending(self, dedupe_prefix: str) -> int:
        escaped = dedupe_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        async with self._write() as conn:
            return await conn.execute(
                "UPDATE outbox SET status = 'cancelled', updated_at = ?"
                " WHERE status = 'pending' AND dedupe_key LIKE ? ESCAPE '\\'",
                (self._now(), escaped + "%"),
            )

    async def get_broadcast(self, broadcast_id: int) -> Broadcast | None:
        row = await self._select_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return None if row is None else _broadcast(row)

    async def broadcast_counts(self, broadcast_id: int) -> dict[OutboxStatus, int]:
        rows = await self._select(
            "SELECT status, COUNT(*) AS n FROM outbox WHERE broadcast_id = ? GROUP BY status",
            (broadcast_id,),
        )
        counts = dict.fromkeys(OutboxStatus, 0)
        for row in rows:
            counts[OutboxStatus(row["status"])] = row["n"]
        return counts

    async def set_progress_message(self, broadcast_id: int, message_id: int) -> None:
        async with self._write() as conn:
            await conn.execute(
                "UPDATE broadcasts SET progress_message_id = ? WHERE id = ?",
                (message_id, broadcast_id),
            )

    async def finish_broadcast(self, broadcast_id: int) -> bool:
        async with self._write() as conn:
            changed = await conn.execute(
                "UPDATE broadcasts SET finished = 1, finished_at = ? WHERE id = ? AND finished = 0",
                (self._now(), broadcast_id),
            )
        return changed == 1

    async def unfinished_broadcasts(self) -> list[Broadcast]:
        rows = await self._select("SELECT * FROM broadcasts WHERE finished = 0 ORDER BY id")
        return [_broadcast(row) for row in rows]

    async def recipients(
        self,
        *,
        villages: Collection[str] | None,
        neighbourhoods: Collection[str] | None = None,
        consent: Consent | None = None,
    ) -> list[Recipient]:
        sql = "SELECT r.user_id, r.language FROM residents r"
        params: list[Any] = []
        where = ["r.active = 1"]
        if consent is not None:
            sql += " JOIN consents c ON c.user_id = r.user_id AND c.purpose = ? AND c.granted = 1"
            params.append(consent.value)
        places: list[str] = []
        if villages is not None:
            places.append(f"r.village_key IN ({_placeholders(len(villages))})")
            params.extend(villages)
        if neighbourhoods is not None:
            places.append(f"r.neighbourhood_key IN ({_placeholders(len(neighbourhoods))})")
            params.extend(neighbourhoods)
        if places:
            where.append("(" + " OR ".join(places) + ")")
        sql += " WHERE " + " AND ".join(where) + " ORDER BY r.user_id"
        rows = await self._select(sql, params)
        return [Recipient(row["user_id"], row["language"]) for row in rows]

    async def theme_participants(self, theme_id: int) -> list[Recipient]:
        # From the theme's notes to their writers: the EXISTS per resident it replaces
        # took 3 s with 100,000 residents and 1,000,000 notes (bench/scale.py), 50 ms now.
        rows = await self._select(
            "SELECT r.user_id, r.language FROM residents r WHERE r.active = 1 AND r.user_id IN"
            " (SELECT n.author_id FROM notes n WHERE n.theme_id = ?)"
            " ORDER BY r.user_id",
            (theme_id,),
        )
        return [Recipient(row["user_id"], row["language"]) for row in rows]


def _claimed(row: Row) -> OutboxMessage:
    message = _message(row)
    return OutboxMessage(
        id=message.id,
        broadcast_id=message.broadcast_id,
        chat_id=message.chat_id,
        text=message.text,
        buttons=message.buttons,
        due_at=message.due_at,
        status=OutboxStatus.SENDING,
        attempts=message.attempts + 1,
    )
