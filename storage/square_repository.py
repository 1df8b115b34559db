"""The village talk on the square: notes heard in person, photos of the paper board,
invitation cards and contact details noted at the stand."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from datetime import date, datetime

from storage.models import BoardPhoto, CardCounts, InPersonContact, Note, NoteStatus


class SquareRepository(ABC):
    # -- notes heard in person -----------------------------------------------------------

    @abstractmethod
    async def count_in_person(
        self, theme_id: int, statuses: Collection[NoteStatus] = (NoteStatus.VISIBLE,)
    ) -> int:
        """The theme's notes heard in person on the four quadrants (as /voortgang counts)."""

    @abstractmethod
    async def set_note_heard_in(self, note_id: int, heard_in: str | None) -> Note | None:
        """Say where the speaker of a note heard in person lives; None when it is gone."""

    # -- photos of the paper board -------------------------------------------------------

    @abstractmethod
    async def add_board_photo(
        self, theme_id: int, file_id: str, *, source_update_id: int | None
    ) -> BoardPhoto:
        """Keep a photo of the paper board; a redelivered update returns the first one."""

    @abstractmethod
    async def get_board_photo(self, photo_id: int) -> BoardPhoto | None: ...

    @abstractmethod
    async def waiting_board_photos(self, theme_ids: Collection[int]) -> list[BoardPhoto]:
        """The photos of these themes still to be typed off, oldest first."""

    @abstractmethod
    async def finish_board_photo(self, photo_id: int, now: datetime) -> bool:
        """Mark a photo as typed off; False when it was done already or is gone."""

    @abstractmethod
    async def approve_board_photo(self, photo_id: int) -> bool:
        """A moderator lets a photo of the paper board be shown publicly; False when gone."""

    @abstractmethod
    async def public_board_photos(self, theme_id: int) -> list[BoardPhoto]:
        """The theme's photos of the paper board a moderator approved, oldest first."""

    @abstractmethod
    async def count_photo_notes(self, photo_id: int) -> int:
        """How many notes were typed from this photo."""

    # -- invitation cards ----------------------------------------------------------------

    @abstractmethod
    async def create_invitation_card(self, theme_id: int, token_hash: str, now: datetime) -> int:
        """Record a printed card by the hash of its one-time token; return its id."""

    @abstractmethod
    async def use_invitation_card(self, token_hash: str, now: datetime) -> int | None:
        """Mark an unused card as used (one conditional update); its theme id, else None."""

    @abstractmethod
    async def card_counts(self, theme_id: int) -> CardCounts: ...

    # -- contacts noted in person --------------------------------------------------------

    @abstractmethod
    async def add_in_person_contact(
        self,
        theme_id: int,
        *,
        first_name: str,
        phone: str | None,
        email: str | None,
        noted_by: int,
        noted_on: date,
    ) -> InPersonContact: ...

    @abstractmethod
    async def list_in_person_contacts(self, theme_id: int) -> list[InPersonContact]:
        """The theme's contacts noted in person, oldest first."""

    @abstractmethod
    async def delete_in_person_contact(self, contact_id: int, theme_id: int) -> bool:
        """Erase one contact on the person's request; False when it was gone."""

    @abstractmethod
    async def forget_in_person_contacts(self, closed_before: datetime) -> int:
        """Delete the contacts of themes closed before this moment; return how many."""

    @abstractmethod
    async def next_contacts_closing(self) -> datetime | None:
        """When the earliest closed theme that still has contacts noted in person was closed."""
