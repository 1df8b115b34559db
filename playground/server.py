"""A local, strict Telegram Bot API server for end-to-end tests and the terminal demo.

It answers python-telegram-bot over real HTTP with Telegram's JSON shapes, and refuses what
Telegram refuses with Telegram's words (see docs in /work/shared/telegram-rules.md). Residents
are driven through the control API under /control/.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from typing import Any

from aiohttp import web

from playground import botapi
from playground.botapi import BAN_EXEMPT, Call, Params, Upload
from playground.control import ControlApi, apply_limits
from playground.errors import ApiError, bad_request, conflict, too_many_requests
from playground.faults import configure as configure_faults
from playground.flood import FloodLimits
from playground.state import PlaygroundState
from playground.webhooks import WebhookDelivery

_log = logging.getLogger(__name__)

TOKEN_PATTERN = re.compile(r"^(\d+):[A-Za-z0-9_-]{30,}$")
MAX_POLL_TIMEOUT = 50
# Uploads go up to 50 MB; anything larger is refused by aiohttp with 413, as by Telegram.
MAX_REQUEST_BYTES = 52 * 1024 * 1024 + 64 * 1024
WEBHOOK_CONFLICT = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
POLL_CONFLICT = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class Playground:
    """The fake Telegram: Bot API under /bot<token>/, files under /file/bot<token>/, /control/."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "buurtbot_demo_bot",
        bot_first_name: str = "Buurtbot",
        global_rate: float = 30.0,
        global_burst: int = 30,
        chat_rate: float = 1.0,
        chat_burst: int = 20,
        retry_after: int = 1,
        callback_timeout: float = 15.0,
        strict_html: bool = True,
        max_errors: int = 200,
        first_update_id: int = 1,
        first_message_id: int = 1,
        local_webhooks: bool = False,
    ) -> None:
        if token is not None and not TOKEN_PATTERN.match(token):
            raise ValueError("token must look like 123456:ABC... (30+ characters after the colon)")
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token else None
        self.state = PlaygroundState(
            bot_id=bot_id,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            limits=FloodLimits(
                global_rate, global_burst, chat_rate, chat_burst, max(1, retry_after)
            ),
            callback_timeout=callback_timeout,
            strict_html=strict_html,
            max_errors=max_errors,
            first_update_id=first_update_id,
            first_message_id=first_message_id,
            local_webhooks=local_webhooks,
        )
        self.webhooks = WebhookDelivery(self.state)
        self.control = ControlApi(self.state, self.webhooks)
        self._app: web.Application | None = None
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._poller: asyncio.Future[str] | None = None
        self._stopping = False

    # Lifecycle.

    @property
    def url(self) -> str:
        """Base URL, like http://127.0.0.1:PORT; only after start()."""
        if self._url is None:
            raise RuntimeError("the playground has not been started")
        return self._url

    def make_app(self) -> web.Application:
        """The aiohttp application, for running the playground under another server."""
        if self._app is None:
            app = web.Application(client_max_size=MAX_REQUEST_BYTES)
            app.router.add_route("*", "/bot{token}/{method}", self._handle_bot)
            app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._handle_file)
            app.router.add_routes(self.control.routes())
            self._app = app
        return self._app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 picks a free port) and return the base URL."""
        if self._runner is not None:
            return self.url
        self._stopping = False
        self.state.closing = False
        # A poll whose client has gone must not stay alive and swallow updates.
        runner = web.AppRunner(
            self.make_app(), handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        await self.webhooks.start()
        sockets = [s for s in (runner.addresses or [])]
        bound_port = sockets[0][1] if sockets else port
        self._url = f"http://{host}:{bound_port}"
        return self._url

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._stopping = True
        self.state.closing = True
        self.state.wake_watchers()
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("")
        await self.webhooks.stop()
        await runner.cleanup()

    async def __aenter__(self) -> Playground:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # Helpers for tests in the same process.

    def stats(self) -> dict[str, Any]:
        """The same as GET /control/stats."""
        return self.control.stats_json()

    def set_limits(self, **limits: float) -> None:
        """The same as POST /control/limits."""
        apply_limits(self.state, limits)

    def set_webhook_targets(self, urls: list[str]) -> None:
        """The same as POST /control/webhook/targets: where webhook deliveries really go."""
        self.webhooks.set_targets(urls)

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """The same as POST /control/faults."""
        self.state.faults = configure_faults(self.state.faults, settings)
        return self.state.faults.as_json()

    # The Bot API.

    def _auth(self, token: str) -> ApiError | None:
        match = TOKEN_PATTERN.match(token)
        if match is None:
            return ApiError(404, "Not Found")
        if self.token is not None and token != self.token:
            return ApiError(401, "Unauthorized")
        self.state.bot_id = int(match.group(1))
        return None

    @staticmethod
    async def _params(request: web.Request) -> Params:
        values: dict[str, str] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    for key, value in body.items():
                        values[key] = value if isinstance(value, str) else _dumps(value)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        uploads[key] = Upload(value.file.read(), value.filename, value.content_type)
                    elif isinstance(value, bytes | bytearray):
                        uploads[key] = Upload(bytes(value), None, None)
                    else:
                        values[key] = str(value)
        return Params(values, uploads)

    def _reply(self, method: str, params: Params | None, error: ApiError) -> web.Response:
        self.state.stats.record_error(
            {
                "method": method,
                "error_code": error.code,
                "description": error.description,
                "params": params.summary() if params is not None else {},
                "retry_after": error.retry_after,
                "time": self.state.unix(),
            }
        )
        return web.json_response(error.envelope(), status=error.code, dumps=_dumps)

    async def _handle_bot(self, request: web.Request) -> web.StreamResponse:
        raw_method = request.match_info["method"]
        refused = self._auth(request.match_info["token"])
        if refused is not None:
            return self._reply(raw_method, None, refused)
        method = botapi.CANONICAL.get(raw_method.lower(), raw_method)
        stats = self.state.stats
        stats.calls[method] += 1
        fault = self.state.faults.draw(method)
        if fault == "error":
            return self._reply(method, None, ApiError(502, "Bad Gateway"))
        if fault == "stall":
            # A client that gives up first closes the connection, which cancels this
            # handler: the call is then never carried out.
            await asyncio.sleep(self.state.faults.stall)
        response = await self._carry_out(request, method)
        if fault == "lost":
            return self._reply(method, None, ApiError(502, "Bad Gateway"))
        return response

    async def _carry_out(self, request: web.Request, method: str) -> web.StreamResponse:
        try:
            params = await self._params(request)
        except web.HTTPRequestEntityTooLarge:
            return self._reply(method, None, ApiError(413, "Request Entity Too Large"))
        except ValueError:
            return self._reply(method, None, bad_request("can't parse request JSON object"))
        try:
            if method not in botapi.CANONICAL.values():
                raise ApiError(404, "Not Found: method not found")
            self._check_ban(method, params)
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = botapi.METHODS[method](Call(self.state, method, params))
                if method == "setWebhook":
                    self._end_poll_for_webhook()
                if method in ("setWebhook", "deleteWebhook"):
                    self.webhooks.wake()
        except ApiError as error:
            return self._reply(method, params, error)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    def _check_ban(self, method: str, params: Params) -> None:
        if method in BAN_EXEMPT:
            return
        flood, now = self.state.flood, self.state.now()
        remaining = flood.ban_remaining(now)
        chat_id = params.integer("chat_id")
        if remaining is None and chat_id is not None:
            # A chat banned alone refuses every call for it, and only those.
            remaining = flood.chat_ban_remaining(chat_id, now)
        if remaining is not None:
            # Calling again before retry_after has passed is what gets bots banned for longer.
            self.state.stats.violations += 1
            self.state.stats.too_many_requests += 1
            raise too_many_requests(remaining)

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        state = self.state
        if state.webhook is not None:
            raise conflict(WEBHOOK_CONFLICT)
        botapi.set_allowed_updates(Call(state, "getUpdates", params))
        state.confirm(params.integer("offset") or 0)
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = min(max(params.integer("timeout") or 0, 0), MAX_POLL_TIMEOUT)

        if self._poller is not None and not self._poller.done():
            self._poller.set_result(POLL_CONFLICT)
        loop = asyncio.get_running_loop()
        mine: asyncio.Future[str] = loop.create_future()
        self._poller = mine
        deadline = loop.time() + timeout
        try:
            while True:
                if mine.done():
                    reason = mine.result()
                    if reason:
                        raise conflict(reason)
                    return []
                batch = state.batch(limit)
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._stopping:
                    return batch
                signal: asyncio.Future[Any] = asyncio.ensure_future(state.update_signal.wait())
                waiting: set[asyncio.Future[Any]] = {signal, mine}
                try:
                    await asyncio.wait(
                        waiting, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    signal.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await signal
        finally:
            if self._poller is mine:
                self._poller = None
            if not mine.done():
                mine.cancel()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        refused = self._auth(request.match_info["token"])
        if refused is not None:
            return web.json_response(refused.envelope(), status=refused.code, dumps=_dumps)
        stored = self.state.files_by_path.get(request.match_info["file_path"])
        if stored is None:
            error = ApiError(404, "Not Found")
            return web.json_response(error.envelope(), status=404, dumps=_dumps)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    def _end_poll_for_webhook(self) -> None:
        if self.state.webhook is not None and self._poller is not None and not self._poller.done():
            self._poller.set_result(WEBHOOK_CONFLICT)
