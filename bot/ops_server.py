"""The operator's endpoint: ``GET /metrics`` in Prometheus' format and ``GET /health``.

Served when config has a ``[metrics]`` section, in polling and webhook mode alike, on its own
address (loopback by default), apart from the webhook's public port and the web pages: the
figures are for the operator's scraper. /health answers as the webhook's does (200 while the
bot runs and its database answers).
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.chat.context import BuurtApp
from bot.core.config import MetricsConfig
from bot.services import Services
from bot.services.metrics import CONTENT_TYPE
from storage.failures import unavailable

_log = logging.getLogger(__name__)

_DB_TIMEOUT = 3.0


class OpsServer:
    """Answer /metrics and /health; started with the intake, stopped before it ends."""

    def __init__(self, app: BuurtApp, services: Services, config: MetricsConfig) -> None:
        self._app = app
        self._services = services
        self._repo = services.repo
        self._metrics = services.metrics
        self._config = config
        self._runner: web.AppRunner | None = None
        self.port = config.port

    async def start(self) -> None:
        """Listen where config says."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get("/metrics", self._scrape)
        app.router.add_get("/health", self._health)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        await web.TCPSite(runner, self._config.listen, self._config.port).start()
        self._runner = runner
        addresses = runner.addresses
        self.port = int(addresses[0][1]) if addresses else self._config.port
        _log.info("metrics on %s:%s/metrics", self._config.listen, self.port)

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _scrape(self, request: web.Request) -> web.Response:
        if self._services.delivery is not None:
            self._metrics.outbox_delivered(self._services.delivery.stats.sent)
        now = self._services.clock.now()
        try:
            await asyncio.wait_for(self._metrics.refresh(self._repo, now), _DB_TIMEOUT)
        except Exception as exc:
            # The counters still tell something; the gauges keep their last reading.
            self._metrics.storage_errors.inc()
            _log.warning("metrics: could not read the database (%s)", unavailable(exc) or exc)
        body = self._metrics.text()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    async def _health(self, request: web.Request) -> web.Response:
        if self._runner is None or not self._app.running:
            return web.json_response({"ok": False, "reason": "not running"}, status=503)
        try:
            await asyncio.wait_for(self._repo.inbox_last_update_id(), _DB_TIMEOUT)
        except Exception as exc:
            reason = unavailable(exc) or type(exc).__name__
            return web.json_response({"ok": False, "reason": f"database: {reason}"}, status=503)
        return web.json_response({"ok": True})
