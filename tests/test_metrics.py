"""/metrics tells an operator how the bot runs, in polling mode, and nothing about a resident."""

from __future__ import annotations

import asyncio

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.runner import BotRunner
from playground.client import PlaygroundClient
from playground.server import Playground
from storage.postgres import PostgresRepository
from tests.backends import postgres_only
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
        await anna.send("/help")

    status, text = await _scrape(bot)
    assert status == 200
    values = _values(text)
    assert values[("buurtbot_updates_handled_total", (("kind", "command"),))] >= 2
    assert values[("buurtbot_updates_handled_total", (("kind", "message"),))] >= 1
    assert values[("buurtbot_updates_handled_total", (("kind", "button"),))] >= 1
    assert values[("buurtbot_updates_handled_total", (("kind", "media"),))] >= 1
    assert values[("buurtbot_update_handling_seconds_count", ())] >= 5
    for scope in ("chat", "bot"):  # both there from the start, at 0 (see the tests below)
        assert values[("buurtbot_rate_limited_total", (("scope", scope),))] == 0
    ok_sends = (("method", "sendMessage"), ("outcome", "ok"))
    assert values[("buurtbot_bot_api_calls_total", ok_sends)] >= 3
    assert ("buurtbot_outbox_depth", ()) in values
    assert values[("buurtbot_reminders_late", ())] == 0
    assert values[("buurtbot_storage_errors_total", ())] == 0
    for private in ("Annemiek", "annemiek_w", "jeu-de-boules", str(anna.id)):
        assert private not in text


async def test_a_chat_over_its_pace_is_counted_as_that_chats_429(
    make_bot: BotFactory, playground: Playground
) -> None:
    """The pacer held Anna's chat alone, and the metric says so."""
    # The bot's own pace per chat as in production, only wider than the playground's: its
    # bucket for Anna is not full once she has been answered, so her 429 is her chat's.
    bot = await make_bot(metrics={"port": 0}, flood={"chat_rate": 0.1, "chat_burst": 20})

    async def handled(update_id: int) -> None:
        await bot.handled.wait(update_id)

    async with PlaygroundClient(playground.url, waiter=handled) as pg:
        anna = await pg.new_person(first_name="Annemiek")
        await pg.set_limits(chat_rate=0.5, chat_burst=1, retry_after=2)
        await anna.send("/help")  # the one message her chat may have at once
        await anna.send("/help")  # over her chat's pace: 429, waited out, then answered
        assert (await pg.stats()).chat_bans >= 1
        assert sum(m.from_bot for m in await anna.messages()) == 2  # both answered

    values = _values((await _scrape(bot))[1])
    assert values[("buurtbot_rate_limited_total", (("scope", "chat"),))] >= 1
    assert values[("buurtbot_rate_limited_total", (("scope", "bot"),))] == 0


async def test_a_429_for_the_whole_bot_is_counted_as_the_bots_though_the_call_named_a_chat(
    make_bot: BotFactory, playground: Playground
) -> None:
    """Telegram's answer names no scope; the metric says what the pacer held: every call."""
    bot = await make_bot(metrics={"port": 0})

    async def handled(update_id: int) -> None:
        await bot.handled.wait(update_id)

    async with PlaygroundClient(playground.url, waiter=handled) as pg:
        anna = await pg.new_person(first_name="Annemiek")
        bert = await pg.new_person(first_name="Bert")
        generous = (await pg.stats()).limits
        # One message left for the whole bot, none earned after it: Anna's answer takes it.
        await pg.set_limits(global_rate=0.001, global_burst=1, retry_after=1)
        await anna.send("/help")
        answered = asyncio.ensure_future(bert.send("/help"))
        # Bert's chat was not written to before: the 429 can only be the bot's overall pace.
        while (await pg.stats()).too_many_requests < 1:
            assert not answered.done()
            await asyncio.sleep(0.02)
        await pg.set_limits(**generous)  # the pacer waits out the ban, then Bert is answered
        await answered
        assert (await bert.messages())[-1].from_bot

    values = _values((await _scrape(bot))[1])
    assert values[("buurtbot_rate_limited_total", (("scope", "bot"),))] >= 1
    assert values[("buurtbot_rate_limited_total", (("scope", "chat"),))] == 0
    refused = (("method", "sendMessage"), ("outcome", "rate_limited"))
    assert values[("buurtbot_bot_api_calls_total", refused)] >= 1


async def test_no_metrics_section_means_no_endpoint(bot: BotRunner) -> None:
    assert bot.ops is None


@postgres_only
async def test_round_trips_to_postgresql_are_counted(
    make_bot: BotFactory, playground: Playground
) -> None:
    """Every round trip to the shared database is counted, and a note costs a few."""
    bot = await make_bot(metrics={"port": 0})
    await add_theme(bot)
    repo = bot.repo
    assert isinstance(repo, PostgresRepository)

    async def handled(update_id: int) -> None:
        await bot.handled.wait(update_id)

    async with PlaygroundClient(playground.url, waiter=handled) as pg:
        anna = await pg.new_person(first_name="Annemiek")
        await anna.send("/thema")
        await anna.send("Een bankje bij de bushalte")
        _, text = await _scrape(bot)
        before = _values(text)[("buurtbot_storage_round_trips_total", ())]
        assert before > 0
        await anna.send("En meer groen op het plein")
        _, text = await _scrape(bot)
    after = _values(text)[("buurtbot_storage_round_trips_total", ())]
    assert after <= repo.round_trips
    # A note: store the update; begin the turn (with the board's changes and the waiting
    # drafts); the note itself (the theme was read by the note before, and no theme changed
    # since); end the turn, with the chat's state. Then the scrape's two reads, and room for a
    # look of the sender or the scheduler meanwhile.
    assert 4 + 2 <= after - before <= 4 + 2 + 6
