"""What a storage shared by several bot processes (replicas) offers beyond the Repository.

SQLite is one process's database and does not implement this; PostgreSQL does. The wiring in
``bot/`` asks ``isinstance(repo, SharedStorage)`` and only then coordinates with other
replicas; the flows in ``conversations/`` never see any of it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager

from storage.models import InboxItem


class SharedStorage(ABC):
    """Coordination between replicas that share one database."""

    @property
    @abstractmethod
    def replica_id(self) -> int:
        """This process's id among the replicas (random, new at every start)."""

    @property
    @abstractmethod
    def round_trips(self) -> int:
        """Round trips this process made to the shared database so far."""

    @abstractmethod
    def chat_turn(
        self, chat_id: int, through: int | None = None
    ) -> AbstractAsyncContextManager[list[InboxItem]]:
        """Hold the chat's turn: no other replica handles an update of this chat meanwhile.

        Storage calls made by the task holding the turn run over the turn's own connection.
        With ``through`` (an update of the chat), the turn gives the chat's updates not
        handled yet up to and including that one, oldest first, read once it is held, and
        marking that update done ends it; else it gives [].
        """

    @abstractmethod
    async def adopt_orphaned_updates(self) -> list[InboxItem]:
        """Take over pending updates of replicas that stopped or died; oldest first."""

    @abstractmethod
    async def requeue_orphaned_messages(self) -> int:
        """Put messages a stopped or dead replica was sending back in line; return how many."""

    @abstractmethod
    async def live_replicas(self) -> int:
        """How many replicas are running now (this one included)."""
