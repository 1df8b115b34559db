"""Plain records that storage hands to the flows; no behaviour, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Quadrant(StrEnum):
    """Where a note belongs on the brainstorm board; OTHER is a remark beside the theme."""

    WISH = "wish"
    EXAMPLE = "example"
    POSSIBILITY = "possibility"
    QUESTION = "question"
    OTHER = "other"


BOARD_QUADRANTS: tuple[Quadrant, ...] = (
    Quadrant.WISH,
    Quadrant.EXAMPLE,
    Quadrant.POSSIBILITY,
    Quadrant.QUESTION,
)


class NoteKind(StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    VOICE = "voice"


class NoteOrigin(StrEnum):
    """Where a note came from: a resident's chat, the web pages, or heard in person at the stand."""

    CHAT = "chat"
    WEB = "web"
    IN_PERSON = "in_person"


class NoteStatus(StrEnum):
    """DRAFT: written, quadrant not chosen yet. PENDING: waits for a moderator."""

    DRAFT = "draft"
    PENDING = "pending"
    VISIBLE = "visible"
    HIDDEN = "hidden"


class ThemeStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class Consent(StrEnum):
    """Each purpose a resident agrees to separately; absence means no."""

    THEME_NEWS = "theme_news"
    CONTACT = "contact"
    SHOW_NAME = "show_name"
    FOLLOW_UP = "follow_up"


class PlaceKind(StrEnum):
    MUNICIPALITY = "municipality"
    AREA = "area"
    VILLAGE = "village"
    NEIGHBOURHOOD = "neighbourhood"


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A place by kind and config key; the municipality's key is the empty string."""

    kind: PlaceKind
    key: str = ""


MUNICIPALITY = PlaceRef(PlaceKind.MUNICIPALITY, "")


@dataclass(frozen=True, slots=True)
class Resident:
    user_id: int
    language: str
    village_key: str | None
    neighbourhood_key: str | None
    onboarded: bool
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Theme:
    id: int
    code: str
    title: str
    invitation: str
    question: str
    place: PlaceRef
    status: ThemeStatus
    starts_on: date | None
    ends_on: date | None
    quadrant_questions: dict[str, str]
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    theme_id: int
    author_id: int | None
    quadrant: Quadrant | None
    kind: NoteKind
    text: str
    file_id: str | None
    status: NoteStatus
    created_at: datetime
    updated_at: datetime
    seconds: int | None = None  # a voice note's length; None for words and photos
    origin: NoteOrigin = NoteOrigin.CHAT
    heard_in: str | None = None  # the speaker's village or neighbourhood key, in person only
    board_photo_id: int | None = None  # the photo of the paper board it was typed from


@dataclass(frozen=True, slots=True)
class BoardPhoto:
    """A photo of the paper board, waiting to be typed off; never public unless approved."""

    id: int
    theme_id: int
    file_id: str
    done: bool
    approved: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CardCounts:
    """How many invitation cards of a theme were printed, and how many were opened."""

    printed: int
    used: int


@dataclass(frozen=True, slots=True)
class InPersonContact:
    """Contact details someone at the stand agreed to give, to be invited to the tables."""

    id: int
    theme_id: int
    first_name: str
    phone: str | None
    email: str | None
    purpose: str
    consent: str
    noted_by: int | None
    noted_on: date


@dataclass(frozen=True, slots=True)
class NoteReach:
    """Where one board note came from, for the council's report: never who wrote it.

    writer is an opaque number that is the same for one writer's notes within one answer (so
    people can be counted), not a Telegram id; None for notes without a writer.
    """

    quadrant: Quadrant
    origin: str  # "chat" | "web" | "in_person"
    writer: int | None
    village_key: str | None
    neighbourhood_key: str | None
    heard_in: str | None = None  # a note heard in person: the speaker's village or neighbourhood


@dataclass(frozen=True, slots=True)
class ChatState:
    """Where a chat is in a multi-step flow; flow None means no flow is running."""

    chat_id: int
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A raw update as received, kept until it has been handled."""

    update_id: int
    payload: str


@dataclass(frozen=True, slots=True)
class SetAsideUpdate:
    """An update the bot could not read, kept aside for inspection instead of blocking the rest."""

    update_id: int
    chat_id: int | None
    payload: str
    reason: str
    set_aside_at: datetime


class OutboxStatus(StrEnum):
    """PENDING waits for its due time; SENDING is claimed by the worker (a crash leaves it)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class BroadcastKind(StrEnum):
    THEME = "theme"
    MESSAGE = "message"
    THANKS = "thanks"
    INVITATION = "invitation"
    REMINDER = "reminder"


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    language: str


@dataclass(frozen=True, slots=True)
class FollowUpWriter:
    """A writer of a note a table grew from, who asked to hear what came of their notes."""

    user_id: int
    language: str
    note_text: str


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to queue: text (Telegram HTML) and optional inline buttons, already in the
    recipient's language. A dedupe_key already in the outbox makes the message a no-op."""

    chat_id: int
    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()  # rows of (label, callback data)
    due_at: datetime | None = None
    dedupe_key: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    broadcast_id: int | None
    chat_id: int
    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...]
    due_at: datetime
    status: OutboxStatus
    attempts: int


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    kind: BroadcastKind
    theme_id: int | None
    sender_chat_id: int | None
    progress_message_id: int | None
    total: int
    finished: bool
    created_at: datetime


# -- moderation, roles handed out in the chat, and the audit trail -------------------------


