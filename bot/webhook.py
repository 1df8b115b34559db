"""Webhook mode: Telegram (or a load balancer in front of replicas) POSTs each update here.

The same durable inbox as polling (bot/polling.py): an update is answered 200 only once it is
stored, so Telegram keeps delivering it until then (a 5xx or a dropped connection makes it
try again, possibly at another replica; the inbox knows an update id it already has). Then it
goes on the update queue like a polled one.

* ``POST <path>`` with the header ``X-Telegram-Bot-Api-Secret-Token`` equal to the configured
  secret; anything else is refused with 403 before the body is read.
* ``GET /health`` for the load balancer: 200 while the bot runs and its database answers,
  503 otherwise (and from the moment it starts stopping, so that traffic moves elsewhere).

At start the server listens first, then calls setWebhook with the public URL, the secret and
the update types; every replica does the same, which Telegram treats as one setting. Stopping
one replica never deletes the webhook (the others keep serving it).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import random
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.chat.context import BuurtApp
from bot.core.config import WebhookConfig
from bot.ordering import chat_key
from bot.unreadable import parse_update, raw_chat_id, read_stored, set_aside
from storage.failures import unavailable
from storage.repository import Repository
from storage.shared import SharedStorage

_log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/health"
_HEALTH_TIMEOUT = 3.0
_SET_WEBHOOK_TRIES = 8
_LONGEST_RETRY_AFTER = 30.0
# Updates are small; Telegram's largest is far below this.
_MAX_BODY = 1024 * 1024


class WebhookServer:
    """Receive updates over HTTP into the inbox; answer the load balancer's health checks."""

    def __init__(self, app: BuurtApp, repo: Repository, config: WebhookConfig) -> None:
        self._app = app
        self._repo = repo
        self._config = config
        self._secret = config.secret_token.encode()
        self._runner: web.AppRunner | None = None
        self._stopping = False
        self.port: int | None = None
        """The port listened on (the configured one, or the one picked for port 0)."""
        self.fatal: BaseException | None = None
        self.stopped = asyncio.Event()
        self.received = 0

    def make_app(self) -> web.Application:
        """The aiohttp application (for tests that serve it themselves)."""
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_post(self._config.path, self._receive)
        app.router.add_get(HEALTH_PATH, self._health)
        return app

    async def start(self) -> None:
        """Queue what was left unhandled, listen, then tell Telegram where to deliver."""
        if not isinstance(self._repo, SharedStorage):
            # One process owns the inbox: whatever is pending was left by its last run.
            # (Replicas take over each other's leftovers: bot/replicas.py.)
            pending = await read_stored(self._app, self._repo, await self._repo.inbox_pending())
            for update in pending:
                await self._app.update_queue.put(update)
            if pending:
                _log.info("handling %d update(s) left over from the last run", len(pending))
        self._stopping = False
        self.stopped.clear()
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, self._config.listen, self._config.port)
        await site.start()
        self._runner = runner
        addresses = runner.addresses
        self.port = int(addresses[0][1]) if addresses else self._config.port
        _log.info("listening for updates on %s:%s", self._config.listen, self.port)
        try:
            await self._set_webhook()
        except BaseException:
            await self.stop()
            raise

    async def _set_webhook(self) -> None:
        delay = 1.0
        for attempt in range(_SET_WEBHOOK_TRIES):
            try:
                await self._app.bot.set_webhook(
                    url=self._config.url,
                    secret_token=self._config.secret_token,
                    allowed_updates=Update.ALL_TYPES,
                    max_connections=self._config.max_connections,
                )
                return
            except InvalidToken:
                raise
            except RetryAfter as exc:
                # One setWebhook a second per bot: replicas starting together take turns.
                if attempt == _SET_WEBHOOK_TRIES - 1:
                    raise
                pause = _retry_pause(exc)
                _log.info("setWebhook was just called; trying again in %.1f s", pause)
                await asyncio.sleep(pause)
            except (NetworkError, TimedOut) as exc:
                if attempt == _SET_WEBHOOK_TRIES - 1:
                    raise
                _log.warning("setWebhook failed (%s); trying again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def stop(self) -> None:
        """Stop taking updates (requests in progress finish); the webhook stays set."""
        self._stopping = True
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        self.stopped.set()

    def _authorised(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "").encode()
        return hmac.compare_digest(given, self._secret)

    async def _receive(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            _log.warning("refused an update without the right secret token")
            return web.Response(status=403, text="forbidden")
        if self._stopping:
            # Telegram tries again, at another replica when there is one.
            return web.Response(status=503, text="stopping")
        try:
            data: Any = await request.json()
        except (ValueError, UnicodeDecodeError, RecursionError):
            # A 4xx puts the fault with the body; a 5xx would say we failed to store it.
            return web.Response(status=400, text="not JSON")
        if not _is_update(data):
            return web.Response(status=400, text="not an update")
        try:
            update = parse_update(self._app, data)
        except Exception as exc:
            # Set aside and answered 200: refusing it would make Telegram deliver it again
            # forever. Not stored means not confirmed, as below.
            return await self._set_aside(data, exc)
        try:
            fresh = await self._repo.inbox_add(
                [(update.update_id, chat_key(update), json.dumps(data))]
            )
        except Exception as exc:
            reason = unavailable(exc)
            if reason is None:
                _log.exception("could not store update %s", update.update_id)
            else:
                _log.error("could not store update %s: %s", update.update_id, reason)
            # Not stored means not confirmed: Telegram delivers it again later.
            return web.Response(status=500, text="not stored")
        self.received += 1
        if update.update_id in fresh:
            await self._app.update_queue.put(update)
        return web.Response(text="")

    async def _set_aside(self, data: dict[str, Any], error: BaseException) -> web.Response:
        update_id = int(data["update_id"])
        try:
            await set_aside(self._repo, update_id, raw_chat_id(data), json.dumps(data), error)
        except Exception as exc:
            reason = unavailable(exc) or type(exc).__name__
            _log.error("could not set update %s aside: %s", update_id, reason)
            return web.Response(status=500, text="not stored")
        return web.Response(text="")

    async def _health(self, request: web.Request) -> web.Response:
        if self._stopping or not self._app.running:
            return web.json_response({"ok": False, "reason": "not running"}, status=503)
        try:
            await asyncio.wait_for(self._repo.inbox_last_update_id(), _HEALTH_TIMEOUT)
        except Exception as exc:
            reason = unavailable(exc) or type(exc).__name__
            return web.json_response({"ok": False, "reason": f"database: {reason}"}, status=503)
        body: dict[str, Any] = {"ok": True}
        if isinstance(self._repo, SharedStorage):
            body["replica"] = self._repo.replica_id
        return web.json_response(body)


def _retry_pause(exc: RetryAfter) -> float:
    """Telegram's retry_after (seconds or a timedelta, capped), plus a little so that
    replicas told the same do not all come back at the same instant."""
    wait = exc.retry_after
    seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
    return min(seconds, _LONGEST_RETRY_AFTER) + random.uniform(0.0, 0.25)


# The inbox keeps update ids as signed 64-bit integers (BIGINT); Telegram's are positive.
_MAX_UPDATE_ID = 2**63 - 1


def _is_update(data: Any) -> bool:
    """Tell whether a body can be an update at all, so a malformed one is refused, not stored."""
    if not isinstance(data, dict):
        return False
    update_id = data.get("update_id")
    # bool is an int in Python: `"update_id": true` must not pass as update 1.
    return type(update_id) is int and 0 <= update_id <= _MAX_UPDATE_ID
