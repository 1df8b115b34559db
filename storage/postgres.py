"""The Repository on PostgreSQL, over asyncpg, for replicas: the shared SQL, other connections.

Every storage part (``SqlCore`` and the parts layered over it) talks to its connection
through the connection protocol; ``storage/pg_connection.py`` implements it over asyncpg, so
the parts run here unchanged. What differs is said here:

* connections: a pool instead of one writer and one reader. Every write is still one explicit
  transaction (``BEGIN`` ... ``COMMIT``, rolled back when the block raises), but writes of
  different chats run at once, within this process and across replicas.
* a chat's turn: ``chat_turn()`` takes a session advisory lock on the chat id over a pooled
  connection and binds that connection to the task, so the update's own storage calls run
  over it; another replica wanting the same chat waits for the lock. With the update's id it
  begins in one round trip (the lock, then the backlog and the guard's reads) and marking
  that update done ends it in one (commit, then unlock): ``storage/pg_turn.py``.
* round trips: counted on the connection class (``storage/pg_round_trips.py``); the pool
  returns connections without asyncpg's reset query.
* claiming: ``claim_due`` uses ``FOR UPDATE SKIP LOCKED``, so two replicas never claim the
  same message, and records the claimer.
* liveness: each process holds an advisory lock on its random replica id on a connection of
  its own. Inbox rows and claimed messages name the replica; rows of a replica whose lock is
  gone (it stopped or was killed) are taken over by the others.
* a write that names what it reads and then changes (``storage/serialized.py``: table
  memberships, a table card and its digest, a note's moderation decision, a role grant's
  revocation) takes an advisory transaction lock on it first. (Writes of one chat are
  already one at a time: its turn.)
* no in-memory caches that are not checked: role grants are read for every update, as
  another replica may change them; a theme is kept only while the themes table's
  fingerprint, read as each turn begins, stays the same (``storage/pg_turn.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any, cast

import asyncpg

from storage.connection import Connection, Row
from storage.migrations import apply_postgres_migrations
from storage.models import (
    ChatState,
    InboxItem,
    Note,
    OutboxMessage,
    Resident,
    RoleGrant,
    Theme,
)
from storage.pg_connection import PgConnection
from storage.pg_round_trips import CountedConnection, RoundTrips
from storage.pg_turn import BEGIN_TURN, TURN_FUNCTION, WATCHED, StateWrite, Turn, ending
from storage.serialized import Serialized
from storage.shared import SharedStorage
from storage.sql_core import _note, _ts
from storage.sql_moderation import _grant
from storage.sql_outbox import _message
from storage.sql_repository import SqlRepository

_log = logging.getLogger(__name__)

DEFAULT_POOL_SIZE = 10
# Connections kept free of chat turns, for the sender, the scheduler and the webhook.
_RESERVED = 2
# Advisory lock namespaces (the two-key form; a chat's turn uses the one-key form).
REPLICA_LOCK = 0x62756D72
_SERIALIZED_LOCKS = {
    Serialized.MEMBERSHIPS: 0x62756D74,
    Serialized.CARD: 0x62756D63,
    Serialized.DECISION: 0x62756D6E,
    Serialized.GRANT: 0x62756D61,
}
_STATEMENT_CACHE = 1024

# A replica is alive while some session holds its advisory lock in this database.
_ALIVE = (
    "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    f" AND l.classid = {REPLICA_LOCK} AND l.objsubid = 2 AND l.objid = ({{column}})::oid)"
)


_turn: ContextVar[Turn | None] = ContextVar("buurtbot_pg_turn", default=None)


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Returned to the pool as it is: every transaction here is closed by its own block."""


