"""Several bot processes (replicas) on one shared database: one chat at a time, nothing lost.

Within one process ``ChatOrderedProcessor`` keeps a chat's updates in order. Across replicas
(a load balancer may give a chat's next update to another process while the last one is
still being handled) the database does it:

* **A chat's turn.** Each update is handled inside ``repo.chat_turn(chat, update)``, an
  advisory lock on the chat in PostgreSQL held until the update is marked done (the commit
  of that mark is visible before the lock goes): no other replica handles an update of that
  chat meanwhile.
* **In order.** With the turn taken, updates of the chat that were stored earlier and are not
  handled yet are handled first, from the inbox, wherever they arrived; an update another
  replica handled meanwhile is skipped. Telegram (and the playground) deliver a chat's next
  update only after the last one was stored, so the inbox order is the chat's order.
* **Nothing lost.** A replica that dies leaves its updates pending in the inbox under its
  replica id; ``OrphanSweeper`` in every other replica takes them over within seconds
  (``adopt_orphaned_updates``) and queues them here, where the same turn rules apply.

Conversation state is never kept in memory: the guard reads it from the database for every
update (bot/app.py), so it does not matter which replica handled the last one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update

from bot.chat.context import BuurtApp
from bot.ordering import AfterHook, chat_key
from bot.services.workers import Worker
from bot.unreadable import read_stored
from storage.failures import unavailable
from storage.models import InboxItem
from storage.repository import Repository
from storage.shared import SharedStorage

_log = logging.getLogger(__name__)

ORPHANS_EVERY = 2.0
"""Seconds between two looks for updates left by replicas that died."""


class ChatTurns:
    """Run each update inside its chat's turn across replicas (ChatOrderedProcessor.handle_with)."""

    def __init__(self, app: BuurtApp, repo: Repository) -> None:
        if not isinstance(repo, SharedStorage):
            raise TypeError("chat turns need storage shared by replicas (PostgreSQL)")
        self._app = app
        self._repo = repo
        self._shared: SharedStorage = repo

    async def _read(self, item: InboxItem) -> Update | None:
        read = await read_stored(self._app, self._repo, [item])
        return read[0] if read else None

    async def handle(self, update: object, coroutine: Awaitable[Any], after: AfterHook) -> None:
        """Take the chat's turn, handle what came before in order, then this update."""
        key = chat_key(update)
        if key is None or not isinstance(update, Update):
            await coroutine
            await after(update)
            return
        shared = self._shared
        # The turn reads the chat's backlog as it begins, and marking this update done (the
        # after hook) ends it: storage/pg_turn.py.
        async with shared.chat_turn(key, update.update_id) as backlog:
            pending = bool(backlog) and backlog[-1].update_id == update.update_id
            for item in backlog[:-1] if pending else backlog:
                earlier = await self._read(item)
                if earlier is None:
                    await self._repo.inbox_done(item.update_id)  # else it blocks the chat
                    continue
                _log.debug("update %s handled before %s", item.update_id, update.update_id)
                await self._app.process_update(earlier)
                await after(earlier)
            if pending:
                await coroutine
            else:
                # Handled by another replica (as an earlier update of the chat) meanwhile.
                if asyncio.iscoroutine(coroutine):
                    coroutine.close()
            await after(update)


class OrphanSweeper(Worker):
    """Every few seconds, take over updates that replicas which died left pending."""

    name = "orphans"

    def __init__(self, app: BuurtApp, repo: Repository, *, every: float = ORPHANS_EVERY):
        super().__init__()
        if not isinstance(repo, SharedStorage):
            raise TypeError("taking over updates needs storage shared by replicas (PostgreSQL)")
        self._app = app
        self._repo = repo
        self._every = every
        self.adopted = 0

    async def sweep(self) -> int:
        """Queue what was left; return how many updates."""
        items = await self._repo.adopt_orphaned_updates()
        for update in await read_stored(self._app, self._repo, items):
            await self._app.update_queue.put(update)
        if items:
            _log.warning(
                "took over %d update(s) left by a replica that stopped or died", len(items)
            )
        self.adopted += len(items)
        return len(items)

    async def begin(self) -> float:
        """Queue what is waiting now, before the loop keeps looking."""
        await self.sweep()
        return self._every

    async def step(self) -> float:
        """Look once more; storage that is unavailable is logged and tried again next time."""
        try:
            await self.sweep()
        except Exception as exc:
            _log.error(
                "could not look for updates left by other replicas: %s",
                unavailable(exc) or repr(exc),
            )
        return self._every
