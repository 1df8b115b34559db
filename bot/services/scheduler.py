"""Wake up when something planned is due: reminders, card digests, outbox rows due later.

APScheduler (version 3, AsyncIOScheduler, in-memory job store) holds one DateTrigger job,
set to the next due time that the database names. Nothing is pickled and nothing lives only
in memory: at start, and after every run, the job is planned again from the database. Each
run calls the due-jobs (functions that release what is due into the outbox and return when
they are next due), wakes the delivery worker, and sets the next wake-up.

Times come from the bot's Clock, which tests replace by a ManualClock; APScheduler itself
waits in real time. Tests therefore move the clock and call run_due() directly rather than
waiting; the APScheduler job is the same call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.services import Services

_log = logging.getLogger(__name__)
# APScheduler logs every run at INFO ("Running job ..."); with a run at least every few
# minutes that would drown the bot's own log.
logging.getLogger("apscheduler").setLevel(logging.WARNING)

DueJob = Callable[[Services], Awaitable[datetime | None]]
"""Releases what is due at services.clock.now(); returns when it next has something due."""

JOB_ID = "buurtbot:wake"
BOT_DATA_KEY = "scheduler"
# Look at the database at least this often, whatever it said last time: a row someone else
# added (a broadcast due tomorrow at nine) is seen within this.
LONGEST_SLEEP = timedelta(minutes=5)
# The shortest wait between two planned runs.
SOONEST = 0.5
# After a job failed, try again after this.
RETRY_AFTER = timedelta(seconds=30)


class WakeScheduler:
    """One APScheduler job that runs the due-jobs at the next due time."""

    def __init__(
        self,
        services: Services,
        jobs: Sequence[DueJob],
        *,
        longest_sleep: timedelta = LONGEST_SLEEP,
    ) -> None:
        self._services = services
        self._jobs = tuple(jobs)
        self._longest = longest_sleep
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()
        self._stopped = True
        self.next_due: datetime | None = None
        """The next due time in the bot's clock, as last read from the database."""
        self.runs = 0

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return not self._stopped

    async def start(self) -> None:
        """Start APScheduler, run what is due now (missed while stopped) and plan the next."""
        self._stopped = False
        self._scheduler.start()
        await self.run_due()

    async def stop(self) -> None:
        """Stop waking; a run in progress finishes first."""
        if self._stopped:
            return
        self._stopped = True
        async with self._lock:  # a run in progress finishes, rather than being cancelled
            pass
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def changed(self) -> None:
        """Something planned changed (a moment made or moved, a card edited): look now."""
        if not self._stopped:
            self._plan_in(0.0)

    async def run_due(self) -> None:
        """Release everything due at the clock's now, wake the sender, plan the next run."""
        async with self._lock:
            if self._stopped:
                return
            self.runs += 1
            services = self._services
            now = services.clock.now()
            candidates: list[datetime] = []
            for job in self._jobs:
                try:
                    due = await job(services)
                except Exception:
                    _log.exception("a scheduled job failed; trying again shortly")
                    due = now + RETRY_AFTER
                if due is not None:
                    candidates.append(due)
            services.outbox_changed()
            try:
                outbox_due = await services.repo.next_due_at()
            except Exception:
                _log.exception("could not read the outbox's next due time")
                outbox_due = None
            if outbox_due is not None and outbox_due > now:
                candidates.append(outbox_due)
            self.next_due = min(candidates) if candidates else None
            wait = self._longest.total_seconds()
            if self.next_due is not None:
                left = (self.next_due - services.clock.now()).total_seconds()
                # Never sooner than SOONEST: something that stays due must not spin the loop.
                wait = min(wait, max(SOONEST, left))
            self._plan_in(wait)

    def _plan_in(self, seconds: float) -> None:
        if not self._scheduler.running:
            return
        self._scheduler.add_job(
            self.run_due,
            trigger=DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=seconds)),
            id=JOB_ID,
            replace_existing=True,
            # A wake-up that comes late is still wanted, and two runs never overlap anyway.
            misfire_grace_time=None,
            coalesce=True,
            max_instances=100,
        )


def scheduler_of(bot_data: Mapping[str, Any]) -> WakeScheduler | None:
    """The application's scheduler, once post_init has started it."""
    scheduler = bot_data.get(BOT_DATA_KEY)
    return scheduler if isinstance(scheduler, WakeScheduler) else None


def planning_changed(application: Any) -> None:
    """Tell the application's scheduler that something planned changed."""
    scheduler = scheduler_of(application.bot_data)
    if scheduler is not None:
        scheduler.changed()
