"""A chat's turn on PostgreSQL: one round trip to begin it, one to end it, little in between.

A turn is a session advisory lock on the chat id (``storage/postgres.py``). Taking it and
then reading what the update needs first were four round trips (the lock, the chat's
backlog in the inbox, the guard's roles and its resident and state); marking the update
done and unlocking were two more; a note then read the board's changes and the waiting
drafts and wrote the chat's state, three more. Here:

* **Beginning.** ``pg_temp.buurtbot_chat_turn(chat, through, watched)``, a function made on
  each pooled connection, takes the lock and then reads the backlog, the person's role
  grants and their resident and chat state (a private chat's id is its person's), a
  fingerprint of the themes table (each row's id and version, ``xmin``, which every write
  of the row changes), the notes changed in the watched themes since the replica's last
  look (what the similar-notes index asks next), and the person's text drafts that wait for
  a place (what a quick note asks about), and returns them as one JSON value. The reads come
  after the lock in their own statements, and a VOLATILE function takes a fresh snapshot for
  each statement it runs, so they see everything the last holder committed before it
  unlocked (one statement that locks and reads would read with the snapshot of its start,
  from before the wait).
* **In between.** What the beginning read serves the turn until it writes: any write makes
  it read anew, except a note of its own, which only adds to the waiting drafts. A state
  the turn writes for its chat is kept back until its next statement (which it precedes)
  or its end, as long as all the turn wrote before it is safe to do again from the old
  state (a note keyed by its update is: the second run finds it); after any other write it
  is written at once, as before.
* **Ending.** Marking the turn's last update done is ``BEGIN; <the state>; UPDATE inbox
  ...; COMMIT; SELECT pg_advisory_unlock(chat)`` in one simple query: the statements run in
  order, so the commit is visible before the lock goes (one statement that updates and
  unlocks would let the next holder read the row as still pending), and the state and
  "done" commit together.
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
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.models import InboxItem, Note, NoteKind, NoteStatus
from storage.pg_connection import PgConnection

if TYPE_CHECKING:
    from storage.postgres import PostgresRepository

DRAFTS_READ = 50
"""At most this many of the person's newest waiting drafts come with the turn."""
WATCHED = 8
"""At most this many themes' changed notes come with the turn (the newest themes asked)."""

TURN_FUNCTION = """
CREATE FUNCTION pg_temp.buurtbot_chat_turn(chat BIGINT, through BIGINT, watched JSON)
RETURNS JSON LANGUAGE plpgsql VOLATILE AS $$
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
                LEFT JOIN chat_state s ON s.chat_id = chat) t),
        'changed', (
            SELECT COALESCE(json_agg(n ORDER BY n.id), '[]'::json)
            FROM json_each_text(watched) w
            JOIN notes n ON n.theme_id = w.key::INTEGER AND n.updated_at >= w.value),
        'drafts', (
            SELECT COALESCE(json_agg(json_build_object('id', d.id, 'theme_id', d.theme_id,
                'text', d.text) ORDER BY d.id), '[]'::json)
            FROM (SELECT n.id, n.theme_id, n.text FROM notes n
                WHERE n.author_id = chat AND n.kind = 'text' AND n.status = 'draft'
                AND n.quadrant IS NULL AND NOT EXISTS (SELECT 1 FROM note_support s
                    WHERE s.via_note_id = n.id AND s.supporter_id = chat)
                ORDER BY n.id DESC LIMIT {drafts}) d));
END
$$
""".replace("{drafts}", str(DRAFTS_READ))

BEGIN_TURN = "SELECT pg_temp.buurtbot_chat_turn($1, $2, $3)"

# The clock's timestamps (storage/sql_core.py's _ts): digits, separators and an offset.
_TIMESTAMP = re.compile(r"^[0-9T:.+-]+$")


@dataclass(frozen=True)
class StateWrite:
    """A chat state written in the turn, kept to go with the turn's end (or the next statement)."""

    chat_id: int
    flow: str | None
    step: str | None
    data: str
    """The state's data as stored: JSON text."""
    at: str

    def statement(self) -> str:
        """The write as one statement of a simple query (which takes no parameters)."""
        if self.flow is None:
            return f"DELETE FROM chat_state WHERE chat_id = {int(self.chat_id)}"
        return (
            "INSERT INTO chat_state (chat_id, flow, step, data, updated_at) VALUES"
            f" ({int(self.chat_id)}, {_literal(self.flow)},"
            f" {'NULL' if self.step is None else _literal(self.step)}, {_literal(self.data)},"
            f" {_literal(self.at)}) ON CONFLICT (chat_id) DO UPDATE SET flow = excluded.flow,"
            " step = excluded.step, data = excluded.data, updated_at = excluded.updated_at"
        )


