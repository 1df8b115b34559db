"""The playground delivers by webhook: secret header, retries until 2xx, a chat's order kept,
several targets in turn (the load balancer stand-in), max_connections respected."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot as PtbBot
from telegram.error import BadRequest, RetryAfter

from playground import Playground, PlaygroundClient

TOKEN = "123456789:AAE" + "x" * 32
HOOK = "https://bot.example.org/hook"


@dataclass
class Receiver:
    """A webhook endpoint that records what it gets and answers what it is told."""

    status: int = 200
    fail_first: int = 0
    delay: float = 0.0
    received: list[tuple[int, int | None, str | None]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    url: str = ""
    _runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            body = await request.json()
            await asyncio.sleep(self.delay)
            if self.fail_first > 0:
                self.fail_first -= 1
                return web.Response(status=500)
            chat = body.get("message", {}).get("chat", {}).get("id")
            secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
            self.received.append((body["update_id"], chat, secret))
            return web.Response(status=self.status)
        finally:
            self.in_flight -= 1

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def playground() -> AsyncIterator[Playground]:
    async with Playground(token=TOKEN, chat_rate=1e6, chat_burst=10**6) as pg:
        yield pg


@pytest.fixture
async def bot(playground: Playground) -> AsyncIterator[PtbBot]:
    instance = PtbBot(TOKEN, base_url=f"{playground.url}/bot")
    await instance.initialize()
    yield instance
    await instance.shutdown()


@pytest.fixture
async def client(playground: Playground) -> AsyncIterator[PlaygroundClient]:
    async with PlaygroundClient(playground.url) as pg:
        yield pg


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    await r.stop()


async def _until(condition: Any, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)


async def test_the_secret_token_is_checked_and_sent(
    bot: PtbBot, client: PlaygroundClient, receiver: Receiver
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)^secret token contains unallowed characters$"):
        await bot.set_webhook(HOOK, secret_token="not allowed!")
    assert await bot.set_webhook(HOOK, secret_token="good_Secret-1")
    info = await bot.get_webhook_info()
    assert info.url == HOOK
    assert "good_Secret-1" not in json.dumps(info.to_dict())
    await client.set_webhook_targets([receiver.url])
    anna = await client.new_person("Anna")
    update_id = await anna.send("hallo")
    await _until(lambda: receiver.received)
    assert receiver.received == [(update_id, anna.id, "good_Secret-1")]
    async with asyncio.timeout(5):
        while True:
            if not (await client.webhook())["pending"]:
                break
            await asyncio.sleep(0.01)


async def test_an_empty_secret_token_is_accepted_and_means_no_secret(
    bot: PtbBot, client: PlaygroundClient, receiver: Receiver
) -> None:
    """telegram-rules.md: "an empty secret_token is accepted"."""
    assert await bot.set_webhook(HOOK, secret_token="")
    assert (await bot.get_webhook_info()).url == HOOK
    await client.set_webhook_targets([receiver.url])
    anna = await client.new_person("Anna")
    update_id = await anna.send("hallo")
    await _until(lambda: receiver.received)
    assert receiver.received == [(update_id, anna.id, None)]


async def test_failures_are_retried_and_reported(
    bot: PtbBot, client: PlaygroundClient, receiver: Receiver
) -> None:
    receiver.fail_first = 3
    await bot.set_webhook(HOOK)
    await client.set_webhook_targets([receiver.url])
    anna = await client.new_person("Anna")
    first = await anna.send("een")
    second = await anna.send("twee")
    await _until(lambda: len(receiver.received) == 2)
    assert [r[0] for r in receiver.received] == [first, second]
    assert receiver.received[0][2] is None  # no secret was set, none is sent
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert (await client.webhook())["failed_attempts"] == 3


async def test_a_chats_updates_in_order_chats_at_once_within_max_connections(
    bot: PtbBot, client: PlaygroundClient, receiver: Receiver
) -> None:
    receiver.delay = 0.02
    await bot.set_webhook(HOOK, max_connections=5)
    people = [await client.new_person(f"Bewoner {i}") for i in range(12)]
    sent: dict[int, list[int]] = {}
    for round_ in range(6):
        for person in people:
            sent.setdefault(person.id, []).append(await person.send(f"bericht {round_}"))
    # Nothing goes out before there is somewhere to go.
    await asyncio.sleep(0.2)
    assert receiver.received == []
    await client.set_webhook_targets([receiver.url])
    await _until(lambda: len(receiver.received) == 72)
    got: dict[int, list[int]] = {}
    for update_id, chat, _ in receiver.received:
        assert chat is not None
        got.setdefault(chat, []).append(update_id)
    assert got == sent
    assert 1 < receiver.most_in_flight <= 5


async def test_targets_take_turns_and_a_dead_one_is_skipped(
    bot: PtbBot, client: PlaygroundClient, receiver: Receiver
) -> None:
    other = Receiver()
    await other.start()
    dead = Receiver()
    await dead.start()
    dead_url = dead.url
    await dead.stop()
    try:
        await bot.set_webhook(HOOK)
        await client.set_webhook_targets([receiver.url, dead_url, other.url])
        people = [await client.new_person(f"Bewoner {i}") for i in range(10)]
        for person in people:
            await person.send("hallo")
        await _until(lambda: len(receiver.received) + len(other.received) == 10)
        assert receiver.received and other.received
        accepted = (await client.webhook())["accepted_by"]
        assert set(accepted) == {receiver.url, other.url}
    finally:
        await other.stop()


async def test_delete_webhook_stops_delivery(
    bot: PtbBot, client: PlaygroundClient, receiver: Receiver
) -> None:
    await bot.set_webhook(HOOK)
    await bot.delete_webhook()
    await client.set_webhook_targets([receiver.url])
    anna = await client.new_person("Anna")
    await anna.send("hallo")
    await asyncio.sleep(0.3)
    assert receiver.received == []
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["hallo"]


async def test_set_webhook_once_a_second_per_bot(bot: PtbBot, playground: Playground) -> None:
    """telegram-rules.md: "setWebhook: at most one call a second per bot, else 429 Too Many
    Requests: retry after 1"."""
    assert await bot.set_webhook(HOOK)
    with pytest.raises(RetryAfter) as caught:
        await bot.set_webhook(HOOK)
    refusal = playground.state.stats.errors[-1]
    assert (refusal["error_code"], refusal["description"]) == (
        429,
        "Too Many Requests: retry after 1",
    )
    assert caught.value.retry_after in (1, timedelta(seconds=1))
    await asyncio.sleep(1.05)
    assert await bot.set_webhook("https://bot.example.org:8443/hook")
    assert (await bot.get_webhook_info()).url == "https://bot.example.org:8443/hook"