class PostgresRepository(SqlRepository, SharedStorage):
    """Every part of the repository on one PostgreSQL database, shared by replicas."""

    def __init__(
        self,
        url: str,
        *,
        clock: Callable[[], datetime] | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
    ) -> None:
        if pool_size < _RESERVED + 1:
            raise ValueError(f"pool_size must be at least {_RESERVED + 1}")
        super().__init__(clock=clock)
        self.url = url
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._life: asyncpg.Connection | None = None
        self._replica = 0
        self._turns = asyncio.Semaphore(pool_size - _RESERVED)
        self._alive_lock = asyncio.Lock()
        self._lifecycle_lock = asyncio.Lock()
        self._trips = RoundTrips()
        # Themes read in a turn, with the fingerprint of the themes table they were read
        # under (storage/pg_turn.py): valid in a turn that begins with the same one.
        self._themes: dict[int, tuple[str, Theme]] = {}
        # Per theme, from when the next look for changed notes will ask (pg_turn.py): the
        # turn reads those as it begins. The themes asked last, at most WATCHED.
        self._watched: dict[int, str] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        async with self._lifecycle_lock:
            if self._pool is not None:
                return
            pool = await asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=self.pool_size,
                statement_cache_size=_STATEMENT_CACHE,
                reset=_keep_session,
                connection_class=CountedConnection,
                init=self._prepare,
                server_settings={"application_name": "buurtbot"},
            )
            try:
                async with pool.acquire() as conn:
                    await apply_postgres_migrations(conn, now=self._now)
                await self._become_replica()
            except BaseException:
                await pool.close()
                raise
            self._pool = pool

    async def _become_replica(self) -> None:
        """Connect the liveness session and hold a replica id in it: the same one again
        after the session was lost (when nobody took it meanwhile), else a free one."""
        life = await asyncpg.connect(
            self.url,
            connection_class=CountedConnection,
            server_settings={"application_name": "buurtbot-replica"},
        )
        self._count_trips(life)
        try:
            candidate = self._replica or secrets.randbelow(2**31 - 2) + 1
            while not await life.fetchval(
                "SELECT pg_try_advisory_lock($1, $2)", REPLICA_LOCK, candidate
            ):
                candidate = secrets.randbelow(2**31 - 2) + 1
        except BaseException:
            await life.close()
            raise
        life.add_termination_listener(self._lost_liveness)
        if self._replica and candidate != self._replica:
            _log.error("replica %s is now replica %s", self._replica, candidate)
        self._life, self._replica = life, candidate

    def _count_trips(self, conn: asyncpg.Connection) -> None:
        """Count the round trips of a new connection with this repository's."""
        conn.trips = self._trips

    async def _prepare(self, conn: asyncpg.Connection) -> None:
        """Make a new pooled connection ready: counted, and able to begin a chat's turn."""
        self._count_trips(conn)
        await conn.execute(TURN_FUNCTION)

    def _lost_liveness(self, conn: asyncpg.Connection) -> None:
        if self._life is conn:
            # Until it is back, the others see this replica as gone and may take over what
            # it holds; _alive() reconnects before this replica takes in or claims more.
            _log.error("lost the database session that marks replica %s alive", self._replica)

    async def _alive(self) -> None:
        """Make sure the liveness session is there before taking in or claiming work."""
        self._open_pool()  # not after close()
        life = self._life
        if life is not None and not life.is_closed():
            return
        async with self._alive_lock:
            life = self._life
            if life is None or life.is_closed():
                self._life = None
                await self._become_replica()

    async def close(self) -> None:
        async with self._lifecycle_lock:
            pool, self._pool = self._pool, None
            life, self._life = self._life, None
            if pool is not None:
                await pool.close()
            if life is not None and not life.is_closed():
                await life.close()

    @property
    def replica_id(self) -> int:
        return self._replica

    @property
    def round_trips(self) -> int:
        return self._trips.count

    # -- connections and transactions -------------------------------------------------------

    def _open_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the PostgreSQL repository is not open")
        return self._pool

    def _own_turn(self) -> Turn | None:
        """The chat turn this task holds on this repository, if any (and free to use)."""
        turn = _turn.get()
        if (
            turn is not None
            and turn.active
            and turn.repo is self
            and turn.task is asyncio.current_task()
            and not turn.lock.locked()
        ):
            return turn
        return None

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[PgConnection]:
        """The chat turn's connection when this task holds one, else one from the pool."""
        turn = self._own_turn()
        if turn is not None:
            async with turn.lock:
                if turn.state is not None:
                    await self._flush_state(turn)
                yield turn.conn
            return
        async with self._open_pool().acquire() as raw:
            yield PgConnection(raw)

    def _writing(self) -> None:
        """What the turn read as it began may be changed from here on: read it anew."""
        turn = self._own_turn()
        if turn is not None:
            turn.forget()

    @contextlib.asynccontextmanager
    async def _write(
        self, serialized: Serialized | None = None, key: int = 0
    ) -> AsyncIterator[Connection]:
        self._writing()
        async with self._connection() as conn, conn.transaction():
            if serialized is not None:
                # Held until the transaction ends: the next writer of the same thing then
                # reads what this one wrote.
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(?, ?)", (_SERIALIZED_LOCKS[serialized], key)
                )
            yield conn

    @contextlib.asynccontextmanager
    async def _read(self) -> AsyncIterator[Connection]:
        async with self._connection() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def _single(self) -> AsyncIterator[Connection]:
        # One statement is a transaction by itself: where a write is a single statement and
        # comes with every update, it goes without BEGIN and COMMIT (two round trips fewer).
        self._writing()
        async with self._connection() as conn:
            yield conn

    async def table_names(self) -> list[str]:
        rows = await self._select(
            "SELECT table_name AS name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " ORDER BY table_name"
        )
        return [str(row["name"]) for row in rows]

    # -- a chat's turn across replicas ------------------------------------------------------

    @contextlib.asynccontextmanager
    async def chat_turn(
        self, chat_id: int, through: int | None = None
    ) -> AsyncIterator[list[InboxItem]]:
        async with self._turns:
            pool = self._open_pool()
            raw = await pool.acquire()
            turn = Turn(self, PgConnection(raw), asyncio.current_task(), asyncio.Lock(), chat_id)
            try:
                if through is None:
                    await raw.execute("SELECT pg_advisory_lock($1)", chat_id)
                    backlog: list[InboxItem] = []
                else:
                    # The lock and then, in the same round trip, what comes first (pg_turn.py).
                    watched = dict(self._watched)
                    value = await raw.fetchval(BEGIN_TURN, chat_id, through, json.dumps(watched))
                    backlog = turn.begun(value, watched)
                    turn.through = through
            except BaseException:
                raw.terminate()  # the lock may have been granted after all
                await pool.release(raw)
                raise
            token = _turn.set(turn)
            try:
                yield backlog
            finally:
                turn.active = False
                _turn.reset(token)
                try:
                    async with turn.lock:  # a storage call of another task finishes first
                        if turn.held:
                            if turn.state is not None:
                                await self._flush_state(turn)
                            await raw.execute("SELECT pg_advisory_unlock($1)", chat_id)
                except BaseException:
                    # Closing the session releases the lock for certain.
                    raw.terminate()
                    raise
                finally:
                    await pool.release(raw)

    async def _end_turn(self, turn: Turn, update_id: int) -> None:
        """Mark the turn's last update done, commit, then unlock: one round trip."""
        async with turn.lock:
            # Whatever comes after in this task goes over the pool: the turn is over.
            turn.active = turn.held = False
            state, turn.state = turn.state, None
            try:
                await turn.conn.raw.execute(ending(turn.chat_id, update_id, self._now(), state))
            except BaseException:
                # The lock and any transaction left open end with the session, for certain.
                turn.conn.raw.terminate()
                raise

    async def _flush_state(self, turn: Turn) -> None:
        """Write the state the turn kept back, before any other statement of the turn."""
        state, turn.state = turn.state, None
        if state is not None:
            await turn.conn.raw.execute(state.statement())

    async def set_state(
        self, chat_id: int, flow: str | None, step: str | None, data: dict[str, Any]
    ) -> None:
        # A turn's state write goes with its next statement, or with its end: the state and
        # "done" commit together (one round trip fewer per update; pg_turn.py).
        turn = self._own_turn()
        if (
            turn is None
            or not (turn.held and turn.replayable)
            or turn.through is None
            or chat_id != turn.chat_id
        ):
            await super().set_state(chat_id, flow, step, data)
            return
        stored = "{}" if flow is None else json.dumps(data, ensure_ascii=False)
        turn.state = StateWrite(chat_id, flow, step, stored, self._now())
        turn.talker = None  # its state column is the old one
        if flow is None:
            self._states.put(ChatState(chat_id))
        else:
            self._states.put(ChatState(chat_id, flow, step, json.loads(stored)))

    def _note_stored(self, note: Note, *, keyed: bool) -> None:
        turn = self._own_turn()
        if turn is not None:
            turn.wrote_note(note, keyed=keyed)

    async def waiting_drafts(
        self, author_id: int, theme_id: int, note_ids: Sequence[int]
    ) -> dict[int, str]:
        turn = self._own_turn()
        known = None if turn is None else turn.waiting(author_id, theme_id, list(note_ids))
        if known is not None:
            return known
        return await super().waiting_drafts(author_id, theme_id, note_ids)

    async def notes_changed_since(self, theme_id: int, since: datetime | None) -> list[Note]:
        turn = self._own_turn()
        asked = "" if since is None else _ts(since)
        read = None if turn is None or turn.changed is None else turn.changed.get(theme_id)
        if read is not None and read[0] <= asked:
            notes = [_note(cast(Row, row)) for row in read[1] if row["updated_at"] >= asked]
        else:
            notes = await super().notes_changed_since(theme_id, since)
        # The next look asks from the newest change seen; the next turn reads it beforehand.
        newest = max([asked, *(_ts(note.updated_at) for note in notes)])
        self._watched.pop(theme_id, None)
        self._watched[theme_id] = newest
        while len(self._watched) > WATCHED:
            del self._watched[next(iter(self._watched))]
        return notes

    async def get_talker(self, user_id: int, chat_id: int) -> tuple[Resident | None, ChatState]:
        turn = self._own_turn()
        if turn is not None and turn.talker is not None and user_id == chat_id == turn.chat_id:
            row, turn.talker = turn.talker, None
            return self._talker(cast(Row, row), chat_id, self._states.get(chat_id))
        return await super().get_talker(user_id, chat_id)

    async def get_theme(self, theme_id: int) -> Theme | None:
        turn = self._own_turn()
        seen = None if turn is None else turn.themes
        if seen is not None:
            kept = self._themes.get(theme_id)
            if kept is not None and kept[0] == seen:
                return kept[1]
        theme = await super().get_theme(theme_id)
        if seen is not None and theme is not None:
            # Read after the fingerprint: as new as it or newer, and a newer row changes
            # the next turn's fingerprint, so it is never served for an older one.
            self._themes[theme_id] = (seen, theme)
        return theme

    async def inbox_add(self, items: Sequence[tuple[int, int | None, str]]) -> set[int]:
        if not items:
            return set()
        await self._alive()
        now = self._now()
        fresh: set[int] = set()
        # A webhook stores one update at a time; a poll's batch is one transaction.
        block = self._single() if len(items) == 1 else self._write()
        async with block as conn:
            # Row by row with RETURNING: two replicas given the same update at once (a
            # redelivery) see exactly one of them get it as new.
            for update_id, chat_id, payload in items:
                row = await conn.fetch_one(
                    "INSERT INTO inbox (update_id, chat_id, payload, status, received_at,"
                    " received_by) VALUES (?, ?, ?, 'pending', ?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
                    (update_id, chat_id, payload, now, self._replica),
                )
                if row is not None:
                    fresh.add(update_id)
        return fresh

    async def inbox_done(self, update_id: int) -> None:
        turn = self._own_turn()
        if turn is not None and turn.held and update_id == turn.through:
            await self._end_turn(turn, update_id)
            return
        async with self._single() as conn:
            await conn.execute(
                "UPDATE inbox SET status = 'done', payload = NULL, chat_id = NULL,"
                " handled_at = ? WHERE update_id = ? AND status = 'pending'",
                (self._now(), update_id),
            )

    async def adopt_orphaned_updates(self) -> list[InboxItem]:
        await self._alive()
        async with self._write() as conn:
            rows = await conn.fetch_all(
                "UPDATE inbox SET received_by = :me WHERE status = 'pending'"
                " AND (received_by IS NULL OR (received_by <> :me AND NOT "
                + _ALIVE.format(column="received_by")
                + ")) RETURNING update_id, payload, received_at",
                {"me": self._replica},
            )
        rows.sort(key=lambda row: (row["received_at"], row["update_id"]))
        return [InboxItem(row["update_id"], row["payload"]) for row in rows]

    async def live_replicas(self) -> int:
        row = await self._select_one(
            "SELECT COUNT(*) AS n FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            f" AND l.classid = {REPLICA_LOCK} AND l.objsubid = 2"
        )
        return max(1, int(row["n"])) if row is not None else 1

    # -- the outbox --------------------------------------------------------------------------

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        await self._alive()
        async with self._write() as conn:
            rows = await conn.fetch_all(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?,"
                " claimed_by = ? WHERE id IN (SELECT id FROM outbox WHERE status = 'pending'"
                " AND due_at <= ? ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED)"
                " RETURNING *",
                (self._now(), self._replica, _ts(now), limit),
            )
        rows.sort(key=lambda row: (row["due_at"], row["id"]))
        return [_message(row) for row in rows]

    async def _requeue(self, *, own: bool) -> int:
        mine = "claimed_by = :me OR " if own else ""
        async with self._write() as conn:
            return await conn.execute(
                "UPDATE outbox SET status = 'pending', claimed_by = NULL, updated_at = :now"
                f" WHERE status = 'sending' AND ({mine}claimed_by IS NULL OR"
                " (claimed_by <> :me AND NOT " + _ALIVE.format(column="claimed_by") + "))",
                {"me": self._replica, "now": self._now()},
            )

    async def requeue_in_flight(self) -> int:
        """This replica's messages in flight, and those of replicas that are gone."""
        return await self._requeue(own=True)

    async def requeue_orphaned_messages(self) -> int:
        return await self._requeue(own=False)

    # -- roles: read for every update, never cached -----------------------------------------

    async def active_grants(self, user_id: int) -> tuple[RoleGrant, ...]:
        turn = self._own_turn()
        if turn is not None and turn.grants is not None and user_id == turn.chat_id:
            read, turn.grants = turn.grants, None
            return tuple(_grant(row) for row in read)
        rows = await self._select(
            "SELECT * FROM role_grants WHERE user_id = ? AND revoked_at IS NULL ORDER BY id",
            (user_id,),
        )
        return tuple(_grant(row) for row in rows)

    async def list_grants(self) -> list[RoleGrant]:
        rows = await self._select("SELECT * FROM role_grants WHERE revoked_at IS NULL ORDER BY id")
        return [_grant(row) for row in rows]