def _literal(text: str) -> str:
    """A dollar-quoted literal: nothing inside it is read as SQL, whatever the settings."""
    if "\x00" in text:
        raise ValueError("a NUL character cannot be stored as text")
    tag = "$s$"
    # The literal ends at the tag's first appearance after the opening one: that must be the
    # closing one, also where the text's own end and the tag together spell it ("...$s").
    while (text + tag).find(tag) != len(text):
        tag = f"$s{secrets.token_hex(4)}$"
    return f"{tag}{text}{tag}"


def ending(chat_id: int, update_id: int, now: str, state: StateWrite | None = None) -> str:
    """The simple query that marks the update done, commits, and then ends the turn.

    A state the turn wrote goes in the same transaction: the update is done with it, or,
    should the session die first, neither happened and the update is handled again.
    """
    if not _TIMESTAMP.match(now):
        raise ValueError(f"not a timestamp: {now!r}")
    written = "" if state is None else f" {state.statement()};"
    return (
        f"BEGIN;{written} UPDATE inbox SET status = 'done', payload = NULL, chat_id = NULL,"
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
    changed: dict[int, tuple[str, list[dict[str, Any]]]] | None = None
    """Per watched theme: since when, and the notes changed since then, as the turn began."""
    drafts: dict[int, tuple[int, str]] | None = None
    """The person's text drafts that wait for a place, by id: their theme and text."""
    drafts_from: int = 0
    """Every waiting draft with an id from here on is in ``drafts`` (older ones may not be)."""
    state: StateWrite | None = None
    """A chat state written in the turn and not sent yet."""
    replayable: bool = True
    """Whether all the turn committed so far comes out the same when the update is handled
    again from the chat's old state (nothing yet, or notes keyed by their update): only then
    may its state wait for the end (else a crash in between would keep the one, lose the
    other, and the update's second run would do the first again)."""
    _before_write: tuple[dict[int, tuple[int, str]] | None, bool] = (None, False)
    """The drafts and replayable of just before the last write, for wrote_note."""

    def begun(self, value: str, watched: dict[int, str]) -> list[InboxItem]:
        """Keep what the beginning read for the handler; return the backlog."""
        data = json.loads(value)
        self.talker = data["talker"]
        self.grants = data["grants"]
        self.themes = data["themes"]
        changed: dict[int, tuple[str, list[dict[str, Any]]]] = {
            theme: (since, []) for theme, since in watched.items()
        }
        for row in data["changed"]:
            changed[row["theme_id"]][1].append(row)
        self.changed = changed
        drafts = data["drafts"]
        self.drafts = {d["id"]: (d["theme_id"], d["text"]) for d in drafts}
        # Newest first and cut at DRAFTS_READ: a full read may leave older ones out.
        self.drafts_from = min(self.drafts) if len(drafts) >= DRAFTS_READ else 0
        return [InboxItem(item["update_id"], item["payload"]) for item in data["backlog"]]

    def forget(self) -> None:
        """Read again from now on: this turn writes (unless the write is a note, wrote_note)."""
        self._before_write = (self.drafts, self.replayable)
        self.talker = self.grants = self.themes = self.changed = self.drafts = None
        self.replayable = False

    def wrote_note(self, note: Note, *, keyed: bool) -> None:
        """The write was a note: the drafts stay (with it), and a keyed note is replayable."""
        drafts, replayable = self._before_write
        self._before_write = (None, False)
        if drafts is not None and (
            note.author_id == self.chat_id
            and note.kind == NoteKind.TEXT
            and note.status == NoteStatus.DRAFT
            and note.quadrant is None
        ):
            drafts[note.id] = (note.theme_id, note.text)
        self.drafts = drafts
        self.replayable = replayable and keyed

    def waiting(self, author: int, theme_id: int, note_ids: list[int]) -> dict[int, str] | None:
        """The drafts of these that wait for a place, from the beginning; None: ask storage."""
        drafts = self.drafts
        if not note_ids:
            return {}
        if drafts is None or author != self.chat_id or min(note_ids) < self.drafts_from:
            return None
        found = {i: drafts[i] for i in note_ids if i in drafts}
        return {i: text for i, (theme, text) in sorted(found.items()) if theme == theme_id}
