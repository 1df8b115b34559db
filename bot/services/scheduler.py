"""Wake up when something planned is due: reminders, card digests, outbox rows due later.

The scheduler is a Worker like the others; APScheduler does the one thing it is good at, the
timed wake-up. After every run one DateTrigger job is set (replacing the last) for the next
due time the database names; when it fires it only calls wake(), so no job of APScheduler's
does work that stop() would have to wait for, and nothing is pickled: its in-memory job store
holds a single wake-up that every run plans again from the database. The worker's own pause
is only a backstop should a wake-up be lost.

Times come from the bot's Clock, which tests replace by a ManualClock; the wait itself is in
real time. Tests therefore move the clock and call run_due() directly rather than waiting; the
loop's run is the same call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.services import Services
from bot.services.workers import Worker

_log = logging.getLogger(__name__)
# APScheduler logs every run at INFO ("Running job ..."); with a run at least every few
# minutes that would drown the bot's own log.
logging.getLogger("apscheduler").setLevel(logging.WARNING)

JOB_ID = "buurtbot:wake"

DueJob = Callable[[Services], Awaitable[datetime | None]]
"""Releases what is due at services.clock.now(); returns when it next has something due."""

# Look at the database at least this often, whatever it said last time: a row someone else
# added (a broadcast due tomorrow at nine) is seen within this.
LONGEST_SLEEP = timedelta(minutes=5)
# The shortest wait between two planned runs.
SOONEST = 0.5
# After a job failed, try again after this.
RETRY_AFTER = timedelta(seconds=30)


class WakeScheduler(Worker):
    """A worker that runs the due-jobs at the next due time the database names."""

    name = "scheduler"
    # A run in progress finishes rather than being cancelled halfway through its jobs.
    stop_grace = 10.0
    retry_seconds = RETRY_AFTER.total_seconds()

    def __init__(
        self,
        services: Services,
        jobs: Sequence[DueJob],
        *,
        longest_sleep: timedelta = LONGEST_SLEEP,
    ) -> None:
        super().__init__()
        self._services = services
        self._jobs = tuple(jobs)
        self._longest = longest_sleep
        self._lock = asyncio.Lock()
        self._changed = False
        self._run_at = 0.0
        """When the next run is due, in time.monotonic()."""
        self._timer: AsyncIOScheduler | None = None
        self._timer_fired = False
        self.next_due: datetime | None = None
        """The next due time in the bot's clock, as last read from the database."""
        self.runs = 0

    async def begin(self) -> float:
        """Start the timer, run what is due now (missed while stopped), plan the next run."""
        self._timer = AsyncIOScheduler(timezone=UTC)
        self._timer.start()
        await self._run_due()
        return self._backstop()

    async def stop(self) -> None:
        """Stop waking; a run in progress (the loop's or a caller's) finishes first."""
        await super().stop()
        async with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None and timer.running:
            timer.shutdown(wait=False)

    def changed(self) -> None:
        """Something planned changed (a moment made or moved, a card edited): look now."""
        if self.running:
            self._changed = True
            self.wake()

    async def step(self) -> float:
        """Run when the timer fired or something changed; else sleep on (run_due() re-planned)."""
        if self._changed or self._timer_fired or self._left() <= 0:
            self._changed = False
            self._timer_fired = False
            await self._run_due()
        return self._backstop()

    async def run_due(self) -> None:
        """Release everything due at the clock's now, wake the sender, plan the next run."""
        await self._run_due()
        # The loop may be asleep until the old plan: let it take the new one.
        self.wake()

    def _left(self) -> float:
        return max(0.0, self._run_at - time.monotonic())

    def _backstop(self) -> float:
        """Sleep past the planned run: the timer wakes the loop; this only covers a lost wake."""
        return self._left() + self._longest.total_seconds()

    def _on_timer(self) -> None:
        self._timer_fired = True
        self.wake()

    def _plan_wake(self, seconds: float) -> None:
        """Set APScheduler's one job to wake the loop after seconds, replacing the last plan."""
        if self._timer is None or not self._timer.running:
            return
        self._timer.add_job(
            self._on_timer,
            DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=seconds)),
            id=JOB_ID,
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _run_due(self) -> None:
        async with self._lock:
            if not self.running:
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
            self._run_at = time.monotonic() + wait
            self._plan_wake(wait)


def scheduler_of(bot_data: Mapping[str, Any]) -> WakeScheduler | None:
    """The application's scheduler, once post_init has started it."""
    services = bot_data.get("services")
    return services.scheduler if isinstance(services, Services) else None


def planning_changed(application: Any) -> None:
    """Tell the application's scheduler that something planned changed."""
    services = application.bot_data.get("services")
    if isinstance(services, Services):
        services.planning_changed()
