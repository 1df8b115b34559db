"""Housekeeping: forget what was only kept for a while, in polling and webhook mode alike.

Once an hour: handled inbox rows go after two days (kept that long to recognise an update
Telegram delivers again), and the words of messages sent to residents go after
``SENT_WORDS_KEPT`` (the row stays, so a reminder or farewell is still never sent twice).
Store the minimum: a message once delivered lives in the resident's own chat, not here.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.clock import Clock
from bot.services.workers import Worker
from storage.repository import Repository

_log = logging.getLogger(__name__)

HANDLED_UPDATES_KEPT = timedelta(days=2)
SENT_WORDS_KEPT = timedelta(days=30)
EVERY_SECONDS = 3600.0


class HousekeepingWorker(Worker):
    """Prune the inbox and blank old outbox words, hourly."""

    name = "housekeeping"

    def __init__(self, repo: Repository, clock: Clock) -> None:
        super().__init__()
        self._repo = repo
        self._clock = clock

    async def step(self) -> float:
        """Forget what has been kept long enough; every replica may do it, it is idempotent."""
        now = self._clock.now()
        pruned = await self._repo.inbox_prune(now - HANDLED_UPDATES_KEPT)
        blanked = await self._repo.outbox_forget_texts(now - SENT_WORDS_KEPT)
        counts = (pruned, blanked)
        if any(counts):
            _log.info("housekeeping: %d handled updates pruned, %d sent texts blanked", *counts)
        return EVERY_SECONDS
