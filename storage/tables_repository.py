"""Conversation tables and the timeline: tables with their card, members and waiting list,
moments, who comes, and the reminders planned for each moment."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from storage.models import (
    CardField,
    Commitment,
    FollowUpWriter,
    JoinResult,
    Moment,
    MomentKind,
    NewMessage,
    PlannedReminder,
    Recipient,
    ReminderStatus,
    TableDigest,
    TableMember,
    TalkTable,
)


class TablesRepository(ABC):
    # -- tables and their card -----------------------------------------------------------

    @abstractmethod
    async def create_table(
        self,
        *,
        theme_id: int,
        title: str,
        initiator_name: str,
        capacity: int | None,
        what: str = "",
        ambitions: str = "",
        agreements: str = "",
        working: str = "",
        created_by: int | None = None,
    ) -> TalkTable:
        """Create a table with a fresh random code for the initiator's link."""

    @abstractmethod
    async def get_table(self, table_id: int) -> TalkTable | None: ...

    @abstractmethod
    async def get_table_by_code(self, code: str) -> TalkTable | None: ...

    @abstractmethod
    async def list_tables(self, theme_ids: Collection[int]) -> list[TalkTable]:
        """Return the tables of these themes, oldest first."""

    @abstractmethod
    async def update_table(
        self,
        table_id: int,
        field: CardField,
        value: str | int | None,
        *,
        edited_by: int | None,
        now: datetime,
        digest_after: timedelta,
        digest_within: timedelta,
    ) -> TalkTable | None:
        """Change one field of the card and note the change for the members' digest, due
        digest_after the last change but no later than digest_within after the first one
        not yet told. None when the table does not exist."""

    @abstractmethod
    async def claim_initiator(self, table_id: int, user_id: int) -> bool:
        """Make the user the table's initiator, when it has none yet (or it is them)."""

    @abstractmethod
    async def due_digests(self, now: datetime) -> list[TableDigest]:
        """Return the tables whose digest of card changes is due."""

    @abstractmethod
    async def finish_digest(self, digest: TableDigest, messages: Sequence[NewMessage]) -> bool:
        """Queue the digest's messages and mark its changes told, in one transaction;
        False (and nothing queued) when another run already did."""

    # -- members and the waiting list ------------------------------------------------------

    @abstractmethod
    async def join_table(
        self,
        table_id: int,
        user_id: int,
        commitment: Commitment,
        how: str,
        first_name: str | None,
    ) -> JoinResult:
        """Join as a member, or on the waiting list when the table is full (for everyone, the
        initiator too). Someone already there keeps their place and gets the new commitment,
        line and name."""

    @abstractmethod
    async def leave_table(self, table_id: int, user_id: int) -> bool:
        """Leave the table or its waiting list; False when they were not on it."""

    @abstractmethod
    async def fill_free_places(self, table_id: int | None = None) -> list[TableMember]:
        """Move the first on each waiting list up while there is room (one table or all);
        return who moved up."""

    @abstractmethod
    async def get_member(self, table_id: int, user_id: int) -> TableMember | None: ...

    @abstractmethod
    async def list_members(self, table_id: int) -> list[TableMember]:
        """Members first, then the waiting list, each in the order they came."""

    @abstractmethod
    async def memberships_of(self, user_id: int) -> list[TableMember]: ...

    @abstractmethod
    async def set_member_name(self, table_id: int, user_id: int, first_name: str | None) -> None:
        """Show (a first name) or hide (None) a member's name to the others at the table."""

    @abstractmethod
    async def waiting_position(self, table_id: int, user_id: int) -> int:
        """1 for the first on the waiting list; 0 when not waiting."""

    @abstractmethod
    async def invitation_recipients(self, theme_id: int, table_id: int) -> list[Recipient]:
        """Active residents who wrote for the theme and asked to be invited (consent
        'contact'), who are not at the table yet."""

    @abstractmethod
    async def link_table_notes(self, table_id: int, note_ids: Collection[int]) -> None:
        """Say which notes a table grew from (a link already there stays as it is)."""

    @abstractmethod
    async def table_note_ids(self, table_id: int) -> list[int]:
        """The notes a table grew from."""

    @abstractmethod
    async def set_table_notes(self, table_id: int, note_ids: Collection[int]) -> list[int]:
        """Make these the notes a table grew from (links not named go); return the notes
        newly linked, in order."""

    @abstractmethod
    async def follow_up_writers(
        self, table_id: int, note_ids: Collection[int] | None = None
    ) -> list[FollowUpWriter]:
        """Active writers of the notes a table grew from who gave consent 'follow_up',
        each once, with the first of their linked notes; only of note_ids when given."""

    @abstractmethod
    async def tables_from_notes(self, theme_id: int) -> dict[int, list[str]]:
        """Per writer who gave consent 'follow_up', the titles of the theme's tables that
        grew from their notes (writers without such a table left out)."""

    @abstractmethod
    async def count_tables(self, theme_id: int) -> int: ...

    @abstractmethod
    async def count_commitments(self, theme_id: int) -> int:
        """Members (not the waiting list) of the theme's tables."""

    # -- moments -----------------------------------------------------------------------------

    @abstractmethod
    async def create_moment(
        self,
        *,
        theme_id: int,
        table_id: int | None,
        kind: MomentKind,
        title: str,
        starts_at: datetime,
        place: str,
        remind_theme: bool,
        created_by: int | None,
        reminders: Sequence[tuple[int, datetime]],
        length_minutes: int | None = None,
    ) -> Moment:
        """Create a moment with its reminders planned as (offset minutes, due at)."""

    @abstractmethod
    async def get_moment(self, moment_id: int) -> Moment | None: ...

    @abstractmethod
    async def closing_moment(self, theme_id: int) -> Moment | None:
        """Return the theme's planned closing meeting, if it has one."""

    @abstractmethod
    async def upcoming_moments(
        self,
        now: datetime,
        *,
        theme_ids: Collection[int],
        table_ids: Collection[int] = (),
        user_id: int | None = None,
        with_tables: bool = False,
        limit: int = 30,
    ) -> list[Moment]:
        """Planned moments not begun yet, soonest first: of these themes (with their tables'
        moments when with_tables), of these tables, and those the user said they come to."""

    @abstractmethod
    async def upcoming_planned(self, now: datetime) -> list[Moment]:
        """Every planned moment that has not begun, soonest first."""

    @abstractmethod
    async def move_moment(
        self, moment_id: int, starts_at: datetime, reminders: Sequence[tuple[int, datetime]]
    ) -> Moment | None:
        """Give a planned moment a new start; its pending reminders are replaced."""

    @abstractmethod
    async def cancel_moment(self, moment_id: int) -> Moment | None:
        """Cancel a moment and its pending reminders."""

    @abstractmethod
    async def set_remind_theme(self, moment_id: int, remind_theme: bool) -> Moment | None: ...

    @abstractmethod
    async def count_moments_held(self, theme_id: int, now: datetime) -> int:
        """Planned moments of the theme (and its tables) that have begun."""

    # -- who comes ---------------------------------------------------------------------------

    @abstractmethod
    async def set_rsvp(self, moment_id: int, user_id: int, coming: bool) -> None: ...

    @abstractmethod
    async def get_rsvp(self, moment_id: int, user_id: int) -> bool | None:
        """True: comes, False: does not, None: did not say."""

    @abstractmethod
    async def rsvp_counts(self, moment_id: int) -> tuple[int, int]:
        """Return (coming, not coming)."""

    @abstractmethod
    async def rsvp_recipients(self, moment_id: int) -> list[Recipient]:
        """Active residents who said they come."""

    @abstractmethod
    async def moment_audience(self, moment: Moment) -> list[Recipient]:
        """Who is reminded: the table's members and who said they come (and, when the
        moment says so, everyone who took part in the theme), less who said they don't."""

    @abstractmethod
    async def moment_invitees(self, moment: Moment) -> list[Recipient]:
        """Who hears of a new moment: the table's members, or for a theme-wide moment
        everyone who took part in the theme or sits at one of its tables."""

    # -- reminders ---------------------------------------------------------------------------

    @abstractmethod
    async def plan_reminders(
        self, moment_id: int, starts_at: datetime, reminders: Sequence[tuple[int, datetime]]
    ) -> int:
        """Make sure these reminders exist for this start (rows already there stay as they
        are); cancel pending ones of other offsets. Return how many were added."""

    @abstractmethod
    async def due_reminders(self, now: datetime) -> list[PlannedReminder]:
        """Pending reminders due at or before now, earliest first."""

    @abstractmethod
    async def settle_reminder(self, reminder_id: int, status: ReminderStatus) -> bool:
        """Mark a pending reminder dropped or cancelled; False when it was not pending."""

    @abstractmethod
    async def release_reminder(self, reminder_id: int, messages: Sequence[NewMessage]) -> bool:
        """Queue the reminder's messages and mark it sent, in one transaction; False (and
        nothing queued) when it was no longer pending."""

    @abstractmethod
    async def cancel_reminders_of_begun(self, now: datetime) -> int:
        """Cancel reminder messages still waiting in the outbox for moments that have begun."""

    @abstractmethod
    async def next_planned_due(self) -> datetime | None:
        """When the next pending reminder or card digest is due."""