class Decision(StrEnum):
    """What a moderator decided about a note in the queue."""

    APPROVE = "approve"
    HIDE = "hide"
    MOVE = "move"
    DUPLICATE = "duplicate"
    REDACT = "redact"


class HideReason(StrEnum):
    PRIVATE = "private"
    HURTFUL = "hurtful"
    ADVERT = "advert"
    OTHER = "other"


class ReportReason(StrEnum):
    PRIVATE = "private"
    HURTFUL = "hurtful"
    ADVERT = "advert"
    WRONG_PLACE = "wrong_place"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A note waiting for a moderator. round counts the decisions made on it before; a
    decision names the round it was made for, so only the first of two counts."""

    note: Note
    round: int
    reports: tuple[ReportReason, ...] = ()
    # The decision its writer changed it after, when that brought it back.
    edited_after: Decision | None = None


@dataclass(frozen=True, slots=True)
class ModerationDecision:
    note_id: int
    round: int
    decision: Decision
    moderator_id: int | None
    moderator_name: str | None
    reason: HideReason | None
    quadrant: Quadrant | None
    duplicate_of: int | None
    decided_at: datetime


class DecideOutcome(StrEnum):
    DECIDED = "decided"  # this decision counts
    TAKEN = "taken"  # another moderator decided this round first
    NOT_WAITING = "not_waiting"  # the note is gone, no longer waits, or the round is made up
    INVALID = "invalid"  # e.g. a duplicate of a note that is not on the board


@dataclass(frozen=True, slots=True)
class DecideResult:
    outcome: DecideOutcome
    decision: ModerationDecision | None = None
    note: Note | None = None


class ReportOutcome(StrEnum):
    ADDED = "added"
    ALREADY = "already"  # this resident's earlier report of the note still waits
    NOT_VISIBLE = "not_visible"


@dataclass(frozen=True, slots=True)
class QueueMarks:
    """How big the queue is and the newest note and report in it: it grew when a mark did."""

    count: int
    note_mark: int
    report_mark: int


class GrantRole(StrEnum):
    """Roles an admin can hand out in the chat (the values match bot.village.access.Role)."""

    MODERATOR = "moderator"
    AMBASSADOR = "ambassador"


@dataclass(frozen=True, slots=True)
class RoleGrant:
    id: int
    user_id: int
    role: GrantRole
    area: str | None
    holder_name: str | None
    granted_at: datetime


@dataclass(frozen=True, slots=True)
class RoleInvite:
    id: int
    role: GrantRole
    area: str | None
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


class AuditAction(StrEnum):
    INVITE = "invite"
    INVITE_REVOKE = "invite_revoke"
    ROLE_GRANT = "role_grant"
    ROLE_REVOKE = "role_revoke"
    DECISION = "decision"
    BROADCAST = "broadcast"
    EXPORT = "export"
    CONTACTS_EXPORT = "contacts_export"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit trail. actor and subject are role holders, never residents;
    detail holds codes and counts, never what a resident wrote."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: AuditAction
    subject_id: int | None = None
    subject_name: str | None = None
    theme_id: int | None = None
    note_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ThemeContact:
    """A participant of a theme who agreed to be invited (Consent.CONTACT)."""

    user_id: int
    language: str
    phone: str | None
    village_key: str | None
    neighbourhood_key: str | None


# -- conversation tables and the timeline ----------------------------------------------------


class Commitment(StrEnum):
    """How someone commits to a table: meedenken, meedoen, verbinden."""

    THINK = "think"
    TAKE_PART = "take_part"
    CONNECT = "connect"


class MemberStatus(StrEnum):
    MEMBER = "member"
    WAITING = "waiting"


class CardField(StrEnum):
    """What of a table can be changed; each change goes into the members' digest."""

    TITLE = "title"
    INITIATOR = "initiator"
    WHAT = "what"
    AMBITIONS = "ambitions"
    AGREEMENTS = "agreements"
    WORKING = "working"
    CAPACITY = "capacity"


@dataclass(frozen=True, slots=True)
class TalkTable:
    """A conversation table (gesprekstafel) and its table card (tafelkaart)."""

    id: int
    theme_id: int
    code: str
    title: str
    initiator_name: str
    initiator_id: int | None
    what: str
    ambitions: str
    agreements: str
    working: str
    capacity: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TableMember:
    table_id: int
    user_id: int
    status: MemberStatus
    commitment: Commitment
    how: str
    first_name: str | None  # only when they agreed that the others may see it
    seq: int
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class JoinResult:
    """Where joining put someone; position counts from 1 on the waiting list."""

    member: TableMember
    position: int = 0
    already: bool = False


@dataclass(frozen=True, slots=True)
class TableDigest:
    """Card changes of one table that the members have not been told about yet."""

    table_id: int
    due_at: datetime
    fields: tuple[CardField, ...]
    editors: frozenset[int]
    last_change_id: int


class MomentKind(StrEnum):
    MEETING = "meeting"
    ACTION = "action"
    CLOSING = "closing"


class MomentStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Moment:
    """A meeting or action moment on the timeline of a theme, or of one of its tables."""

    id: int
    theme_id: int
    table_id: int | None
    kind: MomentKind
    title: str
    starts_at: datetime  # aware, UTC
    place: str
    status: MomentStatus
    remind_theme: bool  # remind everyone who took part in the theme, not only who comes
    sequence: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    length_minutes: int | None = None  # None: planned before the end was asked


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    id: int
    moment_id: int
    offset_minutes: int
    starts_at: datetime
    due_at: datetime
    status: ReminderStatus
