"""The outbox: every message that leaves later or in bulk is a row first, sent by one worker."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from storage.models import (
    Broadcast,
    BroadcastKind,
    Consent,
    NewMessage,
    OutboxMessage,
    OutboxStatus,
    Recipient,
)


class OutboxRepository(ABC):
    @abstractmethod
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
        """Queue a broadcast and all its messages in one transaction; the audit trail names
        the sender (their name as Telegram gave it) and the codes in audit_detail."""

    @abstractmethod
    async def enqueue(self, messages: Sequence[NewMessage]) -> int:
        """Queue single messages; return how many were new (a known dedupe_key is skipped)."""

    @abstractmethod
    async def claim_due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Mark up to limit due pending messages as sending and return them, oldest due first."""

    @abstractmethod
    async def mark_sent(self, message_id: int) -> None: ...

    @abstractmethod
    async def retry_later(self, message_id: int, due_at: datetime, error: str) -> None:
        """Put a claimed message back, due again at due_at."""

    @abstractmethod
    async def release(self, message_id: int, due_at: datetime | None = None) -> None:
        """Put a claimed message back without counting an attempt (a 429); due_at: not sooner."""

    @abstractmethod
    async def mark_failed(self, message_id: int, error: str) -> None: ...

    @abstractmethod
    async def mark_blocked(self, message_id: int) -> None:
        """The recipient blocked the bot: mark them inactive and cancel what waits for them."""

    @abstractmethod
    async def requeue_in_flight(self) -> int:
        """At start: messages left as sending by a crash go back to pending; return how many."""

    @abstractmethod
    async def next_due_at(self) -> datetime | None:
        """Return when the next pending message is due."""

    @abstractmethod
    async def outbox_pending_count(self) -> int:
        """Return how many messages wait to be sent (pending or in flight)."""

    @abstractmethod
    async def outbox_forget_texts(self, settled_before: datetime) -> int:
        """Blank the words of messages settled before then; return how many were blanked."""

    @abstractmethod
    async def cancel_pending(self, dedupe_prefix: str) -> int:
        """Cancel pending messages whose dedupe key starts with the prefix."""

    @abstractmethod
    async def get_broadcast(self, broadcast_id: int) -> Broadcast | None: ...

    @abstractmethod
    async def broadcast_counts(self, broadcast_id: int) -> dict[OutboxStatus, int]:
        """Return the number of messages per status (every status present)."""

    @abstractmethod
    async def set_progress_message(self, broadcast_id: int, message_id: int) -> None: ...

    @abstractmethod
    async def finish_broadcast(self, broadcast_id: int) -> bool:
        """Mark a broadcast finished; False when it already was (report once)."""

    @abstractmethod
    async def unfinished_broadcasts(self) -> list[Broadcast]: ...

    @abstractmethod
    async def recipients(
        self,
        *,
        villages: Collection[str] | None,
        neighbourhoods: Collection[str] | None = None,
        consent: Consent | None = None,
    ) -> list[Recipient]:
        """Return active residents living in these villages or neighbourhoods (None and
        None: every resident, with or without a place) who gave this consent."""

    @abstractmethod
    async def theme_participants(self, theme_id: int) -> list[Recipient]:
        """Return the active residents who wrote at least one note for the theme."""
