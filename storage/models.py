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
