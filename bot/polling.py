"""Long polling through a durable inbox: an update is stored before Telegram may forget it.

PTB's own Updater confirms an update to Telegram as soon as it is fetched; a crash before
handling would lose the resident's words. Here every fetched update is written to the inbox
first, handled from there, and marked done afterwards; at start-up whatever is still pending
is handled again.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.chat.context import BuurtApp
from bot.core import raw_api
from bot.ordering import chat_key
from bot.services.workers import Worker
from bot.unreadable import parse_update, raw_chat_id, read_stored, set_aside
from storage.failures import unavailable
from storage.repository import Repository

_log = logging.getLogger(__name__)
_MAX_BACKOFF = 30.0
_MAX_NETWORK_BACKOFF = 5.0
# Telegram keeps unconfirmed updates for a day; handled ids are kept a little longer.


class InboxPoller(Worker):
    """Fetch updates with getUpdates, store them in the inbox, hand them to the application."""

    name = "poller"

    def __init__(self, app: BuurtApp, repo: Repository, *, timeout: int = 30) -> None:
        super().__init__()
        self._app = app
        self._repo = repo
        self._timeout = timeout
        self._offset: int | None = None
        self._backoff = 1.0
        self._store_backoff = 1.0
        self.fatal: BaseException | None = None

    async def begin(self) -> float:
        """Queue what was left unhandled last time, before polling starts."""
        # No stored offset: Telegram hands out whatever it still holds unconfirmed, and the
        # inbox recognises what it already has (update ids may even restart lower).
        self._offset = None
        self._backoff = self._store_backoff = 1.0
        pending = await read_stored(self._app, self._repo, await self._repo.inbox_pending())
        for update in pending:
            await self._app.update_queue.put(update)
        if pending:
            _log.info("handling %d update(s) left over from the last run", len(pending))
        return 0.0

    async def step(self) -> float:
        """One long poll, its updates stored; return the back-off before the next poll."""
        try:
            updates = await self._fetch()
        except InvalidToken as exc:
            _log.critical("Telegram refused the bot token; stopping")
            self.fatal = exc
            self.end()
            return 0.0
        except RetryAfter as exc:
            _log.warning("getUpdates rate limited; waiting %s s", exc.retry_after)
            return _seconds(exc.retry_after)
        except Conflict as exc:
            _log.error("another bot instance polls with this token: %s", exc.message)
            pause = self._backoff
            self._backoff = min(self._backoff * 2, _MAX_BACKOFF)
            return pause
        except (NetworkError, TelegramError) as exc:
            # Capped low: after an outage polling resumes within a few seconds,
            # however long Telegram was away (a poll that fails costs nothing).
            pause = min(self._backoff, _MAX_NETWORK_BACKOFF)
            _log.warning("getUpdates failed (%s); retrying in %.0f s", exc, pause)
            self._backoff = min(pause * 2, _MAX_NETWORK_BACKOFF)
            return pause
        self._backoff = 1.0
        try:
            await self._accept(updates)
        except Exception as exc:
            # Not stored means not confirmed: Telegram keeps the updates and the
            # next poll offers them again.
            reason = unavailable(exc)
            if reason is None:
                _log.exception("could not store %d update(s)", len(updates))
            else:
                _log.error("could not store %d update(s): %s", len(updates), reason)
            pause = self._store_backoff
            _log.info("Telegram keeps them; trying again in %.0f s", pause)
            self._store_backoff = min(pause * 2, _MAX_NETWORK_BACKOFF)
            return pause
        self._store_backoff = 1.0
        return 0.0

    async def _fetch(self) -> list[dict[str, Any]]:
        """getUpdates, keeping each update's JSON as Telegram sent it, for the inbox.

        This is what PTB's Bot.get_updates does, minus parsing (done in _accept, where an
        update PTB cannot read is set aside) and rebuilding the JSON from the parsed objects
        afterwards (why: bot/core/raw_api.py).
        """
        return await raw_api.get_updates(
            self._app.bot,
            offset=self._offset,
            poll_seconds=self._timeout,
            allowed_updates=Update.ALL_TYPES,
        )

    async def _accept(self, raw: list[dict[str, Any]]) -> None:
        if not raw:
            return
        fetched = []
        for data in raw:
            try:
                fetched.append((parse_update(self._app, data), data))
            except Exception as exc:
                # One update PTB cannot read must not stop polling for everyone.
                update_id = data.get("update_id") if isinstance(data, dict) else None
                if type(update_id) is int:
                    await set_aside(self._repo, update_id, raw_chat_id(data), json.dumps(data), exc)
                else:
                    _log.warning("skipped an update without an update id (%s)", type(exc).__name__)
        fresh = await self._repo.inbox_add(
            [(u.update_id, chat_key(u), json.dumps(data)) for u, data in fetched]
        )
        last = raw[-1].get("update_id") if isinstance(raw[-1], dict) else None
        if type(last) is int:
            self._offset = last + 1
        for update, _ in fetched:
            # After a crash Telegram may offer again what the inbox already holds.
            if update.update_id in fresh:
                await self._app.update_queue.put(update)


def _seconds(value: float | timedelta) -> float:
    """Read retry_after, which PTB gives as seconds or as a timedelta."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
