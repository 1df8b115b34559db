"""One shape for every background loop: the sender, the scheduler, digests, sweeper and poller.

A worker is a named asyncio task that repeats one step and then waits: for as long as the step
asked, or until wake() says there is news. A step that fails is logged and tried again after a
pause; nothing but stop() ends the loop (or the worker itself, when going on is pointless).
stop() asks the loop to end, lets it finish the step in hand for up to ``stop_grace`` seconds,
then cancels it, and always awaits it. start() and stop() may be called twice.

What is due is never held only here: every step reads it from the database, so a worker that
stopped (or a process that died) loses nothing but the wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Protocol, TypeVar

_log = logging.getLogger(__name__)


class Lifecycle(Protocol):
    """Anything started with the bot and stopped with it (a worker, the webhook server)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Worker:
    """A loop that runs step() again and again, sleeping in between unless woken."""

    name = "worker"
    """The task is called ``buurtbot:<name>`` (visible in asyncio debugging and task dumps)."""
    stop_grace = 0.0
    """Seconds the step in hand may take to finish after stop(); 0 cancels it at once."""
    retry_seconds = 5.0
    """The pause after a step that raised."""
    coalesce_seconds = 0.0
    """After a wake(), wait this long first, so that a burst of wakes makes one step."""

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = True
        self.stopped = asyncio.Event()
        """Set once the loop has ended, by stop() or by itself."""

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return not self._stopping

    @property
    def stopping(self) -> bool:
        """True once stop() was asked (or before start())."""
        return self._stopping

    async def start(self) -> None:
        """Do what must be done before the loop (begin()), then start the loop's task."""
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        self.stopped.clear()
        try:
            first_pause = await self.begin()
        except BaseException:
            self._stopping = True
            raise
        self._task = asyncio.create_task(self._run(first_pause), name=f"buurtbot:{self.name}")

    async def stop(self) -> None:
        """End the loop: the step in hand gets stop_grace seconds, then it is cancelled."""
        task, self._task = self._task, None
        self._stopping = True
        if task is None:
            return
        self._wake.set()
        if self.stop_grace > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), self.stop_grace)
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def wake(self) -> None:
        """Take the next step now rather than after the pause: something new is due."""
        self._wake.set()

    async def begin(self) -> float:
        """Work done in start(), before the loop; return the pause before the first step."""
        return 0.0

    async def step(self) -> float:
        """Do one round of work; return how many seconds to wait before the next one."""
        raise NotImplementedError

    def end(self) -> None:
        """Called from a step: going on makes no sense (the token was refused); end the loop."""
        self._stopping = True

    async def pause(self, seconds: float) -> None:
        """Wait the seconds, or until wake() or stop(), whichever comes first."""
        if seconds <= 0 or self._stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _run(self, first_pause: float) -> None:
        try:
            await self.pause(first_pause)
            while not self._stopping:
                # Cleared before the step, so a wake() that comes during it is not lost.
                self._wake.clear()
                try:
                    seconds = await self.step()
                except Exception:
                    _log.exception(
                        "the %s worker failed; trying again in %.0f s",
                        self.name,
                        self.retry_seconds,
                    )
                    seconds = self.retry_seconds
                await self._pause_then_settle(seconds)
        finally:
            self.stopped.set()

    async def _pause_then_settle(self, seconds: float) -> None:
        await self.pause(seconds)
        if self.coalesce_seconds > 0 and not self._stopping:
            await asyncio.sleep(self.coalesce_seconds)


W = TypeVar("W", bound=Lifecycle)


class Workers:
    """Workers started in the order they were added and stopped in the reverse order."""

    def __init__(self) -> None:
        self._members: list[Lifecycle] = []

    def add(self, worker: W) -> W:
        """Add a worker to start after the ones already added; return it."""
        self._members.append(worker)
        return worker

    def __iter__(self) -> Iterator[Lifecycle]:
        return iter(self._members)

    async def start(self) -> None:
        """Start each in turn; one that fails to start stops the start-up (it is a fault)."""
        for worker in self._members:
            await worker.start()

    async def stop(self) -> None:
        """Stop each, last started first; one that fails to stop does not keep others going."""
        for worker in reversed(self._members):
            try:
                await worker.stop()
            except Exception:
                _log.exception("could not stop %r cleanly", worker)
