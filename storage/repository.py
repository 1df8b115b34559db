"""The narrow async interface that the flows use; SqlRepository implements it on either database.

Each method is one transaction. Methods that create something from a resident's update take
that update's id, so handling the same update twice (after a crash) stores it once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any

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
    PlaceRef,
    Quadrant,
    Resident,
    SetAsideUpdate,
    Theme,
    ThemeStatus,
)
from storage.moderation_repository import ModerationRepository
from storage.outbox_repository import OutboxRepository
from storage.square_repository import SquareRepository
from storage.support_repository import SupportRepository
from storage.tables_repository import TablesRepository


class CoreRepository(ABC):
    """Residents, their state and consents, themes and notes."""

    # -- lifecycle ---------------------------------------------------------------------------

    @abstractmethod
    async def open(self) -> None:
        """Connect and apply pending migrations."""

    @abstractmethod
    async def close(self) -> None:
        """Close the connections; safe to call twice."""

    # -- inbox: updates as received, until handled -------------------------------------------

    @abstractmethod
    async def inbox_add(self, items: Sequence[tuple[int, int | None, str]]) -> set[int]:
        """Store (update_id, chat_id, payload) rows; return the ids that were not known yet."""

    @abstractmethod
    async def inbox_pending(self) -> list[InboxItem]:
        """Return the updates not handled yet, oldest first."""

    @abstractmethod
    async def inbox_done(self, update_id: int) -> None:
        """Mark an update handled; its payload and chat are dropped (they are personal)."""

    @abstractmethod
    async def inbox_set_aside(
        self, update_id: int, chat_id: int | None, payload: str, reason: str
    ) -> bool:
        """Keep an unreadable update aside (no longer pending); False if it already was."""

    @abstractmethod
    async def inbox_set_aside_items(self) -> list[SetAsideUpdate]:
        """Return the updates set aside, for a person to inspect."""

    @abstractmethod
    async def inbox_prune(self, handled_before: datetime) -> int:
        """Forget handled updates older than this (kept until then to recognise redelivery)."""

    @abstractmethod
    async def inbox_last_update_id(self) -> int | None:
        """Return the highest update_id ever stored, handled or not."""

    # -- conversation state ------------------------------------------------------------------

    @abstractmethod
    def state_scope(self) -> AbstractContextManager[None]:
        """Within the block, this task reads each chat's state once (storage/state_memo.py)."""

    @abstractmethod
    async def get_state(self, chat_id: int) -> ChatState:
        """Return the chat's state; an empty ChatState when it has none."""

    @abstractmethod
    async def set_state(
        self, chat_id: int, flow: str | None, step: str | None, data: dict[str, Any]
    ) -> None:
        """Replace the chat's state; flow None clears it."""

    # -- residents -----------------------------------------------------------------------------

    @abstractmethod
    async def get_resident(self, user_id: int) -> Resident | None: ...

    @abstractmethod
    async def get_talker(self, user_id: int, chat_id: int) -> tuple[Resident | None, ChatState]:
        """The person (None when unknown) and their chat's state, in one read."""

    @abstractmethod
    async def ensure_resident(self, user_id: int, language: str) -> Resident:
        """Return the resident, creating them with this language when new."""

    @abstractmethod
    async def set_language(self, user_id: int, language: str) -> None: ...

    @abstractmethod
    async def set_place(
        self, user_id: int, village_key: str | None, neighbourhood_key: str | None
    ) -> None: ...

    @abstractmethod
    async def set_onboarded(self, user_id: int) -> None: ...

    @abstractmethod
    async def set_active(self, user_id: int, active: bool) -> None:
        """Mark a resident who blocked the bot inactive (and active again when they return)."""

    @abstractmethod
    async def set_consent(self, user_id: int, purpose: Consent, granted: bool) -> None: ...

    @abstractmethod
    async def get_consents(self, user_id: int) -> dict[Consent, bool]:
        """Return every purpose, False where the resident never said yes."""

    @abstractmethod
    async def answered_consents(self, user_id: int) -> set[Consent]:
        """The purposes the resident ever said yes or no to (a question asked once)."""

    @abstractmethod
    async def set_phone(self, user_id: int, phone: str | None) -> None: ...

    @abstractmethod
    async def get_phone(self, user_id: int) -> str | None: ...

    @abstractmethod
    async def export_resident(self, user_id: int) -> dict[str, Any]:
        """Return everything stored about one resident, ready for json.dumps."""

    @abstractmethod
    async def erase_resident(self, user_id: int, *, farewell: NewMessage | None = None) -> None:
        """Remove everything personal of one resident from every table, in one transaction.

        A farewell is queued to them in that same transaction, so a crash cannot lose it.
        """

    # -- themes --------------------------------------------------------------------------------

    @abstractmethod
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
        """Create a theme with a fresh random deep-link code."""

    @abstractmethod
    async def get_theme(self, theme_id: int) -> Theme | None: ...

    @abstractmethod
    async def get_theme_by_code(self, code: str) -> Theme | None: ...

    @abstractmethod
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
        """Change a theme's texts, place and period; None when it does not exist."""

    @abstractmethod
    async def list_themes(
        self, places: Collection[PlaceRef] | None, statuses: Collection[ThemeStatus]
    ) -> list[Theme]:
        """Return the themes of these places (None: all) with these statuses, newest first."""

    @abstractmethod
    async def new_participants_since(self, theme_id: int, since: datetime) -> int:
        """Count the residents whose first note for the theme came after since."""

    @abstractmethod
    async def set_theme_status(
        self, theme_id: int, status: ThemeStatus, *, now: datetime | None = None
    ) -> Theme | None:
        """Publish, close or reopen a theme; None when it does not exist.

        now (the bot's clock) is when a closing happened; the retention of contacts noted in
        person counts from it."""

    @abstractmethod
    async def list_active_themes(
        self, places: Collection[PlaceRef] | None, today: date
    ) -> list[Theme]:
        """Return active themes whose period includes today, for these places (None: all)."""

    # -- notes ---------------------------------------------------------------------------------

    @abstractmethod
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
        """Store a note; with a source_update_id already used, return that note instead.

        A note heard in person has no author_id and origin IN_PERSON."""

    @abstractmethod
    async def add_web_note(
        self, *, theme_id: int, quadrant: Quadrant, text: str, writer: str
    ) -> Note:
        """Store a note from the web pages: no author, waiting for a moderator, writer hashed."""

    @abstractmethod
    async def list_web_notes(self, writer: str) -> list[Note]:
        """Return the notes written from the browser whose token hashes to writer, newest first."""

    @abstractmethod
    async def board_mark(self, theme_id: int) -> str:
        """A cheap mark that changes whenever the theme's board changes (the screen's poll)."""

    @abstractmethod
    async def count_web_notes(self, theme_id: int) -> int:
        """Count a theme's notes on the board that were written on the web pages."""

    @abstractmethod
    async def change_web_note(
        self, note_id: int, writer: str, *, text: str, quadrant: Quadrant
    ) -> Note | None:
        """Change a web note of this writer; it waits for a moderator again. None: not theirs."""

    @abstractmethod
    async def delete_web_notes(self, writer: str, note_id: int | None = None) -> int:
        """Delete one web note of this writer (or all of them); return how many went."""

    @abstractmethod
    async def get_note(self, note_id: int) -> Note | None: ...

    @abstractmethod
    async def set_note_quadrant(
        self, note_id: int, quadrant: Quadrant, status: NoteStatus
    ) -> Note | None:
        """Place a note in a quadrant with its new status; None when the note is gone."""

    @abstractmethod
    async def set_note_text(self, note_id: int, text: str) -> Note | None:
        """Change only a note's words; a resident's change goes through edit_note_text."""

    @abstractmethod
    async def delete_note(self, note_id: int) -> bool: ...

    @abstractmethod
    async def list_notes_by_author(self, author_id: int) -> list[Note]:
        """Return a resident's notes, newest first."""

    @abstractmethod
    async def count_notes(
        self, theme_id: int, statuses: Collection[NoteStatus] = (NoteStatus.VISIBLE,)
    ) -> dict[Quadrant, int]:
        """Return the number of notes per quadrant (every quadrant present, zero included)."""

    @abstractmethod
    async def note_reach(
        self, theme_id: int, statuses: Collection[NoteStatus] = (NoteStatus.VISIBLE,)
    ) -> list[NoteReach]:
        """Return each placed note's quadrant, way in and writer's place (for the report)."""

    @abstractmethod
    async def list_notes(
        self,
        theme_id: int,
        *,
        statuses: Collection[NoteStatus] = (NoteStatus.VISIBLE,),
        quadrant: Quadrant | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Note]:
        """Return a theme's notes, newest first."""


class Repository(
    CoreRepository,
    OutboxRepository,
    ModerationRepository,
    TablesRepository,
    SupportRepository,
    SquareRepository,
    ABC,
):
    """Everything the flows may ask of storage."""
