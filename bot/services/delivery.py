"""The one paced worker that sends everything in the outbox: broadcasts, reminders, invitations.

Sending is sequential on purpose: with one call in flight, a 429 for the whole bot stops
everything at once and no further call reaches Telegram before retry_after has passed. Only a
paid broadcast has up to four calls in flight (never two for one chat): at hundreds a second
one at a time would leave its rate to the round trip, and its limit (1,000 a second) is twice
the pace it is sent at, so a ban, and the calls already under way during it, are unlikely. A chat
that is held (its own 429, or the ChatPacer's pace for it) never holds the others: its
messages are put back, due when the chat may be written to again, and the next chat goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.core.clock import Clock
from bot.core.i18n import DEFAULT_LANGUAGE, number, t
from bot.services.pacing import ChatRetryAfter, Pace
from bot.services.paid_broadcast import PAID_KINDS
from bot.services.workers import Worker
from storage.failures import unavailable
from storage.models import OutboxMessage, OutboxStatus
from storage.repository import Repository
from storage.shared import SharedStorage

_log = logging.getLogger(__name__)
_BATCH = 20
_IDLE_POLL = 5.0
_BAR_WIDTH = 10
# With replicas: how often to take over what a stopped replica was sending, and to count
# the replicas sending beside this one (the rate is shared among them).
_LOOK_AROUND = 5.0
_MAX_HELD = 10_000
# How late a send may be and still be caught up (a burst of 0.1 s of the rate, 3 messages at
# 29 a second, well within Telegram's burst of a second's worth); later, the pace starts anew.
_CATCH_UP = 0.1
# Paid broadcast sends in flight at most: at 500 a second a round trip of a few milliseconds
# would otherwise set the rate (bench/broadcast.py --kinds paid).
_PAID_IN_FLIGHT = 4


@dataclass
class DeliveryStats:
    """What the worker did since it started; the benchmark and the tests read these."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retried: int = 0
    rate_limited: int = 0
    """429s for the whole bot: every send waited."""
    chat_held: int = 0
    """Messages put back because their chat was held; the other chats went on."""
    per_broadcast: dict[int, float] = field(default_factory=dict)


def _markup(message: OutboxMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in message.buttons
        ]
    )


def _retry_seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _land(
    flying: dict[int, asyncio.Task[None]], count: int, task: asyncio.Task[None] | None = None
) -> None:
    """Wait until at least ``count`` sends in flight (or this one) have landed; forget them."""
    while flying and (count > 0 or (task is not None and not task.done())):
        await asyncio.wait(flying.values(), return_when=asyncio.FIRST_COMPLETED)
        for chat_id, done in [(c, f) for c, f in flying.items() if f.done()]:
            del flying[chat_id]
            count -= 1
            done.result()  # a send that failed beyond its own handling fails the batch


