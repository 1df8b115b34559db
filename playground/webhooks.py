"""Delivering updates by webhook, as Telegram does once setWebhook named a URL.

Every queued update is POSTed as JSON to the webhook, with ``X-Telegram-Bot-Api-Secret-Token``
when setWebhook gave a secret_token, and tried again (after a short pause) until the answer is
a 2xx; only then is it forgotten. A chat's updates go one at a time and in order (its next
update waits until the last one was accepted); different chats go at once, up to the
webhook's max_connections. Failures are shown by getWebhookInfo (last_error_date,
last_error_message), like Telegram does.

Telegram posts to the webhook's public HTTPS address; a local test has no such thing. The
control API (``POST /control/webhook/targets``) therefore names the addresses the playground
really connects to, in turn (round robin; a failed attempt goes to the next one): a stand-in
for the load balancer in front of several replicas. Until targets are named, updates wait
(getWebhookInfo counts them): the playground never connects to the address given to
setWebhook, which is somewhere on the internet.

setWebhook itself is checked as Telegram checks it (playground/botapi.py): one call a second
per bot, ports 443, 80, 88 and 8443 only, no reserved or private IP address. A test that wants
to name its own 127.0.0.1:port there starts the playground with ``local_webhooks=True``
(``--local-webhooks``); the targets above never need it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from typing import Any

import aiohttp

from playground.state import PlaygroundState, update_kind

_log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TIMEOUT = 30.0
_FIRST_PAUSE = 0.05
_LONGEST_PAUSE = 1.0
_IDLE = 0.5


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat (or else the user) an update belongs to, for keeping a chat's order."""
    payload = update.get(update_kind(update))
    if not isinstance(payload, dict):
        return None
    for holder in (payload, payload.get("message")):
        if isinstance(holder, dict):
            chat = holder.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
    sender = payload.get("from")
    if isinstance(sender, dict) and isinstance(sender.get("id"), int):
        return int(sender["id"])
    return None


class WebhookDelivery:
    """The task that posts queued updates to the webhook while one is set."""

    def __init__(self, state: PlaygroundState) -> None:
        self.state = state
        self.targets: list[str] = []
        self.delivered = 0
        self.failed_attempts = 0
        self.accepted_by: Counter[str] = Counter()
        """Deliveries accepted per address posted to."""
        self._turn = 0
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._sending: dict[int, asyncio.Task[None]] = {}
        self._busy: set[object] = set()
        self._wake = asyncio.Event()

    def stats_json(self) -> dict[str, Any]:
        """What GET /control/webhook shows."""
        return {
            "webhook": self.state.webhook,
            "targets": list(self.targets),
            "delivered": self.delivered,
            "failed_attempts": self.failed_attempts,
            "accepted_by": dict(self.accepted_by),
            "in_flight": len(self._sending),
            "pending": len(self.state.updates),
        }

    def set_targets(self, urls: list[str]) -> None:
        """Post to these addresses in turn instead of the webhook's own URL."""
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"not an http(s) URL: {url!r}")
        self.targets = list(urls)
        self.wake()

    def wake(self) -> None:
        """Look at the queue now (the webhook changed, or an attempt ended)."""
        self._wake.set()

    async def start(self) -> None:
        if self._task is not None:
            return
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=TIMEOUT),
            connector=aiohttp.TCPConnector(limit=100),
        )
        self._task = asyncio.create_task(self._run(), name="playground:webhook")

    async def stop(self) -> None:
        task, self._task = self._task, None
        tasks = [t for t in (task, *self._sending.values()) if t is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._sending.clear()
        self._busy.clear()
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            signal = self.state.update_signal
            if self.state.webhook is not None and self.targets:
                self._dispatch(self.state.webhook)
            waiters = [
                asyncio.ensure_future(signal.wait()),
                asyncio.ensure_future(self._wake.wait()),
            ]
            try:
                await asyncio.wait(waiters, timeout=_IDLE, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    def _dispatch(self, webhook: dict[str, Any]) -> None:
        state = self.state
        limit = int(webhook.get("max_connections") or 40)
        wanted = [u for u in state.updates if update_kind(u) in state.allowed_updates]
        if len(wanted) != len(state.updates):
            state.updates = wanted  # Telegram does not keep what the bot does not want
        for update in wanted:
            if len(self._sending) >= limit:
                return
            update_id = int(update["update_id"])
            if update_id in self._sending:
                continue
            chat = chat_of(update)
            key: object = ("update", update_id) if chat is None else chat
            if key in self._busy:
                continue  # the chat's earlier update is not accepted yet
            self._busy.add(key)
            self._sending[update_id] = asyncio.create_task(self._deliver(update, key))

    def _target(self) -> str | None:
        if not self.targets:
            return None
        self._turn = (self._turn + 1) % len(self.targets)
        return self.targets[self._turn]

    async def _deliver(self, update: dict[str, Any], key: object) -> None:
        update_id = int(update["update_id"])
        pause = _FIRST_PAUSE
        body = json.dumps(update, ensure_ascii=False).encode()
        try:
            while True:
                webhook = self.state.webhook
                session = self._session
                if webhook is None or session is None or self.state.closing:
                    return  # it stays queued (for getUpdates, or a new webhook)
                headers = {"Content-Type": "application/json"}
                secret = self.state.webhook_secret
                if secret:
                    headers[SECRET_HEADER] = secret
                url = self._target()
                if url is None:
                    return  # the targets were taken away; it waits for new ones
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
                        if 200 <= response.status < 300:
                            self.accepted_by[url] += 1
                            self._accepted(update_id)
                            return
                        error = "Wrong response from the webhook: " + (
                            f"{response.status} {response.reason}"
                        )
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    error = f"Connection failed: {type(exc).__name__}"
                self.failed_attempts += 1
                webhook["last_error_date"] = self.state.unix()
                webhook["last_error_message"] = error
                await asyncio.sleep(pause)
                pause = min(pause * 2, _LONGEST_PAUSE)
        finally:
            self._sending.pop(update_id, None)
            self._busy.discard(key)
            self.wake()

    def _accepted(self, update_id: int) -> None:
        state = self.state
        self.delivered += 1
        state.updates = [u for u in state.updates if u["update_id"] != update_id]
        state.delivered_up_to = max(state.delivered_up_to, update_id)
