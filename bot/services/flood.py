"""Notice a resident who sends many messages in a short time, to slow the replies down.

Kept in memory on purpose: losing the count in a restart only means one more reply.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from enum import Enum

from bot.core.clock import Clock


class Pace(Enum):
    OK = "ok"
    NOTICE = "notice"  # the first message over the limit: tell them once
    QUIET = "quiet"  # further messages over the limit: store, don't answer each


class FloodGate:
    """Count each chat's messages in a sliding window."""

    def __init__(self, limit: int, window_seconds: int, clock: Clock) -> None:
        self._limit = limit
        self._window = timedelta(seconds=window_seconds)
        self._clock = clock
        self._seen: dict[int, deque[datetime]] = {}
        self._noticed: dict[int, datetime] = {}

    def hit(self, chat_id: int) -> Pace:
        """Record one message and say how to answer it."""
        now = self._clock.now()
        times = self._seen.setdefault(chat_id, deque())
        times.append(now)
        while times and now - times[0] > self._window:
            times.popleft()
        if len(self._seen) > 10_000:
            self._forget_idle(now)
        if len(times) <= self._limit:
            return Pace.OK
        noticed = self._noticed.get(chat_id)
        if noticed is not None and now - noticed <= self._window:
            return Pace.QUIET
        self._noticed[chat_id] = now
        return Pace.NOTICE

    def _forget_idle(self, now: datetime) -> None:
        for chat_id in [c for c, t in self._seen.items() if not t or now - t[-1] > self._window]:
            del self._seen[chat_id]
            self._noticed.pop(chat_id, None)
