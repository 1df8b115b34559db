"""The core of the Repository in SQL both backends run: residents, themes, notes, the inbox.

Written once against the connection protocol (``storage/connection.py``); the SQLite and
the PostgreSQL repository derive from it and say how connections and transactions work.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from abc import abstractmethod
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self

from storage.connection import Connection, Params, Row
from storage.models import (
    ChatState,
    Consent,
    InboxItem,
    NewMessage,
    Note,
    NoteKind,
    NoteOrigin,
    NoteReach,
    NoteStatus,
    PlaceKind,
    PlaceRef,
    Quadrant,
    Resident,
    SetAsideUpdate,
    Theme,
    ThemeStatus,
)
from storage.repository import CoreRepository
from storage.serialized import Serialized
from storage.state_memo import StateMemo

# No 0/o, 1/i/l: codes are sometimes read aloud or typed over from a poster.
THEME_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
THEME_CODE_LENGTH = 8
_THEME_CODE_ATTEMPTS = 20

# What erase_resident runs, in order, with :user_id and :now. A table that comes to hold
# something of a resident gets its line here; the erase tests scan every table and column
# the schema lists (tests/erasure_scan.py), so a forgotten one fails them. In a private chat
# the chat id is the user id.
_ERASE_STEPS: tuple[str, ...] = (
    # The links of a table to the person's notes go with the notes (a cascade too, said here).
    "DELETE FROM talk_table_notes WHERE note_id IN"
    " (SELECT id FROM notes WHERE author_id = :user_id)",
    "DELETE FROM notes WHERE author_id = :user_id",
    "DELETE FROM consents WHERE user_id = :user_id",
    "DELETE FROM contact_details WHERE user_id = :user_id",
    "DELETE FROM chat_state WHERE chat_id = :user_id",
    # Rows are emptied rather than deleted: the update_id must stay known, or Telegram
    # redelivering an update after a crash would store the resident's words again.
    "UPDATE inbox SET chat_id = NULL, payload = NULL, status = 'done',"
    " handled_at = COALESCE(handled_at, :now) WHERE chat_id = :user_id",
    "DELETE FROM inbox_set_aside WHERE chat_id = :user_id",
    # Themes are the municipality's; only the link to the person goes.
    "UPDATE themes SET created_by = NULL WHERE created_by = :user_id",
    "DELETE FROM residents WHERE user_id = :user_id",
)


def new_theme_code() -> str:
    return "".join(secrets.choice(THEME_CODE_ALPHABET) for _ in range(THEME_CODE_LENGTH))


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _ts(moment: datetime) -> str:
    # One fixed format, so that the text sorts as the time does.
    if moment.tzinfo is None:
        raise ValueError("naive datetime; the clock must return aware UTC datetimes")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _parse_date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _resident(row: Row) -> Resident:
    return Resident(
        user_id=row["user_id"],
        language=row["language"],
        village_key=row["village_key"],
        neighbourhood_key=row["neighbourhood_key"],
        onboarded=bool(row["onboarded"]),
        active=bool(row["active"]),
        created_at=_parse_ts(row["created_at"]),
    )


def _theme(row: Row) -> Theme:
    return Theme(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        invitation=row["invitation"],
        question=row["question"],
        place=PlaceRef(PlaceKind(row["place_kind"]), row["place_key"]),
        status=ThemeStatus(row["status"]),
        starts_on=_parse_date(row["starts_on"]),
        ends_on=_parse_date(row["ends_on"]),
        quadrant_questions=json.loads(row["quadrant_questions"]),
        created_by=row["created_by"],
        created_at=_parse_ts(row["created_at"]),
    )


def _note(row: Row) -> Note:
    return Note(
        id=row["id"],
        theme_id=row["theme_id"],
        author_id=row["author_id"],
        quadrant=None if row["quadrant"] is None else Quadrant(row["quadrant"]),
        kind=NoteKind(row["kind"]),
        text=row["text"],
        file_id=row["file_id"],
        status=NoteStatus(row["status"]),
        created_at=_parse_ts(row["created_at"]),
        updated_at=_parse_ts(row["updated_at"]),
        seconds=row["seconds"],
        origin=NoteOrigin(row["origin"]),
        heard_in=row["heard_in"],
        board_photo_id=row["board_photo_id"],
    )


def _placeholders(count: int) -> str:
    return ", ".join(["?"] * count)


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqlCore(CoreRepository):
    """The core's SQL, shared by the SQLite and the PostgreSQL repository.

    The backends say how a statement reaches the database: ``_write`` and ``_read`` lend a
    connection (``storage/connection.py``) for one transaction or a few reads.
    """

    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or _utc_now
        self._done_ids: list[int] = []
        self._done_flush: asyncio.Future[None] | None = None
        self._states = StateMemo()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _now(self) -> str:
        return _ts(self._clock())

    @abstractmethod
    def _write(
        self, serialized: Serialized | None = None, key: int = 0
    ) -> AbstractAsyncContextManager[Connection]:
        """One write transaction; commits when the block ends, rolls back when it raises.

        With ``serialized``, no other write naming the same thing and key runs meanwhile.
        """

    @abstractmethod
    def _read(self) -> AbstractAsyncContextManager[Connection]:
        """A connection for reads that see every committed write."""

    def _single(self) -> AbstractAsyncContextManager[Connection]:
        """A connection for one write statement, a transaction by itself (no BEGIN/COMMIT)."""
        return self._write()

    def _note_stored(self, note: Note, *, keyed: bool) -> None:
        """A note was just stored (``keyed``: by its update, found again if handled again).

        For storage that keeps what a chat's turn read (PostgreSQL): a note changes less than
        other writes do."""

    async def _after_erase(self) -> None:
        """Make erased content leave the storage's files too, where it may linger."""

    @abstractmethod
    async def table_names(self) -> list[str]:
        """The names of the tables (for tests and the bench)."""

    async def _select(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._read() as conn:
            return await conn.fetch_all(sql, params)

    async def _select_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self._select(sql, params)
        return rows[0] if rows else None

    # -- inbox ---------------------------------------------------------------------------------

    async def inbox_add(self, items: Sequence[tuple[int, int | None, str]]) -> set[int]:
        if not items:
            return set()
        now = self._now()
        ids = [update_id for update_id, _, _ in items]
        async with self._write() as conn:
            marks = ", ".join("?" * len(ids))
            rows = await conn.fetch_all(
                f"SELECT update_id FROM inbox WHERE update_id IN ({marks})", ids
            )
            known = {int(row[0]) for row in rows}
            fresh = [item for item in items if item[0] not in known]
            await conn.executemany(
                "INSERT INTO inbox (update_id, chat_id, payload, status, received_at)"
                " VALUES (?, ?, ?, 'pending', ?) ON CONFLICT (update_id) DO NOTHING",
                [(update_id, chat_id, payload, now) for update_id, chat_id, payload in fresh],
            )
        return {item[0] for item in fresh}

    async def inbox_pending(self) -> list[InboxItem]:
        rows = await self._select(
            "SELECT update_id, payload FROM inbox WHERE status = 'pending'"
            " ORDER BY received_at, update_id"
        )
        return [InboxItem(row["update_id"], row["payload"]) for row in rows]

    async def inbox_done(self, update_id: int) -> None:
        # Updates that finish at the same moment share one transaction: one commit instead
        # of one each (a commit was a tenth of the CPU per update in bench/throughput.py).
        # Each caller still returns only once its own update is marked.
        self._done_ids.append(update_id)
        flush = self._done_flush
        if flush is None:
            flush = self._done_flush = asyncio.ensure_future(self._flush_done())
        await asyncio.shield(flush)

    async def _flush_done(self) -> None:
        await asyncio.sleep(0)  # the others finishing in this turn of the loop join in
        ids, self._done_ids = self._done_ids, []
        self._done_flush = None
        now = self._now()
        async with self._write() as conn:
            await conn.executemany(
                "UPDATE inbox SET status = 'done', payload = NULL, chat_id = NULL,"
                " handled_at = ? WHERE update_id = ? AND status = 'pending'",
                [(now, update_id) for update_id in ids],
            )

    async def inbox_set_aside(
        self, update_id: int, chat_id: int | None, payload: str, reason: str
    ) -> bool:
        # One transaction: the update leaves the pending ones exactly when it is kept aside.
        async with self._write() as conn:
            added = await conn.execute(
                "INSERT INTO inbox_set_aside (update_id, chat_id, payload, reason, set_aside_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
                (update_id, chat_id, payload, reason, self._now()),
            )
            await conn.execute(
                "UPDATE inbox SET status = 'done', payload = NULL, chat_id = NULL,"
                " handled_at = ? WHERE update_id = ? AND status = 'pending'",
                (self._now(), update_id),
            )
        return added > 0

    async def inbox_set_aside_items(self) -> list[SetAsideUpdate]:
        rows = await self._select(
            "SELECT update_id, chat_id, payload, reason, set_aside_at FROM inbox_set_aside"
            " ORDER BY update_id"
        )
        return [
            SetAsideUpdate(
                row["update_id"],
                row["chat_id"],
                row["payload"],
                row["reason"],
                _parse_ts(row["set_aside_at"]),
            )
            for row in rows
        ]

    async def inbox_prune(self, handled_before: datetime) -> int:
        async with self._write() as conn:
            return await conn.execute(
                "DELETE FROM inbox WHERE status = 'done' AND handled_at < ?",
                (handled_before.astimezone(UTC).isoformat(),),
            )

    async def inbox_last_update_id(self) -> int | None:
        row = await self._select_one("SELECT MAX(update_id) AS last FROM inbox")
        return None if row is None or row["last"] is None else int(row["last"])

    # -- conversation state ------------------------------------------------------------------

    def state_scope(self) -> AbstractContextManager[None]:
        return self._states.scope()

    async def get_state(self, chat_id: int) -> ChatState:
        known = self._states.get(chat_id)
        if known is not None:
            return known
        row = await self._select_one(
            "SELECT flow, step, data FROM chat_state WHERE chat_id = ?", (chat_id,)
        )
        state = (
            ChatState(chat_id)
            if row is None
            else ChatState(chat_id, row["flow"], row["step"], json.loads(row["data"]))
        )
        self._states.put(state)
        return state

    async def set_state(
        self, chat_id: int, flow: str | None, step: str | None, data: dict[str, Any]
    ) -> None:
        # Forgotten first: should the write fail, the next read asks the database.
        self._states.forget(chat_id)
        async with self._single() as conn:
            if flow is None:
                await conn.execute("DELETE FROM chat_state WHERE chat_id = ?", (chat_id,))
                self._states.put(ChatState(chat_id))
                return
            stored = json.dumps(data, ensure_ascii=False)
            await conn.execute(
                "INSERT INTO chat_state (chat_id, flow, step, data, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
                " flow = excluded.flow, step = excluded.step, data = excluded.data,"
                " updated_at = excluded.updated_at",
                (chat_id, flow, step, stored, self._now()),
            )
        # As a read would give it back: JSON's types (lists, string keys), not the caller's.
        self._states.put(ChatState(chat_id, flow, step, json.loads(stored)))

    # -- residents -----------------------------------------------------------------------------

    async def get_resident(self, user_id: int) -> Resident | None:
        row = await self._select_one("SELECT * FROM residents WHERE user_id = ?", (user_id,))
        return None if row is None else _resident(row)

    async def get_talker(self, user_id: int, chat_id: int) -> tuple[Resident | None, ChatState]:
        # One read for what every update needs first (the per-update guard).
        known = self._states.get(chat_id)
        row = await self._select_one(
            "SELECT r.*, s.flow AS state_flow, s.step AS state_step, s.data AS state_data"
            " FROM (SELECT CAST(? AS BIGINT) AS wanted) w"
            " LEFT JOIN residents r ON r.user_id = w.wanted"
            " LEFT JOIN chat_state s ON s.chat_id = ?",
            (user_id, chat_id),
        )
        assert row is not None
        return self._talker(row, chat_id, known)

    def _talker(
        self, row: Row, chat_id: int, known: ChatState | None
    ) -> tuple[Resident | None, ChatState]:
        """The resident and chat state of get_talker's row; a state this update knows wins."""
        resident = None if row["user_id"] is None else _resident(row)
        if known is not None:
            return resident, known
        state = (
            ChatState(chat_id)
            if row["state_flow"] is None
            else ChatState(
                chat_id, row["state_flow"], row["state_step"], json.loads(row["state_data"])
            )
        )
        self._states.put(state)
        return resident, state

    async def ensure_resident(self, user_id: int, language: str) -> Resident:
        now = self._now()
        async with self._write() as conn:
            await conn.execute(
                "INSERT INTO residents (user_id, language, onboarded, active, created_at,"
                " last_seen_at) VALUES (?, ?, 0, 1, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
                (user_id, language, now, now),
            )
            row = await conn.fetch_one("SELECT * FROM residents WHERE user_id = ?", (user_id,))
        assert row is not None
        return _resident(row)

    async def _update_resident(self, user_id: int, assignments: str, values: Iterable[Any]) -> None:
        async with self._write() as conn:
            await conn.execute(
                f"UPDATE residents SET {assignments} WHERE user_id = ?",
                (*values, user_id),
            )

    async def set_language(self, user_id: int, language: str) -> None:
        await self._update_resident(user_id, "language = ?", (language,))

    async def set_place(
        self, user_id: int, village_key: str | None, neighbourhood_key: str | None
    ) -> None:
        await self._update_resident(
            user_id, "village_key = ?, neighbourhood_key = ?", (village_key, neighbourhood_key)
        )

    async def set_onboarded(self, user_id: int) -> None:
        await self._update_resident(user_id, "onboarded = 1", ())

    async def set_active(self, user_id: int, active: bool) -> None:
        await self._update_resident(user_id, "active = ?", (int(active),))

    async def set_consent(self, user_id: int, purpose: Consent, granted: bool) -> None:
        async with self._write() as conn:
            await conn.execute(
                "INSERT INTO consents (user_id, purpose, granted, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (user_id, purpose) DO UPDATE SET"
                " granted = excluded.granted, updated_at = excluded.updated_at",
                (user_id, purpose.value, int(granted), self._now()),
            )

    async def get_consents(self, user_id: int) -> dict[Consent, bool]:
        rows = await self._select(
            "SELECT purpose, granted FROM consents WHERE user_id = ?", (user_id,)
        )
        stored = {row["purpose"]: bool(row["granted"]) for row in rows}
        return {purpose: stored.get(purpose.value, False) for purpose in Consent}

    async def answered_consents(self, user_id: int) -> set[Consent]:
        rows = await self._select("SELECT purpose FROM consents WHERE user_id = ?", (user_id,))
        stored = {str(row["purpose"]) for row in rows}
        return {purpose for purpose in Consent if purpose.value in stored}

    async def set_phone(self, user_id: int, phone: str | None) -> None:
        async with self._write() as conn:
            if phone is None:
                await conn.execute("DELETE FROM contact_details WHERE user_id = ?", (user_id,))
                return
            await conn.execute(
                "INSERT INTO contact_details (user_id, phone, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET"
                " phone = excluded.phone, updated_at = excluded.updated_at",
                (user_id, phone, self._now()),
            )

    async def get_phone(self, user_id: int) -> str | None:
        row = await self._select_one(
            "SELECT phone FROM contact_details WHERE user_id = ?", (user_id,)
        )
        return None if row is None else str(row["phone"])

    async def export_resident(self, user_id: int) -> dict[str, Any]:
        # One read transaction, so that the parts agree with each other.
        async with self._read() as conn, conn.snapshot():
            resident = await conn.fetch_one("SELECT * FROM residents WHERE user_id = ?", (user_id,))
            consents = await conn.fetch_all(
                "SELECT purpose, granted, updated_at FROM consents WHERE user_id = ?"
                " ORDER BY purpose",
                (user_id,),
            )
            contact = await conn.fetch_one(
                "SELECT phone, updated_at FROM contact_details WHERE user_id = ?",
                (user_id,),
            )
            notes = await conn.fetch_all(
                "SELECT n.*, t.title AS theme_title, t.code AS theme_code"
                " FROM notes n JOIN themes t ON t.id = n.theme_id"
                " WHERE n.author_id = ? ORDER BY n.id",
                (user_id,),
            )
            state = await conn.fetch_one("SELECT * FROM chat_state WHERE chat_id = ?", (user_id,))
            inbox = await conn.fetch_all(
                "SELECT update_id, payload, received_at FROM inbox"
                " WHERE chat_id = ? AND status = 'pending' ORDER BY update_id",
                (user_id,),
            )
            themes = await conn.fetch_all(
                "SELECT id, code, title, created_at FROM themes WHERE created_by = ? ORDER BY id",
                (user_id,),
            )
        return {
            "user_id": user_id,
            "exported_at": self._now(),
            "resident": None
            if resident is None
            else {
                "user_id": resident["user_id"],
                "language": resident["language"],
                "village_key": resident["village_key"],
                "neighbourhood_key": resident["neighbourhood_key"],
                "onboarded": bool(resident["onboarded"]),
                "active": bool(resident["active"]),
                "created_at": resident["created_at"],
                "last_seen_at": resident["last_seen_at"],
            },
            "consents": [
                {
                    "purpose": row["purpose"],
                    "granted": bool(row["granted"]),
                    "updated_at": row["updated_at"],
                }
                for row in consents
            ],
            "phone": None if contact is None else contact["phone"],
            "phone_updated_at": None if contact is None else contact["updated_at"],
            "notes": [
                {
                    "id": row["id"],
                    "theme_id": row["theme_id"],
                    "theme_code": row["theme_code"],
                    "theme_title": row["theme_title"],
                    "quadrant": row["quadrant"],
                    "kind": row["kind"],
                    "text": row["text"],
                    "file_id": row["file_id"],
                    "status": row["status"],
                    "created_at": row["created_at"],
                    "updated_at": row["updated_at"],
                }
                for row in notes
            ],
            "chat_state": None
            if state is None
            else {
                "flow": state["flow"],
                "step": state["step"],
                "data": json.loads(state["data"]),
                "updated_at": state["updated_at"],
            },
            "pending_updates": [
                {
                    "update_id": row["update_id"],
                    "received_at": row["received_at"],
                    "payload": row["payload"],
                }
                for row in inbox
            ],
            "themes_created": [
                {
                    "id": row["id"],
                    "code": row["code"],
                    "title": row["title"],
                    "created_at": row["created_at"],
                }
                for row in themes
            ],
        }

    async def erase_resident(self, user_id: int, *, farewell: NewMessage | None = None) -> None:
        params = {"user_id": user_id, "now": self._now()}
        self._states.forget()
        async with self._write() as conn:
            for statement in self._erase_steps():
                await conn.execute(statement, params)
            if farewell is not None:
                await self._queue_farewell(conn, user_id, farewell)
        await self._after_erase()

    @abstractmethod
    async def _queue_farewell(self, conn: Connection, user_id: int, farewell: NewMessage) -> None:
        """Queue the erasure's confirmation in the erasing transaction (the outbox's part)."""

    def _erase_steps(self) -> tuple[str, ...]:
        """The statements erase_resident runs; each storage part puts its own before these."""
        return _ERASE_STEPS

    # -- themes --------------------------------------------------------------------------------

    async def create_theme(
        self,
        *,
        title: str,
        invitation: str,
        question: str,
        place: PlaceRef,
        status: ThemeStatus,
        starts_on: date | None,
        ends_on: date | None,
        quadrant_questions: dict[str, str] | None = None,
        created_by: int | None = None,
    ) -> Theme:
        now = self._now()
        async with self._write() as conn:
            for _ in range(_THEME_CODE_ATTEMPTS):
                code = new_theme_code()
                # Checked first rather than caught from the UNIQUE constraint: under the
                # write lock nobody can take the code in between, and a failed INSERT
                # would abort the whole transaction on PostgreSQL.
                if await conn.fetch_one("SELECT 1 FROM themes WHERE code = ?", (code,)) is None:
                    break
            else:
                raise RuntimeError("could not find a free theme code")
            theme_id = await conn.insert(
                "INSERT INTO themes (code, title, invitation, question, place_kind, place_key,"
                " status, starts_on, ends_on, quadrant_questions, created_by, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    code,
                    title,
                    invitation,
                    question,
                    place.kind.value,
                    place.key,
                    status.value,
                    None if starts_on is None else starts_on.isoformat(),
                    None if ends_on is None else ends_on.isoformat(),
                    json.dumps(quadrant_questions or {}, ensure_ascii=False),
                    created_by,
                    now,
                    now,
                ),
            )
            row = await conn.fetch_one("SELECT * FROM themes WHERE id = ?", (theme_id,))
        assert row is not None
        return _theme(row)

    async def get_theme(self, theme_id: int) -> Theme | None:
        row = await self._select_one("SELECT * FROM themes WHERE id = ?", (theme_id,))
        return None if row is None else _theme(row)

    async def get_theme_by_code(self, code: str) -> Theme | None:
        # Codes are lower case; someone typing one over may not be.
        row = await self._select_one("SELECT * FROM themes WHERE code = ?", (code.strip().lower(),))
        return None if row is None else _theme(row)

    async def update_theme(
        self,
        theme_id: int,
        *,
        title: str,
        invitation: str,
        question: str,
        place: PlaceRef,
        starts_on: date | None,
        ends_on: date | None,
        quadrant_questions: dict[str, str],
    ) -> Theme | None:
        async with self._write() as conn:
            await conn.execute(
                "UPDATE themes SET title = ?, invitation = ?, question = ?, place_kind = ?,"
                " place_key = ?, starts_on = ?, ends_on = ?, quadrant_questions = ?,"
                " updated_at = ? WHERE id = ?",
                (
                    title,
                    invitation,
                    question,
                    place.kind.value,
                    place.key,
                    None if starts_on is None else starts_on.isoformat(),
                    None if ends_on is None else ends_on.isoformat(),
                    json.dumps(quadrant_questions, ensure_ascii=False),
                    self._now(),
                    theme_id,
                ),
            )
        return await self.get_theme(theme_id)

    async def list_themes(
        self, places: Collection[PlaceRef] | None, statuses: Collection[ThemeStatus]
    ) -> list[Theme]:
        sql = f"SELECT * FROM themes WHERE status IN ({_placeholders(len(statuses))})"
        params: list[Any] = [s.value for s in statuses]
        if places is not None:
            unique = list(dict.fromkeys(places))
            if not unique:
                return []
            sql += (
                " AND (" + " OR ".join(["(place_kind = ? AND place_key = ?)"] * len(unique)) + ")"
            )
            for place in unique:
                params.extend((place.kind.value, place.key))
        rows = await self._select(sql + " ORDER BY id DESC", params)
        return [_theme(row) for row in rows]

    async def new_participants_since(self, theme_id: int, since: datetime) -> int:
        row = await self._select_one(
            "SELECT COUNT(*) AS n FROM (SELECT MIN(created_at) AS first FROM notes"
            " WHERE theme_id = ? AND author_id IS NOT NULL GROUP BY author_id) AS firsts"
            " WHERE first >= ?",
            (theme_id, _ts(since)),
        )
        return 0 if row is None else int(row["n"])

    async def set_theme_status(
        self, theme_id: int, status: ThemeStatus, *, now: datetime | None = None
    ) -> Theme | None:
        now_text = self._now() if now is None else _ts(now)
        # closed_at: when it was first closed; the in-person contacts' retention counts from
        # it. Reopening clears it.
        closed, closed_values = (
            ("closed_at = COALESCE(closed_at, ?)", (now_text,))
            if status == ThemeStatus.CLOSED
            else ("closed_at = NULL", ())
        )
        async with self._write() as conn:
            await conn.execute(
                "UPDATE themes SET status = ?, updated_at = ?, " + closed + " WHERE id = ?",
                (status.value, now_text, *closed_values, theme_id),
            )
        return await self.get_theme(theme_id)

    async def list_active_themes(
        self, places: Collection[PlaceRef] | None, today: date
    ) -> list[Theme]:
        day = today.isoformat()
        sql = (
            "SELECT * FROM themes WHERE status = ?"
            " AND (starts_on IS NULL OR starts_on <= ?) AND (ends_on IS NULL OR ends_on >= ?)"
        )
        params: list[Any] = [ThemeStatus.ACTIVE.value, day, day]
        if places is not None:
            unique = list(dict.fromkeys(places))
            if not unique:
                return []
            sql += (
                " AND (" + " OR ".join(["(place_kind = ? AND place_key = ?)"] * len(unique)) + ")"
            )
            for place in unique:
                params += [place.kind.value, place.key]
        sql += " ORDER BY starts_on DESC NULLS LAST, id DESC"
        return [_theme(row) for row in await self._select(sql, params)]

    # -- notes ---------------------------------------------------------------------------------

    async def add_note(
        self,
        *,
        theme_id: int,
        author_id: int | None,
        kind: NoteKind,
        text: str,
        file_id: str | None,
        quadrant: Quadrant | None,
        status: NoteStatus,
        source_update_id: int | None,
        seconds: int | None = None,
        origin: NoteOrigin = NoteOrigin.CHAT,
        heard_in: str | None = None,
        board_photo_id: int | None = None,
    ) -> Note:
        now = self._now()
        async with self._single() as conn:
            # One statement in the usual case (every note a resident writes comes here); a
            # redelivered update's note was committed before, so reading it needs no BEGIN.
            row = await conn.fetch_one(
                "INSERT INTO notes (theme_id, author_id, quadrant, kind, text, file_id, status,"
                " source_update_id, created_at, updated_at, seconds, origin, heard_in,"
                " board_photo_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source_update_id) DO NOTHING RETURNING *",
                (
                    theme_id,
                    author_id,
                    None if quadrant is None else quadrant.value,
                    kind.value,
                    text,
                    file_id,
                    status.value,
                    source_update_id,
                    now,
                    now,
                    seconds,
                    origin.value,
                    heard_in,
                    board_photo_id,
                ),
            )
            if row is None:
                # The update was handled before (redelivered after a crash): keep the first.
                row = await conn.fetch_one(
                    "SELECT * FROM notes WHERE source_update_id = ?", (source_update_id,)
                )
        assert row is not None
        note = _note(row)
        self._note_stored(note, keyed=source_update_id is not None)
        return note

    async def add_web_note(
        self, *, theme_id: int, quadrant: Quadrant, text: str, writer: str
    ) -> Note:
        now = self._now()
        async with self._write() as conn:
            row = await conn.fetch_one(
                "INSERT INTO notes (theme_id, author_id, quadrant, kind, text, file_id, status,"
                " created_at, updated_at, origin, web_writer)"
                " VALUES (?, NULL, ?, 'text', ?, NULL, ?, ?, ?, 'web', ?) RETURNING *",
                (theme_id, quadrant.value, text, NoteStatus.PENDING.value, now, now, writer),
            )
        assert row is not None
        return _note(row)

    async def list_web_notes(self, writer: str) -> list[Note]:
        rows = await self._select(
            "SELECT * FROM notes WHERE web_writer = ? ORDER BY id DESC", (writer,)
        )
        return [_note(row) for row in rows]

    async def board_mark(self, theme_id: int) -> str:
        # Count, newest id and newest change of the visible notes: any approval, hide,
        # change or delete moves one of them (the notes_page index serves the scan).
        row = await self._select_one(
            "SELECT COUNT(*) AS n, MAX(id) AS top, MAX(updated_at) AS changed FROM notes"
            " WHERE theme_id = ? AND status = ?",
            (theme_id, NoteStatus.VISIBLE.value),
        )
        if row is None:
            return ""
        return f"{row['n']}-{row['top'] or 0}-{row['changed'] or ''}"

    async def count_web_notes(self, theme_id: int) -> int:
        row = await self._select_one(
            "SELECT COUNT(*) AS n FROM notes WHERE theme_id = ? AND origin = 'web'"
            " AND status = ? AND quadrant IS NOT NULL",
            (theme_id, NoteStatus.VISIBLE.value),
        )
        return 0 if row is None else int(row["n"])

    async def change_web_note(
        self, note_id: int, writer: str, *, text: str, quadrant: Quadrant
    ) -> Note | None:
        async with self._write() as conn:
            row = await conn.fetch_one(
                "UPDATE notes SET text = ?, quadrant = ?, status = ?, updated_at = ?"
                " WHERE id = ? AND web_writer = ? RETURNING *",
                (text, quadrant.value, NoteStatus.PENDING.value, self._now(), note_id, writer),
            )
        return None if row is None else _note(row)

    async def delete_web_notes(self, writer: str, note_id: int | None = None) -> int:
        async with self._write() as conn:
            if note_id is None:
                return await conn.execute("DELETE FROM notes WHERE web_writer = ?", (writer,))
            return await conn.execute(
                "DELETE FROM notes WHERE id = ? AND web_writer = ?", (note_id, writer)
            )

    async def get_note(self, note_id: int) -> Note | None:
        row = await self._select_one("SELECT * FROM notes WHERE id = ?", (note_id,))
        return None if row is None else _note(row)

    async def _update_note(
        self, note_id: int, assignments: str, values: Iterable[Any]
    ) -> Note | None:
        async with self._write() as conn:
            changed = await conn.execute(
                f"UPDATE notes SET {assignments}, updated_at = ? WHERE id = ?",
                (*values, self._now(), note_id),
            )
            if not changed:
                return None
            row = await conn.fetch_one("SELECT * FROM notes WHERE id = ?", (note_id,))
        return None if row is None else _note(row)

    async def set_note_quadrant(
        self, note_id: int, quadrant: Quadrant, status: NoteStatus
    ) -> Note | None:
        return await self._update_note(
            note_id, "quadrant = ?, status = ?", (quadrant.value, status.value)
        )

    async def set_note_text(self, note_id: int, text: str) -> Note | None:
        return await self._update_note(note_id, "text = ?", (text,))

    async def delete_note(self, note_id: int) -> bool:
        async with self._write() as conn:
            return await conn.execute("DELETE FROM notes WHERE id = ?", (note_id,)) > 0

    async def list_notes_by_author(self, author_id: int) -> list[Note]:
        rows = await self._select(
            "SELECT * FROM notes WHERE author_id = ? ORDER BY id DESC", (author_id,)
        )
        return [_note(row) for row in rows]

    async def count_notes(
        self, theme_id: int, statuses: Collection[NoteStatus] = (NoteStatus.VISIBLE,)
    ) -> dict[Quadrant, int]:
        counts = dict.fromkeys(Quadrant, 0)
        wanted = [status.value for status in dict.fromkeys(statuses)]
        if not wanted:
            return counts
        rows = await self._select(
            "SELECT quadrant, COUNT(*) AS n FROM notes WHERE theme_id = ?"
            f" AND status IN ({_placeholders(len(wanted))}) AND quadrant IS NOT NULL"
            " GROUP BY quadrant",
            (theme_id, *wanted),
        )
        for row in rows:
            counts[Quadrant(row["quadrant"])] = int(row["n"])
        return counts

    async def note_reach(
        self, theme_id: int, statuses: Collection[NoteStatus] = (NoteStatus.VISIBLE,)
    ) -> list[NoteReach]:
        wanted = [status.value for status in dict.fromkeys(statuses)]
        if not wanted:
            return []
        rows = await self._select(
            "SELECT n.quadrant, n.origin, n.author_id, n.heard_in, r.village_key,"
            " r.neighbourhood_key"
            " FROM notes n LEFT JOIN residents r ON r.user_id = n.author_id"
            f" WHERE n.theme_id = ? AND n.status IN ({_placeholders(len(wanted))})"
            " AND n.quadrant IS NOT NULL ORDER BY n.id",
            (theme_id, *wanted),
        )
        # Writers become 1, 2, 3 ... in order of their first note: countable, not traceable.
        writers: dict[int, int] = {}
        return [
            NoteReach(
                quadrant=Quadrant(row["quadrant"]),
                origin=str(row["origin"]),
                writer=(
                    None
                    if row["author_id"] is None
                    else writers.setdefault(int(row["author_id"]), len(writers) + 1)
                ),
                village_key=row["village_key"],
                neighbourhood_key=row["neighbourhood_key"],
                heard_in=row["heard_in"],
            )
            for row in rows
        ]

    async def list_notes(
        self,
        theme_id: int,
        *,
        statuses: Collection[NoteStatus] = (NoteStatus.VISIBLE,),
        quadrant: Quadrant | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Note]:
        wanted = [status.value for status in dict.fromkeys(statuses)]
        if not wanted:
            return []
        sql = f"SELECT * FROM notes WHERE theme_id = ? AND status IN ({_placeholders(len(wanted))})"
        params: list[Any] = [theme_id, *wanted]
        if quadrant is not None:
            sql += " AND quadrant = ?"
            params.append(quadrant.value)
        sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
        params += [limit, offset]
        return [_note(row) for row in await self._select(sql, params)]

    # -- for tests and the bench ---------------------------------------------------------------

    async def dump_table(self, name: str) -> list[dict[str, Any]]:
        """Return every row of a table as a dict."""
        if name not in await self.table_names():
            raise ValueError(f"no such table: {name}")
        rows = await self._select(f"SELECT * FROM {_quote_identifier(name)}")
        return [dict(row) for row in rows]
