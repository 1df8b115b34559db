"""A chat's turn on PostgreSQL in two round trips: one to begin it, one to end it.

A turn is a session advisory lock on the chat id (``storage/postgres.py``). Taking it and
then reading what the update needs first were four round trips (the lock, the chat's
backlog in the inbox, the guard's roles and its resident and state); marking the update
done and unlocking were two more. Here:

* **Beginning.** ``pg_temp.buurtbot_chat_turn(chat, through)``, a function made on each
  pooled connection, takes the lock and then reads the backlog, the person's role grants
  and their resident and chat state (a private chat's id is its person's), and a fingerprint
  of the themes table (each row's id and version, ``xmin``, which every write of the row
  changes), and returns them as one JSON value. The reads come after the lock in their own
  statements, and a VOLATILE function takes a fresh snapshot for each statement it runs, so
  they see everything the last holder committed before it unlocked (one statement that locks and
  reads would read with the snapshot of its start, from before the wait).
* **Ending.** Marking the turn's last update done is ``BEGIN; UPDATE inbox ...; COMMIT;
  SELECT pg_advisory_unlock(chat)`` in one simple query: the statements run in order, so
  the commit is visible before the lock goes (one statement that updates and unlocks would
  let the next holder read the row as still pending).
* **Themes** change seldom and every note reads its theme. A theme read in a turn is kept
  with the fingerprint it was read under, and served again in a later turn that begins with
  the same fingerprint: no theme row changed in between, on any replica.

The function lives in the session's temporary schema: no migration, and a replica of an
older or newer version never runs another's.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.models import InboxItem
from storage.pg_connection import PgConnection

if TYPE_CHECKING:
    from storage.postgres import PostgresRepository

TURN_FUNCTION = """
CREATE FUNCTION pg_temp.buurtbot_chat_turn(chat BIGINT, through BIGINT) RETURNS JSON
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_lock(chat);
    RETURN json_build_object(
        'backlog', (
            SELECT COALESCE(json_agg(json_build_object('update_id', update_id,
                'payload', payload) ORDER BY update_id), '[]'::json)
            FROM inbox WHERE chat_id = chat AND status = 'pending' AND update_id <= through),
        'grants', (
            SELECT COALESCE(json_agg(g ORDER BY g.id), '[]'::json)
            FROM role_grants g WHERE g.user_id = chat AND g.revoked_at IS NULL),
        'themes', (
            SELECT md5(COALESCE(string_agg(id::text || ':' || xmin::text, ',' ORDER BY id), ''))
            FROM themes),
        'talker', (
            SELECT row_to_json(t) FROM (
                SELECT r.*, s.flow AS state_flow, s.step AS state_step, s.data AS state_data
                FROM (SELECT chat AS wanted) w
                LEFT JOIN residents r ON r.user_id = w.wanted
                LEFT JOIN chat_state s ON s.chat_id = chat) t));
END
$$
"""

BEGIN_TURN = "SELECT pg_temp.buurtbot_chat_turn($1, $2)"

# The clock's timestamps (storage/sql_core.py's _ts): digits, separators and an offset.
_TIMESTAMP = re.compile(r"^[0-9T:.+-]+$")


def ending(chat_id: int, update_id: int, now: str) -> str:
    """The simple query that marks the update done, commits, and then ends the turn."""
    if not _TIMESTAMP.match(now):
        raise ValueError(f"not a timestamp: {now!r}")
    return (
        "BEGIN; UPDATE inbox SET status = 'done', payload = NULL, chat_id = NULL,"
        f" handled_at = '{now}' WHERE update_id = {int(update_id)} AND status = 'pending';"
        f" COMMIT; SELECT pg_advisory_unlock({int(chat_id)})"
    )


@dataclass
class Turn:
    """A chat's turn: the connection holding the chat's lock, bound to one task."""

    repo: PostgresRepository
    conn: PgConnection
    task: asyncio.Task[Any] | None
    lock: asyncio.Lock
    chat_id: int
    through: int | None = None
    """The update whose marking as done ends the turn (None: the turn's end does)."""
    active: bool = True
    held: bool = True
    """Whether this session still holds the chat's lock."""
    talker: dict[str, Any] | None = None
    """The guard's row of the person whose private chat this is, read as the turn began."""
    grants: list[dict[str, Any]] | None = field(default=None)
    """Their role grants, read as the turn began."""
    themes: str | None = None
    """A fingerprint of every theme row as the turn began (ids and row versions)."""

    def begun(self, value: str) -> list[InboxItem]:
        """Keep what the beginning read for the guard; return the backlog."""
        data = json.loads(value)
        self.talker = data["talker"]
        self.grants = data["grants"]
        self.themes = data["themes"]
        return [InboxItem(item["update_id"], item["payload"]) for item in data["backlog"]]

    def forget(self) -> None:
        """Read again from now on: this turn writes."""
        self.talker = self.grants = self.themes = None
