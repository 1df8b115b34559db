"""WebServer: the public pages on aiohttp's server, rendered by Jinja2 with autoescaping."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.services import Services
from bot.web.pages import STATUS_KEYS, Pages
from bot.web.security import add_headers

_log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


def web_application(services: Services, bot_username: Callable[[], str | None]) -> web.Application:
    """The pages as an aiohttp application (the tests drive it with aiohttp's test client)."""
    config = services.config.web
    assert config is not None
    app = web.Application(client_max_size=config.max_body_bytes)
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        # Every resident's text is escaped by the engine, whatever page shows it.
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
    )
    env.globals["status_keys"] = STATUS_KEYS
    pages = Pages(services, bot_username)
    app.router.add_routes(pages.routes())

    async def stop_watching(_: web.Application) -> None:
        await pages.watch.close()

    app.on_shutdown.append(stop_watching)
    app.router.add_static("/static", HERE / "static", append_version=False)
    app.on_response_prepare.append(add_headers)
    return app


class WebServer:
    """Serve the pages where [web] says; started with the intake, stopped before it ends."""

    def __init__(self, services: Services, bot_username: Callable[[], str | None]) -> None:
        assert services.config.web is not None
        self._services = services
        self._config = services.config.web
        self._bot_username = bot_username
        self._runner: web.AppRunner | None = None
        self.port = self._config.port

    async def start(self) -> None:
        """Listen only where config says."""
        if self._runner is not None:
            return
        app = web_application(self._services, self._bot_username)
        # No access log: addresses and paths stay out of the logs.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        await web.TCPSite(runner, self._config.listen, self._config.port).start()
        self._runner = runner
        addresses = runner.addresses
        self.port = int(addresses[0][1]) if addresses else self._config.port
        _log.info("web pages on %s:%s", self._config.listen, self.port)

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
