"""Moderation, roles handed out in the chat, and the audit trail: the storage the flows ask of.

Every method is one transaction. Times that decide something (invite expiry, the digest
interval) come in as ``now`` from the bot's clock, so tests can move them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any

from storage.models import (
    AuditAction,
    AuditEntry,
    DecideResult,
    Decision,
    GrantRole,
    HideReason,
    ModerationDecision,
    NewMessage,
    Note,
    Quadrant,
    QueueItem,
    QueueMarks,
    ReportOutcome,
    ReportReason,
    RoleGrant,
    RoleInvite,
    ThemeContact,
)

MODES = ("pre", "post")


class ModerationRepository(ABC):
    # -- the queue and decisions ---------------------------------------------------------------

    @abstractmethod
    async def moderation_queue(
        self, mode: str, *, after_note_id: int = 0, limit: int = 5
    ) -> list[QueueItem]:
        """Return the notes waiting for a moderator, oldest first, after a note id.

        A note waits while it is pending, while a report of it is open, while its writer
        changed it after the last decision, or (mode "post") while no moderator has decided
        on it yet. Drafts never wait.
        """

    @abstractmethod
    async def edit_note_text(self, mode: str, note_id: int, text: str) -> Note | None:
        """Change a note's words and, after a decision, put it before the moderators again.

        One transaction, so changed words are never shown without their way back to review:
        in mode "pre", or after a redaction or a hide, the note waits off the board (pending);
        after an approval in mode "post" it stays on the board and waits in the queue, marked
        as changed. None when the note is gone.
        """

    @abstractmethod
    async def queue_marks(self, mode: str) -> QueueMarks:
        """Return the queue's size and the highest note and report id waiting in it."""

    @abstractmethod
    async def queue_item(self, mode: str, note_id: int) -> QueueItem | None:
        """Return one note's place in the queue; None when it does not wait."""

    @abstractmethod
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
        """Decide on a waiting note, atomically: the first decision of a round wins.

        Applies the decision to the note (approve, move and redact show it; hide and
        duplicate hide it), handles its open reports and writes the audit line, all in one
        transaction. A later decision of the same round gets TAKEN with the one that counts.
        """

    @abstractmethod
    async def decision_of(self, note_id: int, round_: int) -> ModerationDecision | None: ...

    @abstractmethod
    async def duplicate_counts(self, theme_id: int) -> dict[int, int]:
        """Return, per note of the theme, how many hidden notes were marked its duplicate."""

    # -- reports -------------------------------------------------------------------------------

    @abstractmethod
    async def add_report(
        self, note_id: int, reporter_id: int, reason: ReportReason, *, now: datetime
    ) -> ReportOutcome:
        """A resident reports a note on the board; it goes back to the queue."""

    # -- digests -------------------------------------------------------------------------------

    @abstractmethod
    async def last_digest(self, moderator_id: int) -> tuple[datetime, QueueMarks] | None:
        """Return when a moderator got their last digest and the queue's marks then."""

    @abstractmethod
    async def record_digest(
        self,
        moderator_id: int,
        marks: QueueMarks,
        message: NewMessage,
        *,
        now: datetime,
        not_after: datetime,
    ) -> bool:
        """Queue a digest and remember it, in one transaction; only when the last digest was
        sent at or before not_after (or never). Return whether it was queued."""

    # -- roles ---------------------------------------------------------------------------------

    @abstractmethod
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
        """Store a one-time invite (by the hash of its token) and audit it."""

    @abstractmethod
    async def accept_invite(
        self, token_hash: str, *, user_id: int, name: str | None, now: datetime
    ) -> RoleGrant | None:
        """Use an invite: the role goes to user_id, once. None when the token is unknown,
        used, revoked or expired."""

    @abstractmethod
    async def open_invites(self, now: datetime) -> list[RoleInvite]:
        """Return the invites that can still be used, newest first."""

    @abstractmethod
    async def revoke_invite(
        self, invite_id: int, *, by: int, by_name: str | None, now: datetime
    ) -> bool:
        """Make an unused invite useless; False when it was used, revoked or unknown."""

    @abstractmethod
    async def active_grants(self, user_id: int) -> tuple[RoleGrant, ...]:
        """Return the roles given to a user in the chat and not revoked."""

    @abstractmethod
    async def list_grants(self) -> list[RoleGrant]:
        """Return every role given in the chat and not revoked, oldest first."""

    @abstractmethod
    async def revoke_grant(
        self, grant_id: int, *, by: int, by_name: str | None, now: datetime
    ) -> RoleGrant | None:
        """Take a role back; None when it was already revoked or is unknown."""

    # -- the audit trail -----------------------------------------------------------------------

    @abstractmethod
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
        """Add a line to the audit trail."""

    @abstractmethod
    async def list_audit(self, *, limit: int = 20, offset: int = 0) -> list[AuditEntry]:
        """Return audit lines, newest first."""

    # -- exports -------------------------------------------------------------------------------

    @abstractmethod
    async def theme_contacts(self, theme_id: int) -> list[ThemeContact]:
        """Return the active participants of a theme who agreed to be invited."""
