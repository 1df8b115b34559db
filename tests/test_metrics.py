"""/metrics tells an operator how the bot runs, in polling mode, and nothing about a resident."""

from __future__ import annotations

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.runner import BotRunner
from playground.client import PlaygroundClient
from playground.server import Playground
from tests.conftest import BotFactory, add_theme


async def _scrape(runner: BotRunner, path: str = "/metrics") -> tuple[int, str]:
    assert runner.ops is not None
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{runner.ops.port}{path}") as response,
    ):
        return response.status, await response.text()


def _values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_updates_latency_outbox_and_429s_are_counted_without_personal_data(
    make_bot: BotFactory, playground: Playground
) -> None:
    bot = await make_bot(metrics={"port": 0})
    await add_theme(bot)
    status, _ = await _scrape(bot, "/health")
    assert status == 200

    async def handled(update_id: int) -> None:
        await bot.handled.wait(update_id)

    async with PlaygroundClient(playground.url, waiter=handled) as pg:
        anna = await pg.new_person(first_name="Annemiek", username="annemiek_w")
        await anna.send("/thema")
        await anna.send("Een jeu-de-boulesbaan bij Huize Zonneweide")
        await anna.press("Wens")
        await anna.send_sticker()
        # One chat's pace runs out: the playground answers 429 for that chat.
        await pg.set_limits(chat_rate=1.0, chat_burst=1, retry_after=1)
        await anna.send("/help")
        await anna.send("/help")
        await pg.set_limits(chat_rate=50.0, chat_burst=200)

    status, text = await _scrape(bot)
    assert status == 200
    values = _values(text)
    assert values[("buurtbot_updates_handled_total", (("kind", "command"),))] >= 2
    assert values[("buurtbot_updates_handled_total", (("kind", "message"),))] >= 1
    assert values[("buurtbot_updates_handled_total", (("kind", "button"),))] >= 1
    assert values[("buurtbot_updates_handled_total", (("kind", "media"),))] >= 1
    assert values[("buurtbot_update_handling_seconds_count", ())] >= 5
    assert values[("buurtbot_rate_limited_total", (("scope", "chat"),))] >= 1
    assert values[("buurtbot_rate_limited_total", (("scope", "bot"),))] == 0
    ok_sends = (("method", "sendMessage"), ("outcome", "ok"))
    assert values[("buurtbot_bot_api_calls_total", ok_sends)] >= 3
    assert ("buurtbot_outbox_depth", ()) in values
    assert values[("buurtbot_reminders_late", ())] == 0
    assert values[("buurtbot_storage_errors_total", ())] == 0
    for private in ("Annemiek", "annemiek_w", "jeu-de-boules", str(anna.id)):
        assert private not in text


async def test_no_metrics_section_means_no_endpoint(bot: BotRunner) -> None:
    assert bot.ops is None
