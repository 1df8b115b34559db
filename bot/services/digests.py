"""The moderators' digest: when the review queue grew, each moderator gets one message saying
how much waits, at most once per [moderation] digest_minutes, never a message per note.

The worker looks when something may have changed (any update wakes it, at most once every
few seconds) and every half minute besides. Whether a digest is due is decided in storage
together with queueing it, from the time of the last one kept in the database, so a restart
does not bring an extra digest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.config import Config
from bot.core.i18n import plain, t
from bot.services import Services
from bot.services.staff import moderator_ids
from bot.services.workers import Worker
from storage.models import NewMessage, QueueMarks
from storage.repository import Repository

_log = logging.getLogger(__name__)

POLL_SECONDS = 30.0
MIN_GAP_SECONDS = 1.0


class DigestWorker(Worker):
    """Check the queue now and then; queue a digest for each moderator who is due one."""

    name = "digests"

    def __init__(
        self,
        config: Config,
        repo: Repository,
        clock: Clock,
        *,
        on_queued: Callable[[], None] = lambda: None,
        poll_seconds: float = POLL_SECONDS,
        min_gap_seconds: float = MIN_GAP_SECONDS,
    ) -> None:
        super().__init__()
        self._config = config
        self._repo = repo
        self._clock = clock
        self._on_queued = on_queued
        self._poll = poll_seconds
        # A burst of updates makes one check, not one each.
        self.coalesce_seconds = min_gap_seconds
        self.checks = 0
        """Checks completed (digests recorded), for tests that wait for one."""
        self.queued = 0

    async def step(self) -> float:
        """Check once; then wait for a wake() (something may have joined the queue) or the poll."""
        try:
            await self.check()
        except Exception:
            _log.exception("could not check the moderation queue for digests")
        return self._poll

    async def check(self) -> int:
        """Queue the digests that are due; return how many."""
        try:
            return await self._check()
        finally:
            self.checks += 1

    async def _check(self) -> int:
        moderation = self._config.moderation
        marks = await self._repo.queue_marks(moderation.mode)
        if marks.count == 0:
            return 0
        interval = timedelta(minutes=moderation.digest_minutes)
        now = self._clock.now()
        queued = 0
        for moderator in await moderator_ids(self._config, self._repo):
            resident = await self._repo.get_resident(moderator)
            if resident is None or not resident.active:
                continue  # Telegram refuses messages to someone who never opened the chat
            last = await self._repo.last_digest(moderator)
            if last is not None:
                sent_at, seen = last
                grew = marks.note_mark > seen.note_mark or marks.report_mark > seen.report_mark
                if not grew or now - sent_at < interval:
                    continue
            message = _digest(resident.language, moderator, marks, now, interval)
            if await self._repo.record_digest(
                moderator, marks, message, now=now, not_after=now - interval
            ):
                queued += 1
        if queued:
            self.queued += queued
            self._on_queued()
        return queued


def _digest(
    lang: str, moderator: int, marks: QueueMarks, now: datetime, interval: timedelta
) -> NewMessage:
    bucket = int(now.timestamp() // interval.total_seconds())
    return NewMessage(
        chat_id=moderator,
        text=t(lang, "moderation_digest.text", count=marks.count),
        buttons=(((plain(lang, "moderation_digest.open"), "md:q"),),),
        # Due by the bot's clock (the one the delivery worker asks), not storage's.
        due_at=now,
        dedupe_key=f"digest:{moderator}:{bucket}",
    )


def digest_worker(app: Any) -> DigestWorker | None:
    """The application's digest worker, once post_init has started it (tests wait on it)."""
    services = app.bot_data.get("services")
    return services.digests if isinstance(services, Services) else None


def wake_digests(application: Any) -> None:
    """Tell the application's digest worker that the moderation queue may have grown."""
    services = application.bot_data.get("services")
    if isinstance(services, Services):
        services.queue_changed()
