"""Start and stop the bot in-process: storage, application and the inbox poller, in order."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.request import BaseRequest

from bot.app import build_application
from bot.clock import Clock
from bot.config import Config
from bot.context import BuurtApp
from bot.ordering import ChatOrderedProcessor
from bot.polling import InboxPoller
from storage.failures import unavailable
from storage.repository import Repository
from storage.sqlite import SqliteRepository

_log = logging.getLogger(__name__)
_START_RETRIES = 8
_REMEMBERED = 50_000


class HandledUpdates:
    """Remember which updates have been handled, so a driver can wait for one."""

    def __init__(self) -> None:
        self._done: set[int] = set()
        self._waiting: dict[int, list[asyncio.Future[None]]] = {}

    async def mark(self, update: object) -> None:
        """Record an update as handled and wake whoever waits for it."""
        if not isinstance(update, Update):
            return
        if len(self._done) > _REMEMBERED:
            self._done.clear()
        self._done.add(update.update_id)
        for future in self._waiting.pop(update.update_id, []):
            if not future.done():
                future.set_result(None)

    async def wait(self, update_id: int) -> None:
        """Return once the update has been handled (callers bound the wait themselves)."""
        if update_id in self._done:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(update_id, []).append(future)
        await future


class BotRunner:
    """The bot's whole life in one object: used by `buurtbot run`, the demo and the tests."""

    def __init__(
        self,
        config: Config,
        *,
        repo: Repository | None = None,
        clock: Clock | None = None,
        request: BaseRequest | None = None,
        get_updates_request: BaseRequest | None = None,
    ) -> None:
        self.config = config
        self.repo = repo or SqliteRepository(config.storage.path)
        self.app: BuurtApp = build_application(
            config, self.repo, request, get_updates_request=get_updates_request, clock=clock
        )
        self.handled = HandledUpdates()
        self.poller = InboxPoller(self.app, self.repo, timeout=config.telegram.poll_timeout)
        processor = self.app.update_processor
        assert isinstance(processor, ChatOrderedProcessor)
        processor.add_after_hook(self._after_update)
        self._started = False

    async def _after_update(self, update: object) -> None:
        try:
            if isinstance(update, Update):
                await self.repo.inbox_done(update.update_id)
        except Exception as exc:
            # It stays pending in the inbox and is handled again at the next start.
            _log.error(
                "update %s was handled but could not be marked done: %s",
                update.update_id if isinstance(update, Update) else None,
                unavailable(exc) or repr(exc),
            )
        finally:
            await self.handled.mark(update)

    async def start(self) -> None:
        """Connect to the Bot API, open services, and begin handling updates."""
        delay = 1.0
        for attempt in range(_START_RETRIES):
            try:
                await self.app.initialize()
                break
            except InvalidToken:
                raise
            except (NetworkError, TimedOut) as exc:
                if attempt == _START_RETRIES - 1:
                    raise
                _log.warning("Bot API not reachable (%s); trying again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
        await self.app.start()
        await self.poller.start()
        self._started = True
        _log.info("buurtbot is running as @%s", self.app.bot.username)

    async def stop(self) -> None:
        """Stop polling, finish the updates already taken in, then close services."""
        if not self._started:
            return
        self._started = False
        await self.poller.stop()
        if self.app.running:
            await self.app.stop()
        if self.app.post_stop is not None:
            await self.app.post_stop(self.app)
        await self.app.shutdown()
        if self.app.post_shutdown is not None:
            await self.app.post_shutdown(self.app)
        _log.info("buurtbot stopped")
