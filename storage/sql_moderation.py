"""Moderation, roles and the audit trail in shared SQL, layered over the core and the outbox.

The first decision wins because a decision is a row keyed by (note, round): under the write
lock the round is checked and the row inserted in one transaction, and the UNIQUE constraint
keeps that true on a database with real concurrent writers too. The loser reads the row.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from storage.connection import Connection
from storage.models import (
    AuditAction,
    AuditEntry,
    Broadcast,
    BroadcastKind,
    DecideOutcome,
    DecideResult,
    Decision,
    GrantRole,
    HideReason,
    ModerationDecision,
    NewMessage,
    Note,
    NoteStatus,
    Quadrant,
    QueueItem,
    QueueMarks,
    ReportOutcome,
    ReportReason,
    RoleGrant,
    RoleInvite,
    ThemeContact,
)
from storage.moderation_repository import MODES, ModerationRepository
from storage.serialized import Serialized
from storage.sql_core import _note, _parse_ts, _placeholders, _ts
from storage.sql_outbox import SqlOutbox, enqueue_messages

# Run by erase_resident before the core's steps (which delete the person's notes; their
# decisions and reports go with them by ON DELETE CASCADE). A resident's reports stay, without
# the reporter; a role holder's decisions and audit lines stay, without the person.
_ERASE_MODERATION: tuple[str, ...] = (
    "UPDATE note_reports SET reporter_id = NULL WHERE reporter_id = :user_id",
    "UPDATE moderation_decisions SET moderator_id = NULL, moderator_name = NULL"
    " WHERE moderator_id = :user_id",
    "DELETE FROM moderation_digests WHERE moderator_id = :user_id",
    "UPDATE role_invites SET created_by = NULL, created_name = NULL WHERE created_by = :user_id",
    "UPDATE role_invites SET used_by = NULL WHERE used_by = :user_id",
    "UPDATE role_grants SET revoked_by = NULL WHERE revoked_by = :user_id",
    "DELETE FROM role_grants WHERE user_id = :user_id",
    "UPDATE audit_log SET actor_id = NULL, actor_name = NULL WHERE actor_id = :user_id",
    "UPDATE audit_log SET subject_id = NULL, subject_name = NULL WHERE subject_id = :user_id",
)

_DECISIONS = "(SELECT COUNT(*) FROM moderation_decisions d WHERE d.note_id = n.id)"
# Whether a note (alias n) waits for a moderator; :post is 1 in post-moderation. An edit
# waits in the round after the decision it followed, until the next decision.
_WAITS = (
    "n.quadrant IS NOT NULL AND (n.status = 'pending' OR (n.status = 'visible' AND ("
    " EXISTS (SELECT 1 FROM note_reports r WHERE r.note_id = n.id AND r.handled_at IS NULL)"
    f" OR EXISTS (SELECT 1 FROM note_edits e WHERE e.note_id = n.id AND e.round = {_DECISIONS})"
    " OR (:post = 1 AND NOT EXISTS"
    " (SELECT 1 FROM moderation_decisions d WHERE d.note_id = n.id)))))"
)
_ROUND = f"{_DECISIONS} AS round_"
# The decision a waiting note was changed after, if its writer changed it since.
_EDITED_AFTER = (
    "(SELECT d.decision FROM note_edits e JOIN moderation_decisions d"
    " ON d.note_id = e.note_id AND d.round = e.round - 1"
    f" WHERE e.note_id = n.id AND e.round = {_DECISIONS}) AS edited_after"
)

# Roles are read for every update; they change rarely and mostly through this process, so
# they are kept in memory, dropped on every change made here and re-read after a few
# seconds in case another process changed them.
_GRANTS_TTL = 5.0

_SHOWS = {
    Decision.APPROVE: NoteStatus.VISIBLE,
    Decision.MOVE: NoteStatus.VISIBLE,
    Decision.REDACT: NoteStatus.VISIBLE,
    Decision.HIDE: NoteStatus.HIDDEN,
    Decision.DUPLICATE: NoteStatus.HIDDEN,
}


def _status_after_edit(note: Note, last: Decision | None, post: bool) -> NoteStatus:
    """Where changed words stand: off the board until reviewed, unless approved in post mode."""
    if note.quadrant is None:
        return note.status  # a draft is neither on the board nor in the queue
    if last is None:
        return note.status if post else NoteStatus.PENDING
    if post and last in (Decision.APPROVE, Decision.MOVE):
        return note.status
    # A redaction took something out on purpose: its words are always seen first.
    return NoteStatus.PENDING


def _queue_item(row: Any, reports: dict[int, tuple[ReportReason, ...]]) -> QueueItem:
    edited = row["edited_after"]
    return QueueItem(
        _note(row),
        int(row["round_"]),
        reports.get(row["id"], ()),
        None if edited is None else Decision(edited),
    )


def _mode(mode: str) -> int:
    if mode not in MODES:
        raise ValueError(f"unknown moderation mode: {mode!r}")
    return 1 if mode == "post" else 0


def _decision(row: Any) -> ModerationDecision:
    return ModerationDecision(
        note_id=row["note_id"],
        round=row["round"],
        decision=Decision(row["decision"]),
        moderator_id=row["moderator_id"],
        moderator_name=row["moderator_name"],
        reason=None if row["reason"] is None else HideReason(row["reason"]),
        quadrant=None if row["quadrant"] is None else Quadrant(row["quadrant"]),
        duplicate_of=row["duplicate_of"],
        decided_at=_parse_ts(row["decided_at"]),
    )


def _grant(row: Any) -> RoleGrant:
    return RoleGrant(
        id=row["id"],
        user_id=row["user_id"],
        role=GrantRole(row["role"]),
        area=row["area_key"],
        holder_name=row["holder_name"],
        granted_at=_parse_ts(row["granted_at"]),
    )


def _invite(row: Any) -> RoleInvite:
    return RoleInvite(
        id=row["id"],
        role=GrantRole(row["role"]),
        area=row["area_key"],
        created_by=row["created_by"],
        created_at=_parse_ts(row["created_at"]),
        expires_at=_parse_ts(row["expires_at"]),
        used_at=None if row["used_at"] is None else _parse_ts(row["used_at"]),
        revoked_at=None if row["revoked_at"] is None else _parse_ts(row["revoked_at"]),
    )


def _audit_entry(row: Any) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=_parse_ts(row["at"]),
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        action=AuditAction(row["action"]),
        subject_id=row["subject_id"],
        subject_name=row["subject_name"],
        theme_id=row["theme_id"],
        note_id=row["note_id"],
        detail=json.loads(row["detail"]),
    )


async def _insert_audit(
    conn: Connection,
    action: AuditAction,
    *,
    actor_id: int | None,
    actor_name: str | None,
    at: str,
    theme_id: int | None = None,
    note_id: int | None = None,
    subject_id: int | None = None,
    subject_name: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, subject_id, subject_name,"
        " theme_id, note_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            actor_id,
            actor_name,
            action.value,
            subject_id,
            subject_name,
            theme_id,
            note_id,
            json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        ),
    )


class SqlModeration(SqlOutbox, ModerationRepository):
    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(clock=clock)
        self._grants: dict[int, tuple[RoleGrant, ...]] | None = None
        self._grants_read_at = 0.0

    def _erase_steps(self) -> tuple[str, ...]:
        return _ERASE_MODERATION + super()._erase_steps()

    async def erase_resident(self, user_id: int, *, farewell: NewMessage | None = None) -> None:
        await super().erase_resident(user_id, farewell=farewell)
        self._grants = None

    async def export_resident(self, user_id: int) -> dict[str, Any]:
        data = await super().export_resident(user_id)
        reports = await self._select(
            "SELECT note_id, reason, created_at, handled_at FROM note_reports"
            " WHERE reporter_id = ? ORDER BY id",
            (user_id,),
        )
        grants = await self._select(
            "SELECT role, area_key, granted_at, revoked_at FROM role_grants"
            " WHERE user_id = ? ORDER BY id",
            (user_id,),
        )
        # What moderators decided about their notes, and why; never who decided.
        decisions = await self._select(
            "SELECT d.note_id, d.decision, d.reason, d.decided_at FROM moderation_decisions d"
            " JOIN notes n ON n.id = d.note_id WHERE n.author_id = ? ORDER BY d.note_id, d.round",
            (user_id,),
        )
        by_note: dict[int, list[dict[str, Any]]] = {}
        for row in decisions:
            by_note.setdefault(row["note_id"], []).append(
                {"decision": row["decision"], "reason": row["reason"], "at": row["decided_at"]}
            )
        for note in data["notes"]:
            note["moderation"] = by_note.get(note["id"], [])
        data["reports"] = [dict(row) for row in reports]
        data["roles"] = [dict(row) for row in grants]
        return data

    # -- the queue -----------------------------------------------------------------------------

    async def _reports_of(self, note_ids: Sequence[int]) -> dict[int, tuple[ReportReason, ...]]:
        if not note_ids:
            return {}
        rows = await self._select(
            "SELECT note_id, reason FROM note_reports WHERE handled_at IS NULL"
            f" AND note_id IN ({_placeholders(len(note_ids))}) ORDER BY id",
            tuple(note_ids),
        )
        found: dict[int, list[ReportReason]] = {}
        for row in rows:
            found.setdefault(row["note_id"], []).append(ReportReason(row["reason"]))
        return {note_id: tuple(reasons) for note_id, reasons in found.items()}

    async def moderation_queue(
        self, mode: str, *, after_note_id: int = 0, limit: int = 5
    ) -> list[QueueItem]:
        rows = await self._select(
            f"SELECT n.*, {_ROUND}, {_EDITED_AFTER} FROM notes n WHERE {_WAITS}"
            " AND n.id > :after ORDER BY n.id LIMIT :limit",
            {"post": _mode(mode), "after": after_note_id, "limit": limit},
        )
        reports = await self._reports_of([row["id"] for row in rows])
        return [_queue_item(row, reports) for row in rows]

    async def queue_item(self, mode: str, note_id: int) -> QueueItem | None:
        row = await self._select_one(
            f"SELECT n.*, {_ROUND}, {_EDITED_AFTER} FROM notes n WHERE {_WAITS} AND n.id = :id",
            {"post": _mode(mode), "id": note_id},
        )
        if row is None:
            return None
        return _queue_item(row, await self._reports_of([note_id]))

    async def edit_note_text(self, mode: str, note_id: int, text: str) -> Note | None:
        post = _mode(mode) == 1
        now = self._now()
        # Serialized with decide(): an edit lands either before a decision or after it.
        async with self._write(Serialized.DECISION, note_id) as conn:
            row = await conn.fetch_one(
                f"SELECT n.*, {_ROUND} FROM notes n WHERE n.id = ?", (note_id,)
            )
            if row is None:
                return None
            note, decisions = _note(row), int(row["round_"])
            last = await conn.fetch_one(
                "SELECT decision FROM moderation_decisions WHERE note_id = ? AND round = ?",
                (note_id, decisions - 1),
            )
            decided = None if last is None else Decision(last["decision"])
            status = _status_after_edit(note, decided, post)
            await conn.execute(
                "UPDATE notes SET text = ?, status = ?, updated_at = ? WHERE id = ?",
                (text, status.value, now, note_id),
            )
            if decided is not None and note.quadrant is not None:
                await conn.execute(
                    "INSERT INTO note_edits (note_id, round, edited_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (note_id, round) DO UPDATE SET edited_at = excluded.edited_at",
                    (note_id, decisions, now),
                )
            changed = await conn.fetch_one("SELECT * FROM notes WHERE id = ?", (note_id,))
        return None if changed is None else _note(changed)

    async def queue_marks(self, mode: str) -> QueueMarks:
        params = {"post": _mode(mode)}
        notes = await self._select_one(
            f"SELECT COUNT(*) AS n, COALESCE(MAX(n.id), 0) AS mark FROM notes n WHERE {_WAITS}",
            params,
        )
        reports = await self._select_one(
            "SELECT COALESCE(MAX(r.id), 0) AS mark FROM note_reports r"
            " JOIN notes n ON n.id = r.note_id"
            " WHERE r.handled_at IS NULL AND n.status = 'visible' AND n.quadrant IS NOT NULL"
        )
        assert notes is not None and reports is not None
        return QueueMarks(int(notes["n"]), int(notes["mark"]), int(reports["mark"]))

    # -- decisions -----------------------------------------------------------------------------

    async def decide(
        self,
        mode: str,
        note_id: int,
        round_: int,
        decision: Decision,
        *,
        moderator_id: int,
        moderator_name: str | None,
        now: datetime,
        reason: HideReason | None = None,
        quadrant: Quadrant | None = None,
        duplicate_of: int | None = None,
        text: str | None = None,
    ) -> DecideResult:
        post = _mode(mode)
        at = _ts(now)
        # The loser must find the winner's decision, not a note that no longer waits.
        async with self._write(Serialized.DECISION, note_id) as conn:
            decided = await conn.fetch_one(
                "SELECT * FROM moderation_decisions WHERE note_id = ? AND round = ?",
                (note_id, round_),
            )
            if decided is not None:
                return DecideResult(DecideOutcome.TAKEN, _decision(decided))
            row = await conn.fetch_one(
                f"SELECT n.*, {_ROUND} FROM notes n WHERE {_WAITS} AND n.id = :id",
                {"post": post, "id": note_id},
            )
            # A round that is not the current one was never shown to anyone: made up.
            if row is None or int(row["round_"]) != round_:
                return DecideResult(DecideOutcome.NOT_WAITING)
            note = _note(row)
            if not await self._valid(
                conn,
                note.theme_id,
                note_id,
                note.quadrant,
                decision,
                reason=reason,
                quadrant=quadrant,
                duplicate_of=duplicate_of,
                text=text,
            ):
                return DecideResult(DecideOutcome.INVALID, note=note)
            inserted = await conn.execute(
                "INSERT INTO moderation_decisions (note_id, round, decision, reason, quadrant,"
                " duplicate_of, moderator_id, moderator_name, decided_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (note_id, round) DO NOTHING",
                (
                    note_id,
                    round_,
                    decision.value,
                    None if reason is None else reason.value,
                    None if quadrant is None else quadrant.value,
                    duplicate_of,
                    moderator_id,
                    moderator_name,
                    at,
                ),
            )
            if not inserted:
                taken = await conn.fetch_one(
                    "SELECT * FROM moderation_decisions WHERE note_id = ? AND round = ?",
                    (note_id, round_),
                )
                return DecideResult(
                    DecideOutcome.TAKEN, None if taken is None else _decision(taken)
                )
            assignments = ["status = ?"]
            values: list[Any] = [_SHOWS[decision].value]
            if decision == Decision.MOVE and quadrant is not None:
                assignments.append("quadrant = ?")
                values.append(quadrant.value)
            if decision == Decision.REDACT and text is not None:
                assignments.append("text = ?")
                values.append(text)
            await conn.execute(
                f"UPDATE notes SET {', '.join(assignments)}, updated_at = ? WHERE id = ?",
                (*values, self._now(), note_id),
            )
            await conn.execute(
                "UPDATE note_reports SET handled_at = ? WHERE note_id = ? AND handled_at IS NULL",
                (at, note_id),
            )
            detail: dict[str, Any] = {"decision": decision.value, "round": round_}
            if reason is not None:
                detail["reason"] = reason.value
            if quadrant is not None:
                detail["quadrant"] = quadrant.value
            if duplicate_of is not None:
                detail["duplicate_of"] = duplicate_of
            await _insert_audit(
                conn,
                AuditAction.DECISION,
                actor_id=moderator_id,
                actor_name=moderator_name,
                at=at,
                theme_id=note.theme_id,
                note_id=note_id,
                detail=detail,
            )
            stored = await conn.fetch_one(
                "SELECT * FROM moderation_decisions WHERE note_id = ? AND round = ?",
                (note_id, round_),
            )
            changed = await conn.fetch_one("SELECT * FROM notes WHERE id = ?", (note_id,))
        assert stored is not None and changed is not None
        return DecideResult(DecideOutcome.DECIDED, _decision(stored), _note(changed))

    async def _valid(
        self,
        conn: Connection,
        theme_id: int,
        note_id: int,
        current: Quadrant | None,
        decision: Decision,
        *,
        reason: HideReason | None,
        quadrant: Quadrant | None,
        duplicate_of: int | None,
        text: str | None,
    ) -> bool:
        if decision == Decision.HIDE:
            return reason is not None
        if decision == Decision.MOVE:
            return quadrant is not None and quadrant != current
        if decision == Decision.REDACT:
            return text is not None and text.strip() != ""
        if decision == Decision.DUPLICATE:
            if duplicate_of is None or duplicate_of == note_id:
                return False
            original = await conn.fetch_one(
                "SELECT 1 FROM notes WHERE id = ? AND theme_id = ? AND status = 'visible'",
                (duplicate_of, theme_id),
            )
            return original is not None
        return True

    async def decision_of(self, note_id: int, round_: int) -> ModerationDecision | None:
        row = await self._select_one(
            "SELECT * FROM moderation_decisions WHERE note_id = ? AND round = ?",
            (note_id, round_),
        )
        return None if row is None else _decision(row)

    async def duplicate_counts(self, theme_id: int) -> dict[int, int]:
        rows = await self._select(
            # A resident who said the same twice is one voice (bot.village.notes.same_writer).
            "SELECT d.duplicate_of AS original, COUNT(*) AS n FROM moderation_decisions d"
            " JOIN notes n ON n.id = d.note_id"
            " LEFT JOIN notes o ON o.id = d.duplicate_of"
            " WHERE n.theme_id = ? AND n.status = 'hidden' AND d.decision = 'duplicate'"
            " AND (n.author_id IS NULL OR o.author_id IS NULL OR n.author_id <> o.author_id)"
            " AND d.duplicate_of IS NOT NULL AND d.round ="
            " (SELECT MAX(d2.round) FROM moderation_decisions d2 WHERE d2.note_id = d.note_id)"
            " GROUP BY d.duplicate_of",
            (theme_id,),
        )
        return {int(row["original"]): int(row["n"]) for row in rows}

    # -- reports -------------------------------------------------------------------------------

    async def add_report(
        self, note_id: int, reporter_id: int, reason: ReportReason, *, now: datetime
    ) -> ReportOutcome:
        async with self._write() as conn:
            note = await conn.fetch_one(
                "SELECT 1 FROM notes WHERE id = ? AND status = 'visible' AND quadrant IS NOT NULL",
                (note_id,),
            )
            if note is None:
                return ReportOutcome.NOT_VISIBLE
            open_report = await conn.fetch_one(
                "SELECT 1 FROM note_reports WHERE note_id = ? AND reporter_id = ?"
                " AND handled_at IS NULL",
                (note_id, reporter_id),
            )
            if open_report is not None:
                return ReportOutcome.ALREADY
            await conn.execute(
                "INSERT INTO note_reports (note_id, reporter_id, reason, created_at)"
                " VALUES (?, ?, ?, ?)",
                (note_id, reporter_id, reason.value, _ts(now)),
            )
        return ReportOutcome.ADDED

    # -- digests -------------------------------------------------------------------------------

    async def last_digest(self, moderator_id: int) -> tuple[datetime, QueueMarks] | None:
        row = await self._select_one(
            "SELECT * FROM moderation_digests WHERE moderator_id = ?", (moderator_id,)
        )
        if row is None:
            return None
        return _parse_ts(row["sent_at"]), QueueMarks(0, row["note_mark"], row["report_mark"])

    async def record_digest(
        self,
        moderator_id: int,
        marks: QueueMarks,
        message: NewMessage,
        *,
        now: datetime,
        not_after: datetime,
    ) -> bool:
        async with self._write() as conn:
            last = await conn.fetch_one(
                "SELECT sent_at FROM moderation_digests WHERE moderator_id = ?",
                (moderator_id,),
            )
            if last is not None and last["sent_at"] > _ts(not_after):
                return False
            if not await enqueue_messages(conn, [message], self._now()):
                return False  # this interval's digest is already in the outbox
            await conn.execute(
                "INSERT INTO moderation_digests (moderator_id, sent_at, note_mark, report_mark)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (moderator_id) DO UPDATE SET"
                " sent_at = excluded.sent_at, note_mark = excluded.note_mark,"
                " report_mark = excluded.report_mark",
                (moderator_id, _ts(now), marks.note_mark, marks.report_mark),
            )
        return True

    # -- roles ---------------------------------------------------------------------------------

    async def create_invite(
        self,
        role: GrantRole,
        area: str | None,
        *,
        token_hash: str,
        created_by: int,
        created_name: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> RoleInvite:
        at = _ts(now)
        async with self._write() as conn:
            invite_id = await conn.insert(
                "INSERT INTO role_invites (token_hash, role, area_key, created_by, created_name,"
                " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token_hash, role.value, area, created_by, created_name, at, _ts(expires_at)),
            )
            detail: dict[str, Any] = {"role": role.value, "invite": invite_id}
            if area is not None:
                detail["area"] = area
            await _insert_audit(
                conn,
                AuditAction.INVITE,
                actor_id=created_by,
                actor_name=created_name,
                at=at,
                detail=detail,
            )
            row = await conn.fetch_one("SELECT * FROM role_invites WHERE id = ?", (invite_id,))
        assert row is not None
        return _invite(row)

    async def accept_invite(
        self, token_hash: str, *, user_id: int, name: str | None, now: datetime
    ) -> RoleGrant | None:
        at = _ts(now)
        async with self._write() as conn:
            invite = await conn.fetch_one(
                "SELECT * FROM role_invites WHERE token_hash = ? AND used_at IS NULL"
                " AND revoked_at IS NULL AND expires_at > ?",
                (token_hash, at),
            )
            if invite is None:
                return None
            used = await conn.execute(
                "UPDATE role_invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
                (at, user_id, invite["id"]),
            )
            if not used:
                return None
            detail: dict[str, Any] = {"role": invite["role"], "invite": invite["id"]}
            if invite["area_key"] is not None:
                detail["area"] = invite["area_key"]
            existing = await conn.fetch_one(
                "SELECT * FROM role_grants WHERE user_id = ? AND role = ? AND revoked_at IS NULL"
                " AND COALESCE(area_key, '') = COALESCE(?, '')",
                (user_id, invite["role"], invite["area_key"]),
            )
            if existing is None:
                grant_id = await conn.insert(
                    "INSERT INTO role_grants (user_id, role, area_key, holder_name, invite_id,"
                    " granted_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (user_id, invite["role"], invite["area_key"], name, invite["id"], at),
                )
            else:
                grant_id = existing["id"]
                detail["already"] = True
            await _insert_audit(
                conn,
                AuditAction.ROLE_GRANT,
                actor_id=invite["created_by"],
                actor_name=invite["created_name"],
                at=at,
                subject_id=user_id,
                subject_name=name,
                detail=detail,
            )
            row = await conn.fetch_one("SELECT * FROM role_grants WHERE id = ?", (grant_id,))
        self._grants = None
        assert row is not None
        return _grant(row)

    async def open_invites(self, now: datetime) -> list[RoleInvite]:
        rows = await self._select(
            "SELECT * FROM role_invites WHERE used_at IS NULL AND revoked_at IS NULL"
            " AND expires_at > ? ORDER BY id DESC",
            (_ts(now),),
        )
        return [_invite(row) for row in rows]

    async def revoke_invite(
        self, invite_id: int, *, by: int, by_name: str | None, now: datetime
    ) -> bool:
        at = _ts(now)
        async with self._write() as conn:
            invite = await conn.fetch_one("SELECT * FROM role_invites WHERE id = ?", (invite_id,))
            changed = await conn.execute(
                "UPDATE role_invites SET revoked_at = ? WHERE id = ? AND used_at IS NULL"
                " AND revoked_at IS NULL",
                (at, invite_id),
            )
            if not changed or invite is None:
                return False
            detail: dict[str, Any] = {"role": invite["role"], "invite": invite_id}
            if invite["area_key"] is not None:
                detail["area"] = invite["area_key"]
            await _insert_audit(
                conn,
                AuditAction.INVITE_REVOKE,
                actor_id=by,
                actor_name=by_name,
                at=at,
                detail=detail,
            )
        return True

    async def _all_grants(self) -> dict[int, tuple[RoleGrant, ...]]:
        grants = self._grants
        if grants is not None and time.monotonic() - self._grants_read_at < _GRANTS_TTL:
            return grants
        rows = await self._select("SELECT * FROM role_grants WHERE revoked_at IS NULL ORDER BY id")
        found: dict[int, list[RoleGrant]] = {}
        for row in rows:
            found.setdefault(row["user_id"], []).append(_grant(row))
        fresh = {user_id: tuple(items) for user_id, items in found.items()}
        self._grants, self._grants_read_at = fresh, time.monotonic()
        return fresh

    async def active_grants(self, user_id: int) -> tuple[RoleGrant, ...]:
        return (await self._all_grants()).get(user_id, ())

    async def list_grants(self) -> list[RoleGrant]:
        grants = await self._all_grants()
        return sorted((g for items in grants.values() for g in items), key=lambda g: g.id)

    async def revoke_grant(
        self, grant_id: int, *, by: int, by_name: str | None, now: datetime
    ) -> RoleGrant | None:
        at = _ts(now)
        async with self._write(Serialized.GRANT, grant_id) as conn:
            row = await conn.fetch_one(
                "SELECT * FROM role_grants WHERE id = ? AND revoked_at IS NULL", (grant_id,)
            )
            if row is None:
                return None
            await conn.execute(
                "UPDATE role_grants SET revoked_at = ?, revoked_by = ? WHERE id = ?",
                (at, by, grant_id),
            )
            detail: dict[str, Any] = {"role": row["role"]}
            if row["area_key"] is not None:
                detail["area"] = row["area_key"]
            await _insert_audit(
                conn,
                AuditAction.ROLE_REVOKE,
                actor_id=by,
                actor_name=by_name,
                at=at,
                subject_id=row["user_id"],
                subject_name=row["holder_name"],
                detail=detail,
            )
        self._grants = None
        return _grant(row)

    # -- the audit trail -----------------------------------------------------------------------

    async def audit(
        self,
        action: AuditAction,
        *,
        actor_id: int | None,
        actor_name: str | None,
        now: datetime,
        theme_id: int | None = None,
        note_id: int | None = None,
        subject_id: int | None = None,
        subject_name: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        async with self._write() as conn:
            await _insert_audit(
                conn,
                action,
                actor_id=actor_id,
                actor_name=actor_name,
                at=_ts(now),
                theme_id=theme_id,
                note_id=note_id,
                subject_id=subject_id,
                subject_name=subject_name,
                detail=detail,
            )

    async def list_audit(self, *, limit: int = 20, offset: int = 0) -> list[AuditEntry]:
        rows = await self._select(
            "SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset)
        )
        return [_audit_entry(row) for row in rows]

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
        broadcast = await super().create_broadcast(
            kind, messages, theme_id=theme_id, sender_chat_id=sender_chat_id
        )
        # Every broadcast lands in the audit trail: who sent what kind to how many (where).
        await self.audit(
            AuditAction.BROADCAST,
            actor_id=sender_chat_id,
            actor_name=sender_name if sender_chat_id is not None else None,
            now=self._clock(),
            theme_id=theme_id,
            detail={
                **(audit_detail or {}),
                "kind": kind.value,
                "total": broadcast.total,
                "broadcast": broadcast.id,
            },
        )
        return broadcast

    # -- exports -------------------------------------------------------------------------------

    async def theme_contacts(self, theme_id: int) -> list[ThemeContact]:
        rows = await self._select(
            "SELECT r.user_id, r.language, r.village_key, r.neighbourhood_key, cd.phone"
            " FROM residents r"
            " JOIN consents c ON c.user_id = r.user_id AND c.purpose = 'contact' AND c.granted = 1"
            " LEFT JOIN contact_details cd ON cd.user_id = r.user_id"
            " WHERE EXISTS (SELECT 1 FROM notes n WHERE n.theme_id = ? AND n.author_id = r.user_id)"
            " ORDER BY r.user_id",
            (theme_id,),
        )
        return [
            ThemeContact(
                user_id=row["user_id"],
                language=row["language"],
                phone=row["phone"],
                village_key=row["village_key"],
                neighbourhood_key=row["neighbourhood_key"],
            )
            for row in rows
        ]
