"""ChatPacer: the bot's own pace per chat and overall, so that Telegram seldom says 429.

Telegram allows a chat about one message a second with short bursts, and a bot about 30
messages a second overall. PTB's AIORateLimiter paused every call of the bot at each 429;
here a 429 for one chat holds that chat only, and only a 429 for the whole bot holds every
call. Telegram's 429 does not say which it is, so the pacer judges: a call that names no chat,
a chat that had not been written to for a while (its bucket was full: its own pace cannot be
what was exceeded), or a second chat refused within one ban means the whole bot.

Per chat, one message call is in flight at a time and its bucket earns nothing while it is:
so the server, which sees each call a little later than we decide to make it, never counts
a call sooner than we did (and a chat's messages arrive in the order they were sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.core.config import FloodConfig

_log = logging.getLogger(__name__)

# A little beyond what Telegram names, since its clock and ours differ by a request's trip.
_MARGIN = 0.1
# Telegram allows a group about 20 messages a minute.
_GROUP_RATE = 20 / 60
# Chats remembered at most; idle ones with a full bucket are forgotten beyond this.
_MAX_CHATS = 10_000

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]
Scope = Literal["chat", "bot"]
"""What a 429 held, as the pacer judged it: one chat, or every call of the bot."""


@dataclass(frozen=True)
class Pace:
    """How one call may be paced: passed as ``rate_limit_args`` to a bot method."""

    wait: bool = True
    """False for the outbox: rather than wait for a chat, raise ChatRetryAfter at once."""
    paid: bool = False
    """A paid broadcast: Telegram's bulk limit (and so the bot's bucket) does not cover it."""


class ChatRetryAfter(RetryAfter):
    """Telegram (or our own pace) holds this chat only; other chats may go on."""

    def __init__(self, chat_id: int, seconds: float) -> None:
        super().__init__(max(1, round(seconds)))
        self.chat_id = chat_id
        self.seconds = seconds


class _Bucket:
    """``burst`` tokens at most, refilled at ``rate`` per second (monotonic clock)."""

    __slots__ = ("burst", "rate", "tokens", "updated")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = now

    def refill(self, now: float) -> None:
        self.tokens = min(float(self.burst), self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = max(self.updated, now)

    def wait_for_token(self, now: float) -> float:
        """Seconds until one token is there (0 when it is)."""
        self.refill(now)
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def full(self, now: float) -> bool:
        self.refill(now)
        return self.tokens >= self.burst


@dataclass
class _Chat:
    bucket: _Bucket
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    banned_until: float = 0.0
    users: int = 0
    fresh: bool = True
    """The call in flight found the bucket full: a 429 for it cannot be this chat's pace."""


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_of(data: dict[str, Any]) -> int | None:
    raw = data.get("chat_id")
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None  # an @username: a channel, which this bot does not write to


def makes_a_message(endpoint: str) -> bool:
    """Calls that send or edit a message: those Telegram's flood limits count."""
    return endpoint.startswith(("send", "edit", "copy", "forward")) and endpoint != (
        "sendChatAction"
    )