@pytest.mark.parametrize("port", [8080, 8081, 444, 1])
async def test_webhook_ports_other_than_443_80_88_8443_are_refused(bot: PtbBot, port: int) -> None:
    """telegram-rules.md: "ports 443, 80, 88, 8443 only"."""
    with pytest.raises(BadRequest) as caught:
        await bot.set_webhook(f"https://bot.example.org:{port}/hook")
    assert caught.value.message == (
        "Bad webhook: webhook can be set up only on ports 80, 88, 443 or 8443"
    )
    assert (await bot.get_webhook_info()).url == ""


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.1.1", "0.0.0.0", "[::1]", "localhost"],
)
async def test_webhooks_on_reserved_addresses_are_refused(bot: PtbBot, host: str) -> None:
    """telegram-rules.md: "reserved and private addresses refused"."""
    with pytest.raises(BadRequest, match=r"^Bad webhook: ip address \S+ is reserved$"):
        await bot.set_webhook(f"https://{host}:8443/hook")
    assert (await bot.get_webhook_info()).url == ""


async def test_a_public_address_on_an_allowed_port_is_taken(bot: PtbBot) -> None:
    assert await bot.set_webhook("https://149.154.167.220:88/hook")
    assert (await bot.get_webhook_info()).url == "https://149.154.167.220:88/hook"


async def test_local_webhooks_can_be_allowed_for_a_test(receiver: Receiver) -> None:
    """Strict by default; a test naming its own 127.0.0.1:port may switch the check off."""
    async with Playground(token=TOKEN, local_webhooks=True) as pg:
        instance = PtbBot(TOKEN, base_url=f"{pg.url}/bot")
        await instance.initialize()
        try:
            assert await instance.set_webhook(receiver.url.replace("http://", "https://"))
        finally:
            await instance.shutdown()
