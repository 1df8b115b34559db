"""Start and stop the bot in-process: storage, application and the inbox poller, in order."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.request import BaseRequest

from bot.app import build_application, services_of
from bot.backends import repository_for
from bot.chat.context import BuurtApp
from bot.core.clock import Clock
from bot.core.config import Config
from bot.ops_server import OpsServer
from bot.ordering import ChatOrderedProcessor
from bot.polling import InboxPoller
from bot.replicas import ChatTurns, OrphanSweeper
from bot.services.pacing import ChatPacer
from bot.web.server import WebServer
from bot.webhook import WebhookServer
from storage.failures import unavailable
from storage.repository import Repository
from storage.shared import SharedStorage

_log = logging.getLogger(__name__)
_START_RETRIES = 8
_REMEMBERED = 50_000
# Marking an update done is tried again for a minute when storage is briefly unavailable.
_MARK_DONE_TRIES = 30
_MARK_DONE_PAUSE = 2.0


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
        webhook: bool = False,
    ) -> None:
        self.config = config
        self.repo = repo or repository_for(config.storage)
        self.app: BuurtApp = build_application(
            config, self.repo, request, get_updates_request=get_updates_request, clock=clock
        )
        self.handled = HandledUpdates()
        self.poller = InboxPoller(self.app, self.repo, timeout=config.telegram.poll_timeout)
        processor = self.app.update_processor
        assert isinstance(processor, ChatOrderedProcessor)
        processor.add_after_hook(self._after_update)
        # Webhook mode (`buurtbot run --webhook`): updates are POSTed to us instead of polled.
        self.webhook: WebhookServer | None = None
        if webhook:
            if config.telegram.webhook is None:
                raise ValueError("webhook mode needs a [telegram.webhook] section")
            self.webhook = WebhookServer(self.app, self.repo, config.telegram.webhook)
        # Storage shared by replicas: each update in its chat's turn across processes, and
        # the updates of replicas that died taken over (bot/replicas.py).
        self.sweeper: OrphanSweeper | None = None
        if isinstance(self.repo, SharedStorage):
            processor.handle_with(ChatTurns(self.app, self.repo).handle)
            self.sweeper = OrphanSweeper(self.app, self.repo)
        # Started in this order after the application, stopped in reverse before it.
        services = services_of(self.app)
        # 429s per scope in /metrics: the pacer knows whether it held one chat or the bot.
        pacer = self.app.bot.rate_limiter
        if isinstance(pacer, ChatPacer):
            pacer.on_refused = services.metrics.refused
        intake = services.intake
        # The operator's /metrics and /health first, so they answer while the rest starts.
        self.ops: OpsServer | None = None
        if config.metrics is not None:
            self.ops = intake.add(OpsServer(self.app, services, config.metrics))
        # The public pages ([web]) on every replica, before updates come in.
        self.web: WebServer | None = None
        if config.web is not None:
            self.web = intake.add(WebServer(services, lambda: self.app.bot.username))
        if self.sweeper is not None:
            intake.add(self.sweeper)
        intake.add(self.intake)
        self._retries: set[asyncio.Task[None]] = set()
        self._started = False

    @property
    def intake(self) -> InboxPoller | WebhookServer:
        """Where updates come in: the webhook server in webhook mode, else the poller."""
        return self.webhook if self.webhook is not None else self.poller

    async def _after_update(self, update: object) -> None:
        try:
            if isinstance(update, Update):
                await self.repo.inbox_done(update.update_id)
        except Exception as exc:
            assert isinstance(update, Update)
            _log.error(
                "update %s was handled but could not be marked done (%s); trying again",
                update.update_id,
                unavailable(exc) or repr(exc),
            )
            # Else it would stay pending and be handled a second time at the next start.
            task = asyncio.create_task(self._mark_done_later(update.update_id))
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)
        finally:
            await self.handled.mark(update)

    async def _mark_done_later(self, update_id: int) -> None:
        for _ in range(_MARK_DONE_TRIES):
            await asyncio.sleep(_MARK_DONE_PAUSE)
            try:
                await self.repo.inbox_done(update_id)
                return
            except Exception:
                continue
        _log.error("update %s stays pending; it is handled again at the next start", update_id)

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
        await services_of(self.app).intake.start()
        self._started = True
        _log.info("buurtbot is running as @%s", self.app.bot.username)

    async def stop(self) -> None:
        """Stop polling, finish the updates already taken in, then close services."""
        if not self._started:
            return
        self._started = False
        await services_of(self.app).intake.stop()
        if self.app.running:
            await self.app.stop()
        for task in list(self._retries):
            # Whatever is still pending is handled again at the next start.
            task.cancel()
        if self.app.post_stop is not None:
            await self.app.post_stop(self.app)
        await self.app.shutdown()
        if self.app.post_shutdown is not None:
            await self.app.post_shutdown(self.app)
        _log.info("buurtbot stopped")
