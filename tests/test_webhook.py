"""Webhook mode end to end: the playground POSTs updates to the bot, which stores them first.

Runs on the storage the suite runs on (SQLite, or PostgreSQL with BUURTBOT_TEST_DATABASE).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.core.config import parse_config
from bot.runner import BotRunner
from bot.webhook import SECRET_HEADER
from playground.client import PlaygroundClient
from playground.server import Playground
from tests.conftest import HANDLED_TIMEOUT, TOKEN, add_theme, config_data

SECRET = "s3cret_webhook-token"
PUBLIC_URL = "https://buurtbot.example.org/telegram"


def webhook_config(playground: Playground, tmp_path: Path, **webhook: Any) -> Any:
    settings = {
        "url": PUBLIC_URL,
        "listen": "127.0.0.1",
        "port": 0,
        "secret_token": SECRET,
        **webhook,
    }
    database = tmp_path / "buurtbot.sqlite3"
    data = config_data(playground.url, database, telegram={"webhook": settings})
    return parse_config(data, base_dir=tmp_path, token=TOKEN)


@pytest.fixture
async def hooked(playground: Playground, tmp_path: Path) -> AsyncIterator[BotRunner]:
    """A bot in webhook mode; the playground delivers to its local address."""
    runner = BotRunner(webhook_config(playground, tmp_path), webhook=True)
    await runner.start()
    assert runner.webhook is not None and runner.webhook.port
    playground.set_webhook_targets([local_url(runner)])
    try:
        yield runner
    finally:
        await runner.stop()


def local_url(runner: BotRunner, path: str = "/telegram") -> str:
    assert runner.webhook is not None
    return f"http://127.0.0.1:{runner.webhook.port}{path}"


@pytest.fixture
async def client(playground: Playground, hooked: BotRunner) -> AsyncIterator[PlaygroundClient]:
    async def handled(update_id: int) -> None:
        await asyncio.wait_for(hooked.handled.wait(update_id), HANDLED_TIMEOUT)

    async with PlaygroundClient(playground.url, waiter=handled) as pg:
        yield pg


async def test_a_conversation_arrives_by_webhook(
    client: PlaygroundClient, hooked: BotRunner, playground: Playground
) -> None:
    theme = await add_theme(hooked)
    anna = await client.new_person(first_name="Anna")
    await anna.send("/start")
    assert (await anna.last_bot_message()).text.startswith("In welk dorp woon je?")
    await anna.press("Sla over")
    await anna.press("Nee, liever niet")
    await anna.send("/thema")
    await anna.send("Een bankje bij de bushalte")
    await anna.press("Wens")
    notes = await hooked.repo.list_notes_by_author(anna.id)
    assert [(n.theme_id, n.text) for n in notes] == [(theme.id, "Een bankje bij de bushalte")]

    stats = await client.stats()
    assert stats.calls.get("getUpdates", 0) == 0, "webhook mode never polls"
    assert stats.errors_4xx == 0, stats.error_descriptions
    info = await client.webhook()
    assert info["webhook"]["url"] == PUBLIC_URL
    assert info["webhook"]["max_connections"] == 40
    assert info["pending"] == 0
    assert info["failed_attempts"] == 0
    assert "secret" not in json.dumps(info["webhook"])


async def _post(url: str, body: Any, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=json.dumps(body), headers=headers) as response,
    ):
        return response.status


def _update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    person = {"id": user_id, "is_bot": False, "first_name": "Mallory"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
            "from": person,
            "text": text,
        },
    }


async def test_requests_without_the_secret_are_refused(hooked: BotRunner) -> None:
    url = local_url(hooked)
    forged = _update(900_001, 4242, "/start")
    for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}):
        assert await _post(url, forged, headers) == 403
    assert await hooked.repo.inbox_last_update_id() is None
    assert await hooked.repo.get_resident(4242) is None
    # Not even an update's shape gets past the check; with the secret, nonsense is refused.
    assert await _post(url, {"no": "update"}, {SECRET_HEADER: SECRET}) == 400
    assert await _post(local_url(hooked, "/elsewhere"), forged, {SECRET_HEADER: SECRET}) == 404


async def test_malformed_updates_get_a_4xx_never_a_500(hooked: BotRunner) -> None:
    """A 5xx makes Telegram resend forever, so a body that can never be stored is refused."""
    url = local_url(hooked)
    deep = "[" * 100_000 + "]" * 100_000
    raw = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=deep, headers=raw) as response:
            assert response.status == 400
        nested = '{"update_id": 5, "message": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001
        async with session.post(url, data=nested, headers=raw) as response:
            assert response.status == 400
    for update_id in (2**63, 2**64 + 7, -1, True, False, 1.0, "12", None):
        body = _update(1, 4243, "/start") | {"update_id": update_id}
        assert await _post(url, body, {SECRET_HEADER: SECRET}) == 400, update_id
    assert await hooked.repo.inbox_last_update_id() is None
    assert await hooked.repo.get_resident(4243) is None
    # The largest id the inbox can hold is still taken.
    assert await _post(url, _update(2**63 - 1, 4244, "/help"), {SECRET_HEADER: SECRET}) == 200
    assert await hooked.repo.inbox_last_update_id() == 2**63 - 1


async def test_the_same_update_twice_is_handled_once(hooked: BotRunner) -> None:
    url = local_url(hooked)
    update = _update(900_002, 4243, "/start")
    statuses = await asyncio.gather(
        *(_post(url, update, {SECRET_HEADER: SECRET}) for _ in range(3))
    )
    assert statuses == [200, 200, 200]
    await asyncio.wait_for(hooked.handled.wait(900_002), HANDLED_TIMEOUT)
    await asyncio.sleep(0.3)
    assert await hooked.repo.inbox_pending() == []
    assert (await hooked.repo.get_resident(4243)) is not None
    assert hooked.webhook is not None and hooked.webhook.received == 3


async def test_health_for_the_load_balancer(
    hooked: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(local_url(hooked, "/health")) as response:
            assert response.status == 200
            assert (await response.json())["ok"] is True

        async def broken() -> int | None:
            raise OSError("connection refused")

        monkeypatch.setattr(hooked.repo, "inbox_last_update_id", broken)
        async with session.get(local_url(hooked, "/health")) as response:
            assert response.status == 503
            body = await response.json()
            assert body["ok"] is False
            assert body["reason"].startswith("database")


async def test_not_stored_means_delivered_again(
    client: PlaygroundClient, hooked: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = hooked.repo.inbox_add
    failures = 0

    async def flaky(items: Any) -> set[int]:
        nonlocal failures
        if failures < 3:
            failures += 1
            raise OSError("the database went away")
        return await original(items)

    monkeypatch.setattr(hooked.repo, "inbox_add", flaky)
    anna = await client.new_person(first_name="Anna")
    await anna.send("/start")
    assert (await anna.last_bot_message()).text.startswith("In welk dorp woon je?")
    info = await client.webhook()
    assert failures == 3
    assert info["failed_attempts"] == 3
    assert info["webhook"]["last_error_message"].startswith("Wrong response from the webhook: 500")


async def test_stopping_keeps_the_webhook_and_answers_503(
    playground: Playground, tmp_path: Path
) -> None:
    runner = BotRunner(webhook_config(playground, tmp_path), webhook=True)
    await runner.start()
    url = local_url(runner)
    assert runner.webhook is not None
    await runner.webhook.stop()
    await runner.stop()
    # Another replica may still serve it: a stopping one never deletes the webhook.
    assert playground.state.webhook is not None
    assert playground.state.webhook["url"] == PUBLIC_URL
    with pytest.raises(aiohttp.ClientConnectionError):
        await _post(url, _update(1, 2, "x"), {SECRET_HEADER: SECRET})


async def test_leftovers_of_the_last_run_are_handled_at_start(
    playground: Playground, tmp_path: Path
) -> None:
    config = webhook_config(playground, tmp_path)
    first = BotRunner(config, webhook=True)
    await first.start()
    await first.stop()
    # An update stored by the last run and never handled (the process died).
    update = _update(900_003, 4244, "/start")
    await first.repo.open()
    await first.repo.inbox_add([(900_003, 4244, json.dumps(update))])
    await first.repo.close()
    second = BotRunner(config, webhook=True)
    await second.start()
    try:
        await asyncio.wait_for(second.handled.wait(900_003), HANDLED_TIMEOUT)
        assert await second.repo.inbox_pending() == []
    finally:
        await second.stop()


async def test_an_update_that_cannot_be_read_is_set_aside_not_lost(hooked: BotRunner) -> None:
    """Answered 200 (else Telegram resends it forever) and kept for inspection (point 7)."""
    url = local_url(hooked)
    old_shape = {
        "update_id": 900_010,
        "poll_answer": {"poll_id": "p", "user": {"id": 4245, "is_bot": False, "first_name": "B"}},
    }
    for _ in range(2):  # a redelivery is recognised
        assert await _post(url, old_shape, {SECRET_HEADER: SECRET}) == 200
    aside = await hooked.repo.inbox_set_aside_items()
    assert [(a.update_id, a.chat_id, a.reason) for a in aside] == [(900_010, 4245, "TypeError")]
    assert await hooked.repo.inbox_pending() == []
    # The next update of anyone is handled as usual.
    assert await _post(url, _update(900_011, 4245, "/start"), {SECRET_HEADER: SECRET}) == 200
    await asyncio.wait_for(hooked.handled.wait(900_011), HANDLED_TIMEOUT)


@pytest.mark.parametrize("replicas", [2, 3, 6])
async def test_replicas_starting_together_all_set_the_webhook(
    playground: Playground, tmp_path: Path, replicas: int
) -> None:
    """Telegram takes one setWebhook a second per bot (429 retry after 1): each waits its turn."""
    runners = []
    for i in range(replicas):
        (tmp_path / str(i)).mkdir()
        runners.append(BotRunner(webhook_config(playground, tmp_path / str(i)), webhook=True))
    try:
        await asyncio.wait_for(asyncio.gather(*(r.start() for r in runners)), 20)
        assert all(r.webhook is not None and r.webhook.port for r in runners)
        assert playground.state.webhook is not None
        assert playground.state.webhook["url"] == PUBLIC_URL
        stats = playground.state.stats
        assert stats.calls["setWebhook"] >= replicas + 1, "the playground refused the rest"
    finally:
        for runner in runners:
            await runner.stop()