def progress_bar(done: int, total: int) -> str:
    """A bar of ten blocks, as full as done is of total."""
    filled = _BAR_WIDTH if total <= 0 else min(_BAR_WIDTH, done * _BAR_WIDTH // total)
    return "▓" * filled + "░" * (_BAR_WIDTH - filled)


class DeliveryWorker(Worker):
    """Claim due outbox rows and send them one by one at the configured rate."""

    name = "delivery"
    # stop() lets the message being sent finish, so it is recorded rather than sent twice.
    stop_grace = 10.0
    retry_seconds = _IDLE_POLL

    def __init__(
        self,
        bot: ExtBot[Any],
        repo: Repository,
        clock: Clock,
        *,
        rate_per_second: float,
        max_attempts: int,
        progress_every: float = 3.0,
        paid_rate_per_second: float | None = None,
    ) -> None:
        super().__init__()
        self._bot = bot
        self._repo = repo
        self._clock = clock
        self._interval = 1.0 / rate_per_second
        # None: paid broadcast is off, and nothing is ever sent with allow_paid_broadcast.
        self._paid_interval = None if paid_rate_per_second is None else 1.0 / paid_rate_per_second
        self._paid_broadcasts: dict[int, bool] = {}
        self._max_attempts = max_attempts
        self._progress_every = progress_every
        self._next_at = 0.0
        self._progress_at: dict[int, float] = {}
        self._shared = repo if isinstance(repo, SharedStorage) else None
        self._senders = 1
        self._looked_around = 0.0
        self._reported = False
        # Chats held (monotonic end of the hold), so their other messages wait too.
        self._held: dict[int, float] = {}
        self.stats = DeliveryStats()

    async def begin(self) -> float:
        """Put back what a crash left in flight, before sending starts."""
        requeued = await self._repo.requeue_in_flight()
        if requeued:
            _log.warning(
                "%d message(s) were in flight when the bot stopped; sending them again", requeued
            )
        self._reported = False
        return 0.0

    async def step(self) -> float:
        """Send one batch of what is due; return how long to wait before looking again."""
        if not self._reported:
            await self._finish_completed()
            self._reported = True
        await self._look_around()
        try:
            batch = await self._repo.claim_due(self._clock.now(), _BATCH)
        except Exception:
            _log.exception("could not read the outbox; trying again shortly")
            return _IDLE_POLL
        if not batch:
            return await self._idle_delay()
        try:
            await self._send_batch(batch)
        except Exception as exc:
            # Storage that is locked or full must not end the worker for good.
            reason = unavailable(exc)
            _log.error(
                "delivery paused: %s; trying again in %.0f s",
                reason or "unexpected error",
                _IDLE_POLL,
                exc_info=None if reason else exc,
            )
            with contextlib.suppress(Exception):
                # What this batch had not sent yet goes back in line.
                await self._repo.requeue_in_flight()
            return _IDLE_POLL
        return 0.0

    async def _send_batch(self, batch: list[OutboxMessage]) -> None:
        touched: set[int] = set()
        # Paid messages in flight, by chat (see _make_room).
        flying: dict[int, asyncio.Task[None]] = {}
        try:
            for index, message in enumerate(batch):
                if self.stopping:
                    await _land(flying, len(flying))
                    for rest in batch[index:]:
                        await self._repo.release(rest.id)
                    break
                paid = await self._paid(message)
                await self._make_room(flying, message.chat_id, paid)
                if await self._hold_back(message):
                    continue
                await self._pace(paid)
                if paid:
                    flying[message.chat_id] = asyncio.create_task(self._deliver(message, paid))
                else:
                    await self._deliver(message, paid)
                if message.broadcast_id is not None:
                    touched.add(message.broadcast_id)
                    await self._maybe_progress(message.broadcast_id)
            await _land(flying, len(flying))
        except asyncio.CancelledError:
            # stop() ran out of grace: the sends in flight end with the step (their rows stay
            # "sending" and go out again after the restart, like the one message otherwise).
            for task in flying.values():
                task.cancel()
            raise
        finally:
            # Whatever went wrong, no send is left running unwatched.
            await asyncio.gather(*flying.values(), return_exceptions=True)
        for broadcast_id in touched:
            await self._maybe_finish(broadcast_id)

    async def _make_room(
        self, flying: dict[int, asyncio.Task[None]], chat_id: int, paid: bool
    ) -> None:
        """Wait for the sends in flight that this one must not overtake or crowd.

        A paid broadcast may have a few calls in flight: at hundreds a second one at a time
        would leave the rate to the round trip. Everything else goes alone (the module
        docstring), and a chat's next message waits for its last (order, and its hold).
        """
        if not paid:
            await _land(flying, len(flying))
            return
        if chat_id in flying:
            await _land(flying, 0, flying[chat_id])
        await _land(flying, len(flying) - _PAID_IN_FLIGHT + 1)

    async def _hold_back(self, message: OutboxMessage) -> bool:
        """Put a message of a held chat back, due when its hold ends; True when it was."""
        until = self._held.get(message.chat_id)
        if until is None:
            return False
        left = until - time.monotonic()
        if left <= 0:
            del self._held[message.chat_id]
            return False
        self.stats.chat_held += 1
        due = self._clock.now() + timedelta(seconds=left)
        await self._settle(self._repo.release, message.id, due)
        return True

    async def _idle_delay(self) -> float:
        due = await self._repo.next_due_at()
        if due is None:
            return _IDLE_POLL
        return max(0.0, min(_IDLE_POLL, (due - self._clock.now()).total_seconds()))

    async def _look_around(self) -> None:
        """Replicas only: put back what a stopped replica was sending; count the senders."""
        shared = self._shared
        now = time.monotonic()
        if shared is None or now - self._looked_around < _LOOK_AROUND:
            return
        self._looked_around = now
        try:
            requeued = await shared.requeue_orphaned_messages()
            self._senders = await shared.live_replicas()
        except Exception as exc:
            _log.error("could not look at the other replicas: %s", unavailable(exc) or repr(exc))
            return
        if requeued:
            _log.warning("%d message(s) a stopped replica was sending are back in line", requeued)

    async def _paid(self, message: OutboxMessage) -> bool:
        """Whether this message goes as paid broadcast: on, and theme news or /bericht."""
        broadcast_id = message.broadcast_id
        if self._paid_interval is None or broadcast_id is None:
            return False
        paid = self._paid_broadcasts.get(broadcast_id)
        if paid is None:
            if len(self._paid_broadcasts) >= _MAX_HELD:
                self._paid_broadcasts.clear()
            broadcast = await self._repo.get_broadcast(broadcast_id)
            paid = broadcast is not None and broadcast.kind in PAID_KINDS
            self._paid_broadcasts[broadcast_id] = paid
        return paid

    async def _pace(self, paid: bool = False) -> None:
        now = time.monotonic()
        # Idle time earns no credit: the rate holds for every second of sending. A send that
        # is only a little late (a slow answer, a busy loop) is caught up, though: else every
        # late wake-up is lost for good, which at 500 a second is a tenth of the rate.
        if self._next_at < now - _CATCH_UP:
            self._next_at = now
        if self._next_at > now:
            await asyncio.sleep(self._next_at - now)
        # Telegram's limit is per bot: replicas that all send share the rate.
        interval = self._paid_interval if paid and self._paid_interval else self._interval
        self._next_at += interval * self._senders

    async def _deliver(self, message: OutboxMessage, paid: bool = False) -> None:
        repo = self._repo
        try:
            await self._bot.send_message(
                message.chat_id,
                message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(message),
                disable_web_page_preview=True,
                # Only sent when true, so unpaid calls stay as they were.
                allow_paid_broadcast=True if paid else None,
                # Rather than wait for a held chat, hear of it and go on with the next.
                rate_limit_args=Pace(wait=False, paid=paid),
            )
        except ChatRetryAfter as exc:
            self.stats.chat_held += 1
            now = time.monotonic()
            if len(self._held) >= _MAX_HELD:
                self._held = {c: until for c, until in self._held.items() if until > now}
            self._held[exc.chat_id] = now + exc.seconds
            due = self._clock.now() + timedelta(seconds=exc.seconds)
            await self._settle(repo.release, message.id, due)
        except RetryAfter as exc:
            wait = _retry_seconds(exc.retry_after)
            _log.warning("Telegram holds the whole bot for %.0f s; every send waits", wait)
            self.stats.rate_limited += 1
            self._next_at = time.monotonic() + wait
            await self._settle(repo.release, message.id)
        except Forbidden:
            self.stats.blocked += 1
            await self._settle(repo.mark_blocked, message.id)
        except BadRequest as exc:
            # Nothing to gain from trying again: the chat is gone or the text is refused.
            _log.error("outbox message %d refused: %s", message.id, exc.message)
            self.stats.failed += 1
            await self._settle(repo.mark_failed, message.id, exc.message)
        except (NetworkError, TelegramError) as exc:
            if message.attempts >= self._max_attempts:
                _log.error(
                    "outbox message %d failed %d times: %s", message.id, message.attempts, exc
                )
                self.stats.failed += 1
                await self._settle(repo.mark_failed, message.id, str(exc))
            else:
                delay = timedelta(seconds=min(300, 2**message.attempts))
                self.stats.retried += 1
                await self._settle(
                    repo.retry_later, message.id, self._clock.now() + delay, str(exc)
                )
        else:
            self.stats.sent += 1
            await self._settle(repo.mark_sent, message.id)

    async def _settle(self, write: Callable[..., Awaitable[None]], *args: Any) -> None:
        """Record what became of a message, waiting out storage that is briefly unavailable.

        Given up only when the worker stops: the message then stays "sending" and goes out
        again after the restart (the one message that may arrive twice).
        """
        pause = 0.5
        while True:
            try:
                await write(*args)
                return
            except Exception as exc:
                if self.stopping:
                    raise
                _log.error(
                    "could not record a delivery (%s); trying again in %.1f s",
                    unavailable(exc) or repr(exc),
                    pause,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, _IDLE_POLL)

    async def _maybe_progress(self, broadcast_id: int) -> None:
        now = time.monotonic()
        if now - self._progress_at.get(broadcast_id, 0.0) < self._progress_every:
            return
        self._progress_at[broadcast_id] = now
        await self._edit_progress(broadcast_id, final=False)

    async def _maybe_finish(self, broadcast_id: int) -> None:
        counts = await self._repo.broadcast_counts(broadcast_id)
        if counts[OutboxStatus.PENDING] or counts[OutboxStatus.SENDING]:
            return
        if await self._repo.finish_broadcast(broadcast_id):
            await self._edit_progress(broadcast_id, final=True)

    async def _finish_completed(self) -> None:
        """Report broadcasts whose last message went out just before a crash."""
        for broadcast in await self._repo.unfinished_broadcasts():
            await self._maybe_finish(broadcast.id)

    async def _language(self, chat_id: int) -> str:
        resident = await self._repo.get_resident(chat_id)
        return resident.language if resident is not None else DEFAULT_LANGUAGE

    async def _edit_progress(self, broadcast_id: int, *, final: bool) -> None:
        broadcast = await self._repo.get_broadcast(broadcast_id)
        if broadcast is None or broadcast.sender_chat_id is None:
            return
        counts = await self._repo.broadcast_counts(broadcast_id)
        lang = await self._language(broadcast.sender_chat_id)
        done = broadcast.total - counts[OutboxStatus.PENDING] - counts[OutboxStatus.SENDING]
        if final:
            text = t(
                lang,
                "broadcast.report",
                delivered=number(lang, counts[OutboxStatus.SENT]),
                blocked=number(lang, counts[OutboxStatus.BLOCKED]),
                failed=number(lang, counts[OutboxStatus.FAILED] + counts[OutboxStatus.CANCELLED]),
                total=number(lang, broadcast.total),
            )
        else:
            text = t(
                lang,
                "broadcast.progress",
                done=number(lang, done),
                total=number(lang, broadcast.total),
                bar=progress_bar(done, broadcast.total),
            )
        try:
            if broadcast.progress_message_id is not None:
                await self._bot.edit_message_text(
                    text,
                    chat_id=broadcast.sender_chat_id,
                    message_id=broadcast.progress_message_id,
                    parse_mode=ParseMode.HTML,
                    # The bar is shown again in a few seconds: never hold up the sending for it.
                    rate_limit_args=Pace(wait=final),
                )
            if final:
                await self._bot.send_message(
                    broadcast.sender_chat_id,
                    t(lang, "broadcast.finished"),
                    parse_mode=ParseMode.HTML,
                )
        except BadRequest as exc:
            if "not modified" not in exc.message:
                _log.info("could not update broadcast progress: %s", exc.message)
        except TelegramError as exc:
            _log.info("could not update broadcast progress: %s", exc)
