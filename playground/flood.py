"""Flood control: token buckets for all sends and per chat, and the bans that follow a 429.

As Telegram does: a chat whose own pace (``chat_rate``, ``chat_burst``) is exceeded is banned
alone for ``retry_after`` seconds; only the bot's overall pace (``global_rate``) bans every call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """``burst`` tokens at most, refilled at ``rate`` per second."""

    rate: float
    burst: int
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        """Add the tokens earned since the last look."""
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(float(self.burst), self.tokens + elapsed * self.rate)
        self.updated = now


@dataclass
class FloodLimits:
    """The figures of flood control; Telegram does not publish its own."""

    global_rate: float = 30.0
    global_burst: int = 30
    chat_rate: float = 1.0
    chat_burst: int = 20
    retry_after: int = 1
    paid_rate: float = 1000.0
    """A paid broadcast (allow_paid_broadcast) counts against this, not the bulk limit."""
    paid_burst: int = 1000

    def as_dict(self) -> dict[str, float]:
        """The limits as JSON-ready numbers."""
        return {
            "global_rate": self.global_rate,
            "global_burst": self.global_burst,
            "chat_rate": self.chat_rate,
            "chat_burst": self.chat_burst,
            "retry_after": self.retry_after,
            "paid_rate": self.paid_rate,
            "paid_burst": self.paid_burst,
        }


@dataclass
class FloodControl:
    """Decides whether a send may pass, and remembers the ban after a refusal."""

    limits: FloodLimits = field(default_factory=FloodLimits)
    ban_until: float = 0.0
    """The end of the ban on every call (after the overall pace was exceeded)."""
    chat_bans: int = 0
    """How many times one chat was banned alone."""
    paid_messages: int = 0
    """Messages let through as paid broadcast: Telegram charges 0.1 Star for each."""
    _global: TokenBucket | None = None
    _paid: TokenBucket | None = None
    _chats: dict[int, TokenBucket] = field(default_factory=dict)
    _chat_ban_until: dict[int, float] = field(default_factory=dict)

    def reset(self) -> None:
        """Full buckets and no ban, as after a change of limits."""
        self._global = None
        self._paid = None
        self._chats.clear()
        self._chat_ban_until.clear()
        self.ban_until = 0.0

    def ban_remaining(self, now: float) -> int | None:
        """Whole seconds left of the ban on every call (at least 1), or None without one."""
        return _remaining(self.ban_until, now)

    def chat_ban_remaining(self, chat_id: int, now: float) -> int | None:
        """Whole seconds left of this chat's own ban (at least 1), or None without one."""
        until = self._chat_ban_until.get(chat_id)
        if until is None:
            return None
        if now >= until:
            del self._chat_ban_until[chat_id]
            return None
        return _remaining(until, now)

    def _bucket_for_chat(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            burst = self.limits.chat_burst
            bucket = TokenBucket(self.limits.chat_rate, burst, float(burst), now)
            self._chats[chat_id] = bucket
        return bucket

    def _global_bucket(self, now: float) -> TokenBucket:
        if self._global is None:
            burst = self.limits.global_burst
            self._global = TokenBucket(self.limits.global_rate, burst, float(burst), now)
        return self._global

    def try_send(self, chat_id: int, now: float) -> int | None:
        """Take a token from both buckets; when one is empty, start a ban and return its length.

        An empty chat bucket bans that chat; an empty overall bucket bans every call.
        """
        return self._take(chat_id, self._global_bucket(now), now)

    def _paid_bucket(self, now: float) -> TokenBucket:
        if self._paid is None:
            burst = self.limits.paid_burst
            self._paid = TokenBucket(self.limits.paid_rate, burst, float(burst), now)
        return self._paid

    def try_send_chat_only(self, chat_id: int, now: float) -> int | None:
        """Like try_send for a paid broadcast: the 1,000/s bucket instead of the bulk one."""
        seconds = self._take(chat_id, self._paid_bucket(now), now)
        if seconds is None:
            self.paid_messages += 1
        return seconds

    @property
    def stars_spent(self) -> float:
        """What the paid messages cost, at 0.1 Star each."""
        return self.paid_messages / 10

    def _take(self, chat_id: int, overall: TokenBucket | None, now: float) -> int | None:
        chat = self._bucket_for_chat(chat_id, now)
        chat.refill(now)
        if overall is not None:
            overall.refill(now)
        seconds = max(1, int(self.limits.retry_after))
        if overall is not None and overall.tokens < 1.0:
            self.ban_until = now + seconds
            return seconds
        if chat.tokens < 1.0:
            self._chat_ban_until[chat_id] = now + seconds
            self.chat_bans += 1
            return seconds
        chat.tokens -= 1.0
        if overall is not None:
            overall.tokens -= 1.0
        return None


def _remaining(until: float, now: float) -> int | None:
    if now >= until:
        return None
    return max(1, math.ceil(until - now))
