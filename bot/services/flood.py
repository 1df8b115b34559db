"""Notice a resident who sends many messages or updates in a short time, and answer less.

FloodGate: many notes in a row stop asking where each goes. UpdateGate: past the limit of
[flood], any update gets one notice, then silence until the resident slows down.
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


class UpdateGate:
    """Count each resident's updates as they arrive: past the limit one notice, then quiet.

    Counted on arrival (bot/ordering.py calls arrived() before the update waits for its
    turn), not when handled: a flood's replies are paced, and handled late it would look slow.
    """

    def __init__(self, limit: int, window_seconds: int) -> None:
        self._limit = limit
        self._window = float(window_seconds)
        # The last limit+1 arrival times are all it takes to know whether limit is exceeded.
        self._seen: dict[int, deque[float]] = {}
        self._noticed: set[int] = set()
        self._verdicts: dict[int, Pace] = {}

    def hit(self, user_id: int, now: float) -> Pace:
        """Record one update of this resident (monotonic seconds) and say how to answer it."""
        times = self._seen.get(user_id)
        if times is None:
            if len(self._seen) >= _MAX_TRACKED:
                self._forget_idle(now)
            times = self._seen[user_id] = deque(maxlen=self._limit + 1)
        times.append(now)
        if len(times) <= self._limit or now - times[0] > self._window:
            # Slowed down (or never sped up): the next flood gets a notice again.
            self._noticed.discard(user_id)
            return Pace.OK
        if user_id in self._noticed:
            return Pace.QUIET
        self._noticed.add(user_id)
        return Pace.NOTICE

    def arrived(self, user_id: int, update_id: int, now: float) -> None:
        """Judge an update as it arrives; verdict() hands the judgement to the guard."""
        pace = self.hit(user_id, now)
        if pace is not Pace.OK:
            if len(self._verdicts) >= _MAX_TRACKED:
                self._verdicts.pop(next(iter(self._verdicts)))
            self._verdicts[update_id] = pace

    def verdict(self, update_id: int) -> Pace:
        """How to answer this update (OK unless arrived() said otherwise)."""
        return self._verdicts.pop(update_id, Pace.OK)

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, t in self._seen.items() if not t or now - t[-1] > self._window]:
            del self._seen[user_id]
            self._noticed.discard(user_id)


_MAX_TRACKED = 10_000