class ChatPacer(BaseRateLimiter[Pace]):
    """A token bucket per chat plus one for the bot; 429s held per chat where they belong."""

    def __init__(
        self,
        limits: FloodConfig,
        *,
        max_retries: int = 3,
        on_refused: Callable[[Scope], None] | None = None,
    ) -> None:
        self._limits = limits
        self.on_refused = on_refused
        """Told the scope of every 429 (the metrics): only the pacer knows what it held."""
        self._max_retries = max_retries
        self._chats: dict[int, _Chat] = {}
        self._bot = _Bucket(limits.bot_rate, limits.bot_burst, time.monotonic())
        self._bot_turn = asyncio.Lock()
        self._bot_banned_until = 0.0
        # The last chat Telegram refused and until when: a second chat refused meanwhile
        # means the ban is the bot's, not the chat's.
        self._last_refused: tuple[int, float] | None = None
        self._closed = asyncio.Event()
        self.chat_bans = 0
        self.bot_bans = 0

    async def initialize(self) -> None:
        """Open for calls (again)."""
        self._closed = asyncio.Event()

    async def shutdown(self) -> None:
        """Wake every call that waits, with an error: nothing waits forever at shutdown."""
        self._closed.set()

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Pace | None,
    ) -> Result:
        """Make the call at the pace of its chat and of the bot; wait out 429s where due."""
        pace = rate_limit_args or Pace()
        chat_id = _chat_of(data)
        for attempt in range(self._max_retries + 1):
            try:
                if chat_id is None:
                    await self._sleep_until(self._bot_banned_until)
                    return await callback(*args, **kwargs)
                return await self._for_chat(chat_id, endpoint, pace, callback, args, kwargs)
            except ChatRetryAfter:
                raise
            except RetryAfter as exc:
                held = self._refused(chat_id, _seconds(exc.retry_after))
                if attempt == self._max_retries or (
                    isinstance(held, ChatRetryAfter) and not pace.wait
                ):
                    raise held from exc
                _log.info("Telegram asks to wait %.0f s; trying again", _seconds(exc.retry_after))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _for_chat(
        self,
        chat_id: int,
        endpoint: str,
        pace: Pace,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
    ) -> Result:
        chat = self._chat(chat_id)
        chat.users += 1
        try:
            async with chat.turn:
                held = chat.banned_until - time.monotonic()
                if held > 0 and not pace.wait:
                    raise ChatRetryAfter(chat_id, held)
                await self._sleep_until(max(chat.banned_until, self._bot_banned_until))
                chat.fresh = chat.bucket.full(time.monotonic())
                if not makes_a_message(endpoint):
                    return await callback(*args, **kwargs)
                await self._take_chat_token(chat_id, chat, pace)
                if not pace.paid:
                    await self._take_bot_token()
                try:
                    return await callback(*args, **kwargs)
                finally:
                    # The time the call was under way earns nothing (see the module docstring).
                    chat.bucket.updated = max(chat.bucket.updated, time.monotonic())
        finally:
            chat.users -= 1

    async def _take_chat_token(self, chat_id: int, chat: _Chat, pace: Pace) -> None:
        while (wait := chat.bucket.wait_for_token(time.monotonic())) > 0:
            if not pace.wait:
                raise ChatRetryAfter(chat_id, wait)
            await self._sleep(wait)
        chat.bucket.tokens -= 1.0

    async def _take_bot_token(self) -> None:
        # In turn, so that the waiting calls go out in the order they came.
        async with self._bot_turn:
            while (wait := self._bot.wait_for_token(time.monotonic())) > 0:
                await self._sleep(wait)
            self._bot.tokens -= 1.0

    def _refused(self, chat_id: int | None, seconds: float) -> RetryAfter:
        """Record a 429: hold the chat, or the whole bot; return what holds."""
        now = time.monotonic()
        until = now + seconds + _MARGIN
        last = self._last_refused
        chat = self._chats.get(chat_id) if chat_id is not None else None
        bot_wide = (
            chat is None
            or chat.fresh
            or (last is not None and last[0] != chat_id and last[1] > now)
        )
        if bot_wide:
            self.bot_bans += 1
            self._tell("bot")
            self._bot_banned_until = max(self._bot_banned_until, until)
            _log.warning("Telegram holds the whole bot for %.0f s; every call waits", seconds)
            return RetryAfter(max(1, round(seconds)))
        assert chat_id is not None and chat is not None
        self.chat_bans += 1
        self._tell("chat")
        self._last_refused = (chat_id, until)
        chat.banned_until = max(chat.banned_until, until)
        _log.warning("Telegram holds one chat for %.0f s; the others go on", seconds)
        return ChatRetryAfter(chat_id, seconds)

    def _tell(self, scope: Scope) -> None:
        if self.on_refused is not None:
            self.on_refused(scope)

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            now = time.monotonic()
            if len(self._chats) >= _MAX_CHATS:
                self._forget_idle(now)
            rate = self._limits.chat_rate
            if chat_id < 0:
                rate = min(_GROUP_RATE, rate)
            chat = _Chat(_Bucket(rate, self._limits.chat_burst, now))
            self._chats[chat_id] = chat
        return chat

    def _forget_idle(self, now: float) -> None:
        """Forget chats nobody waits for whose bucket is full: they start full again anyway."""
        for chat_id in [
            c
            for c, chat in self._chats.items()
            if chat.users == 0 and chat.banned_until <= now and chat.bucket.full(now)
        ]:
            del self._chats[chat_id]

    async def _sleep_until(self, moment: float) -> None:
        wait = moment - time.monotonic()
        if wait > 0:
            await self._sleep(wait)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, unless the bot shuts down meanwhile: then give up the call."""
        if self._closed.is_set():
            raise NetworkError("the bot is shutting down")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), timeout=seconds)
            raise NetworkError("the bot is shutting down")
