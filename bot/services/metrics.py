"""What an operator watches: counters and gauges in Prometheus' format (prometheus-client).

Labels only ever hold a fixed set of words (an update's kind, a Bot API method, a scope):
never a name, an id or a text, so a scrape of /metrics tells nothing about a resident.
Each Metrics object has its own registry, so two bots in one process (tests) never mix.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final, get_args

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from telegram import Update

from bot.services.pacing import Scope
from storage.repository import Repository
from storage.shared import SharedStorage

__all__ = ["CONTENT_TYPE", "LATE_AFTER", "Metrics", "update_kind"]

LATE_AFTER: Final = timedelta(minutes=5)
"""A reminder still unsent this long after its time counts as late."""

_KINDS: Final = ("command", "message", "media", "button", "member", "other")
_METHODS: Final = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "sendPhoto",
        "sendDocument",
        "sendVoice",
        "sendMediaGroup",
        "deleteMessage",
        "getUpdates",
        "setWebhook",
        "setMyCommands",
        "getMe",
        "getFile",
    }
)


def update_kind(update: object) -> str:
    """Name the kind of an update with one of a few fixed words."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "button"
    if update.my_chat_member is not None or update.chat_member is not None:
        return "member"
    message = update.message or update.edited_message
    if message is None:
        return "other"
    if message.text is not None:
        return "command" if message.text.startswith("/") else "message"
    return "media"


class Metrics:
    """The bot's counters, histogram and gauges, and their text for a scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "buurtbot_updates_handled", "Updates handled, by kind.", ["kind"], registry=r
        )
        self.handling = Histogram(
            "buurtbot_update_handling_seconds",
            "Time from taking an update in hand to having handled it.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=r,
        )
        self.api_calls = Counter(
            "buurtbot_bot_api_calls",
            "Bot API calls, by method and outcome (ok, refused, rate_limited, error).",
            ["method", "outcome"],
            registry=r,
        )
        self.outbox_sent = Counter(
            "buurtbot_outbox_sent", "Outbox messages delivered to Telegram.", registry=r
        )
        self.rate_limited = Counter(
            "buurtbot_rate_limited",
            "HTTP 429 answers, by scope: one chat, or the whole bot.",
            ["scope"],
            registry=r,
        )
        self.storage_errors = Counter(
            "buurtbot_storage_errors", "Updates not handled because storage failed.", registry=r
        )
        self.outbox_depth = Gauge(
            "buurtbot_outbox_depth", "Outbox messages waiting to be sent.", registry=r
        )
        self.reminders_due = Gauge(
            "buurtbot_reminders_due", "Reminders whose time has come, not yet sent.", registry=r
        )
        self.reminders_late = Gauge(
            "buurtbot_reminders_late",
            "Reminders still unsent five minutes or more after their time.",
            registry=r,
        )
        self.storage_round_trips = Counter(
            "buurtbot_storage_round_trips",
            "Round trips to the shared PostgreSQL database (none on SQLite).",
            registry=r,
        )
        self._sent_seen = 0
        self._trips_seen = 0
        for kind in _KINDS:
            self.updates.labels(kind)
        for scope in get_args(Scope):
            self.rate_limited.labels(scope)

    def handled(self, update: object, seconds: float) -> None:
        """Count one handled update and how long it took."""
        self.updates.labels(update_kind(update)).inc()
        self.handling.observe(seconds)

    def api_call(self, method: str, status: int) -> None:
        """Count one Bot API answer; a method we don't know is counted as 'other'."""
        name = method if method in _METHODS else "other"
        if status == 429:
            outcome = "rate_limited"
            # Every other call goes through the ChatPacer, which tells its scope (refused);
            # python-telegram-bot sends getUpdates past it, and it names no chat.
            if name == "getUpdates":
                self.rate_limited.labels("bot").inc()
        elif 200 <= status < 300:
            outcome = "ok"
        elif 400 <= status < 500:
            outcome = "refused"
        else:
            outcome = "error"
        self.api_calls.labels(name, outcome).inc()

    def refused(self, scope: Scope) -> None:
        """Count one 429 by what the ChatPacer held for it: one chat, or the whole bot."""
        # Telegram's answer does not say; the pacer judges it (bot/services/pacing.py), and
        # the count follows what the bot then really did.
        self.rate_limited.labels(scope).inc()

    def outbox_delivered(self, sent_so_far: int) -> None:
        """Bring the delivered counter up to the delivery worker's own count."""
        # The worker counts for its own reasons (its report); the counter follows it.
        if sent_so_far > self._sent_seen:
            self.outbox_sent.inc(sent_so_far - self._sent_seen)
            self._sent_seen = sent_so_far

    async def refresh(self, repo: Repository, now: datetime) -> None:
        """Read what waits from the database, the truth, right before a scrape."""
        self.outbox_depth.set(await repo.outbox_pending_count())
        due = await repo.due_reminders(now)
        self.reminders_due.set(len(due))
        self.reminders_late.set(sum(1 for r in due if r.due_at <= now - LATE_AFTER))
        if isinstance(repo, SharedStorage):
            # After the reads above, so a scrape's own round trips are in its figure.
            self.storage_round_trips_made(repo.round_trips)

    def storage_round_trips_made(self, so_far: int) -> None:
        """Bring the round trip counter up to the repository's own count."""
        if so_far > self._trips_seen:
            self.storage_round_trips.inc(so_far - self._trips_seen)
            self._trips_seen = so_far

    def text(self) -> bytes:
        """Return the scrape in Prometheus' text format."""
        return generate_latest(self.registry)
